// Tests for scan_for_tampering.
#include "conclab/tamper.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace conclab {
namespace {

std::string all(const std::vector<TamperHit>& hits) {
    std::string s;
    for (const auto& h : hits) s += format_tamper_hit(h) + "\n";
    return s;
}

// Each trick sits on line 3 of a small file, inside the exercise's namespace or
// (file_scope) before it; `piece` must be in the hit's message.
struct Trick {
    const char* name;
    const char* line;
    const char* piece;
    bool file_scope = false;
};

void PrintTo(const Trick& t, std::ostream* os) { *os << t.name; }

class TamperTrick : public ::testing::TestWithParam<Trick> {};

TEST_P(TamperTrick, IsCaughtOnItsLine) {
    const Trick& t = GetParam();
    std::string rest = "\nlong Counter::value() const noexcept { return value_.load(); }\n}  // namespace counter\n";
    std::string src = t.file_scope
                          ? std::string("#include \"counter.hpp\"\n#include <cstdlib>\n") + t.line + "\nnamespace counter {" + rest
                          : std::string("#include \"counter.hpp\"\nnamespace counter {\n") + t.line + rest;
    auto hits = scan_for_tampering(src);
    ASSERT_FALSE(hits.empty()) << src;
    bool found = false;
    for (const auto& h : hits) found = found || (h.line == 3 && h.what.find(t.piece) != std::string::npos);
    EXPECT_TRUE(found) << "expected `" << t.piece << "` on line 3, got:\n" << all(hits);
    for (const auto& h : hits) EXPECT_EQ(h.line, 3) << all(hits);
}

const Trick kTricks[] = {
    {"no_sanitize_attribute", R"(__attribute__((no_sanitize("thread"))) void Counter::increment() noexcept { value_ += 1; })",
     "switches ThreadSanitizer off for this function; the grader needs it on — remove it"},
    {"no_sanitize_thread_attribute", "__attribute__((no_sanitize_thread)) void Counter::increment() noexcept { ++v; }",
     "switches ThreadSanitizer off"},
    {"no_sanitize_address_attribute", "__attribute__((__no_sanitize_address__)) void f() {}", "switches AddressSanitizer off"},
    {"gnu_no_sanitize", R"([[gnu::no_sanitize("address")]] void f() {})", "switches AddressSanitizer off"},
    {"clang_no_sanitize", R"([[clang::no_sanitize("thread")]] void f() {})", "switches ThreadSanitizer off"},
    {"no_sanitize_undefined", R"(__attribute__((no_sanitize("signed-integer-overflow"))) int f(int a) { return a * 2; })",
     "switches UndefinedBehaviorSanitizer off"},
    {"no_address_safety_analysis", "__attribute__((no_address_safety_analysis)) void f() {}", "switches AddressSanitizer off"},
    {"tsan_default_options", R"(extern "C" const char* __tsan_default_options() { return "report_bugs=0"; })",
     "defines `__tsan_default_options`, which would replace the grader's sanitizer settings"},
    {"tsan_default_suppressions", R"(extern "C" const char* __tsan_default_suppressions() { return "race:increment"; })",
     "`__tsan_default_suppressions`"},
    {"asan_default_options", R"(extern "C" const char* __asan_default_options() { return "detect_leaks=0"; })",
     "`__asan_default_options`"},
    {"lsan_default_options", R"(extern "C" const char* __lsan_default_options() { return "exitcode=0"; })",
     "`__lsan_default_options`"},
    {"lsan_default_suppressions", R"(extern "C" const char* __lsan_default_suppressions() { return "leak:*"; })",
     "`__lsan_default_suppressions`"},
    {"ubsan_default_options", R"(extern "C" const char* __ubsan_default_options() { return "halt_on_error=0"; })",
     "`__ubsan_default_options`"},
    {"tsan_call", "void Counter::increment() noexcept { __tsan_ignore_thread_begin(); ++v; }",
     "calls the sanitizer runtime directly (`__tsan_ignore_thread_begin`)"},
    {"lsan_disable", "void leak() { __lsan_disable(); new int; __lsan_enable(); }", "`__lsan_disable`"},
    {"sanitizer_set_report_path", R"(void f() { __sanitizer_set_report_path("/dev/null"); })", "`__sanitizer_set_report_path`"},
    {"lsan_scoped_disabler", "void f() { __lsan::ScopedDisabler off; new int; }", "`__lsan::`"},
    {"sanitizer_header", "#include <sanitizer/tsan_interface.h>", "includes a sanitizer interface header"},
    {"sanitize_thread_macro", "#ifndef __SANITIZE_THREAD__", "behave differently when a sanitizer checks it"},
    {"has_feature", "#if __has_feature(thread_sanitizer)", "behave differently when a sanitizer checks it"},
    {"annotate_happens_before", "void f() { AnnotateHappensBefore(__FILE__, __LINE__, &v); }",
     "tells ThreadSanitizer to ignore or trust some accesses (`AnnotateHappensBefore`)"},
    {"annotate_benign_race", "void f() { AnnotateBenignRaceSized(__FILE__, __LINE__, &v, 8, \"ok\"); }",
     "`AnnotateBenignRaceSized`"},
    {"annotate_macro", "void f() { ANNOTATE_BENIGN_RACE(&v, \"counter\"); }", "`ANNOTATE_BENIGN_RACE`"},
    {"pragma_optimize", "#pragma GCC optimize (\"O0\")", "the grader builds it with fixed flags"},
    {"pragma_clang_attribute", "#pragma clang attribute push (__attribute__((cold)), apply_to = function)",
     "changes how the compiler builds your code"},
    {"pragma_digraph", "%:pragma GCC optimize(\"-fno-inline\")", "changes how the compiler builds your code"},
    {"pragma_operator", R"x(_Pragma("GCC optimize(\"O0\")"))x", "changes how the compiler builds your code"},
    {"optimize_attribute", R"(__attribute__((optimize("O0"))) void f() {})", "changes the optimisation flags"},
    {"gnu_optimize", R"([[gnu::optimize("O3")]] void f() {})", "changes the optimisation flags"},
    {"symver", R"(__asm__(".symver memcpy,memcpy@GLIBC_2.2.5");)", "(`.symver`)"},
    {"inline_asm", R"(void f() { asm volatile("lock incq %0" : "+m"(v)); })", "inline assembly is invisible to ThreadSanitizer"},
    {"alias_attribute", R"(extern "C" int my_lock() __attribute__((alias("pthread_mutex_lock")));)",
     "makes one symbol stand for another"},
    {"pragma_weak", "#pragma weak pthread_mutex_lock", "makes one symbol stand for another"},
    {"constructor_attribute", "__attribute__((constructor)) static void early() {}", "runs code before main() starts"},
    {"gnu_destructor", "[[gnu::destructor]] static void late() { _exit(0); }", "after it ends"},
    {"wrap_symbol", "extern \"C\" ssize_t __wrap_read(int fd, void* b, size_t n);", "`__wrap_read` is a link-time wrapper"},
    {"real_symbol", "ssize_t r = __real_write(1, \"x\", 1);", "`__real_write`"},
    {"dlsym", R"(void* p = dlsym(RTLD_NEXT, "pthread_mutex_unlock");)", "looks functions up at run time (`dlsym`)"},
    {"testing_namespace", "void f() { ::testing::GTEST_FLAG(repeat) = 0; }", "uses the test framework (`testing::`)"},
    {"run_all_tests", "int run() { return RUN_ALL_TESTS(); }", "uses the test framework (`RUN_ALL_TESTS`)"},
    {"test_macro", "TEST(CounterTest, IncrementsAreNotLost) { }", "uses the test framework"},
    {"gtest_include", "#include <gtest/gtest.h>", "includes the test framework"},
    {"main", "int main(int argc, char** argv) { return 0; }", "defines main(); your files must not have one"},
    {"tsan_options_env", R"(void f() { setenv("TSAN_OPTIONS", "report_bugs=0", 1); })",
     "reads or changes the grader's environment (`TSAN_OPTIONS`)"},
    {"ld_preload_env", R"(void f() { setenv("LD_PRELOAD", "/tmp/x.so", 1); })", "(`LD_PRELOAD`)"},
    {"conclab_test_env", R"(bool graded() { return getenv("CONCLAB_TEST") != nullptr; })", "(`CONCLAB_TEST`)"},
    {"segv_handler", "void f() { std::signal(SIGSEGV, [](int) { _exit(0); }); }",
     "installs a handler for a crash signal"},
    {"sigaction_abrt", "void f() { sigaction(SIGABRT, &sa, nullptr); }", "installs a handler for a crash signal"},
    {"ptrace", "void f() { ptrace(PTRACE_TRACEME, 0, nullptr, nullptr); }", "stops the leak checker"},
    {"setrlimit", "void f() { rlimit r{0, 0}; setrlimit(RLIMIT_AS, &r); }", "memory limits"},
    {"futex", "void f() { syscall(SYS_futex, &word, FUTEX_WAIT, 1, nullptr, nullptr, 0); }", "futex system call"},
    {"line_directive", "#line 1 \"elsewhere.cpp\"", "could not point at your code"},
    {"linemarker", "# 1 \"elsewhere.cpp\"", "could not point at your code"},
    {"include_parent", "#include \"../../reference/counter/counter.cpp\"", "absolute or parent-directory path"},
    {"include_absolute", "#include </etc/passwd>", "absolute or parent-directory path"},
    {"global_operator_new", "void* operator new(std::size_t n) { return std::malloc(n); }",
     "replaces the global operator new/delete", true},
    {"extern_c_pthread", "extern \"C\" int pthread_mutex_lock(pthread_mutex_t*) { return 0; }",
     "system library function (`pthread_mutex_lock`)"},
    {"global_free", "void free(void* p) noexcept {}", "system library function (`free`)", true},
    {"global_pthread", "int pthread_mutex_lock(pthread_mutex_t* m) { return 0; }",
     "system library function (`pthread_mutex_lock`)", true},
    {"extern_c_read", "extern \"C\" ssize_t read(int fd, void* buf, size_t n) { return 0; }",
     "system library function (`read`)", true},
};

INSTANTIATE_TEST_SUITE_P(Tricks, TamperTrick, ::testing::ValuesIn(kTricks),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Tamper, HarmlessLookalikesAreFine) {
    const char* src = R"(#include <sys/resource.h>
void spin_hint() { asm volatile("pause"); }
void barrier() { __asm__ __volatile__("" ::: "memory"); }
void more_files() { rlimit r{}; getrlimit(RLIMIT_NOFILE, &r); r.rlim_cur = r.rlim_max; setrlimit(RLIMIT_NOFILE, &r); }
void sleep(int ms);                                      // a C++ overload, not libc's sleep
void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }
)";
    auto hits = scan_for_tampering(src);
    EXPECT_TRUE(hits.empty()) << all(hits);
}

TEST(Tamper, LibraryNamesInsideANamespaceOrAsMembersAreFine) {
    const char* src = R"(namespace pipes {
ssize_t read(int fd, char* buf, std::size_t n);           // pipes::read, not ::read
void Connection::close() noexcept { ::close(fd_); }
struct promise_type { static void* operator new(std::size_t n) { return ::operator new(n); } };
}
static int write(int fd) { return fd; }                   // internal linkage replaces nothing
void* Task::promise_type::operator new(std::size_t n) { return ::operator new(n); }
)";
    auto hits = scan_for_tampering(src);
    EXPECT_TRUE(hits.empty()) << all(hits);
}

// ---- not in code: comments and strings

TEST(Tamper, CommentsAndStringsAreNotCode) {
    const char* src = R"SRC(// __attribute__((no_sanitize("thread"))) would switch TSan off: don't.
/* __tsan_default_options, __asan_default_options, AnnotateHappensBefore,
   #pragma GCC optimize, asm(".symver ..."), RUN_ALL_TESTS(), int main() {} */
#include <cstdio>
namespace counter {
void explain() {
    std::puts("no_sanitize and __tsan_acquire are forbidden; int main() is ours");
    std::puts(R"x(__attribute__((constructor)) dlsym("x") testing::Test)x");
    const char* s = "a \" quoted __wrap_read \" inside";
    char q = '"';  // a quote in a char literal does not open a string: __asan_poison
    char b = '\\'; long big = 1'000'000; // digit separators are not char literals: __tsan_read8
    (void)s; (void)q; (void)b; (void)big;
}
// a comment that continues \
   on the next line: __lsan_disable()
}  // namespace counter
)SRC";
    auto hits = scan_for_tampering(src);
    EXPECT_TRUE(hits.empty()) << all(hits);
}

TEST(Tamper, ARuleIsAppliedAfterAComment) {
    auto hits = scan_for_tampering("/* a\n comment */ __attribute__((no_sanitize(\"thread\"))) void f();\n");
    ASSERT_EQ(hits.size(), 1u) << all(hits);
    EXPECT_EQ(hits[0].line, 2);
    EXPECT_NE(hits[0].what.find("ThreadSanitizer"), std::string::npos);
    EXPECT_EQ(hits[0].what.find("comment"), std::string::npos) << "the snippet leaves comments out: " << hits[0].what;
}

TEST(Tamper, ATokenSplitByALineSpliceIsStillSeen) {
    auto hits = scan_for_tampering("int x;\n__attribute__((no_\\\nsanitize(\"thread\"))) void f();\n");
    ASSERT_EQ(hits.size(), 1u) << all(hits);
    EXPECT_EQ(hits[0].line, 2);
    EXPECT_NE(hits[0].what.find("ThreadSanitizer"), std::string::npos) << hits[0].what;
}

TEST(Tamper, SeveralTricksOnOneLineAreEachReported) {
    auto hits = scan_for_tampering("void f() { __tsan_acquire(&v); AnnotateHappensAfter(__FILE__, __LINE__, &v); }\n");
    ASSERT_EQ(hits.size(), 2u) << all(hits);
    EXPECT_NE(hits[0].what.find("`__tsan_acquire`"), std::string::npos);
    EXPECT_NE(hits[1].what.find("`AnnotateHappensAfter`"), std::string::npos);
    // the specific rule wins: __tsan_default_options is not reported again as a plain __tsan_ call
    auto one = scan_for_tampering("extern \"C\" const char* __tsan_default_options();\n");
    EXPECT_EQ(one.size(), 1u) << all(one);
}

TEST(Tamper, FormatsHitsForStudents) {
    TamperHit h{12, "`x` does y"};
    EXPECT_EQ(format_tamper_hit(h), "line 12: `x` does y");
    EXPECT_EQ(format_tamper_hit(h, "exercises/counter/counter.cpp"), "exercises/counter/counter.cpp:12: `x` does y");
    auto hits = scan_for_tampering("\n\n\n\n\n\n\n\n\n\n\n__attribute__((no_sanitize(\"thread\"))) void f();\n");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(format_tamper_hit(hits[0]),
              "line 12: `__attribute__((no_sanitize(\"thread\"))) void f();` switches ThreadSanitizer off for this "
              "function; the grader needs it on — remove it");
}

// ---- reference-like solutions: nothing to report

const char* kCleanCounter = R"SRC(#include "counter.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace counter {

// Relaxed is enough: nothing else is published through the count.
void Counter::increment() noexcept { value_.fetch_add(1, std::memory_order_relaxed); }
long Counter::value() const noexcept { return value_.load(std::memory_order_relaxed); }

long count_with_threads(int threads, long per_thread) {
    Counter c;
    std::vector<std::thread> ts;
    ts.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&c, per_thread] {
            for (long i = 0; i < per_thread; ++i) c.increment();
        });
    for (auto& t : ts) t.join();
    return c.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load(std::memory_order_relaxed);
    while (left > 0)
        if (left_.compare_exchange_weak(left, left - 1, std::memory_order_acq_rel)) return true;
    return false;
}

int TicketOffice::remaining() const noexcept { return left_.load(); }

}  // namespace counter
)SRC";

const char* kCleanPool = R"SRC(#include "pool_copy.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace pool_copy {
namespace {
constexpr std::size_t kBuffer = 1 << 16;
void write(std::ostream& out, const char* data, std::size_t n) { out.write(data, static_cast<std::streamsize>(n)); }
}  // namespace

WorkerPool::WorkerPool(std::size_t workers) {
    if (workers == 0) throw std::invalid_argument("WorkerPool needs at least one worker");
    for (std::size_t i = 0; i < workers; ++i)
        threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    if (!joined_) { close(); join(); }
}

std::future<void> WorkerPool::submit(std::function<void()> task) {
    std::packaged_task<void()> job(std::move(task));
    auto f = job.get_future();
    {
        std::lock_guard<std::mutex> lock(m_);
        if (closed_) throw std::logic_error("submit() after close()");
        queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return f;
}

void WorkerPool::close() {
    { std::lock_guard<std::mutex> lock(m_); closed_ = true; }
    cv_.notify_all();
}

void WorkerPool::join() {
    { std::lock_guard<std::mutex> lock(m_); if (!closed_) throw std::logic_error("join() before close()"); }
    for (auto& t : threads_) if (t.joinable()) t.join();
    joined_ = true;
}

std::size_t WorkerPool::size() const noexcept { return threads_.size(); }

void WorkerPool::run() {
    for (;;) {
        std::packaged_task<void()> job;
        {
            std::unique_lock<std::mutex> lock(m_);
            cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
            if (queue_.empty()) return;
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        job();
    }
}

CopyReport copy_tree(const std::filesystem::path& src, const std::filesystem::path& dst, std::size_t workers) {
    CopyReport report;
    std::mutex m;
    WorkerPool pool(workers);
    std::vector<std::future<void>> done;
    for (const auto& e : std::filesystem::recursive_directory_iterator(src)) {
        auto rel = std::filesystem::relative(e.path(), src);
        if (e.is_directory()) { std::filesystem::create_directories(dst / rel); continue; }
        done.push_back(pool.submit([&, rel, from = e.path()] {
            std::ifstream in(from, std::ios::binary);
            std::ofstream out(dst / rel, std::ios::binary);
            char buf[kBuffer];
            std::uintmax_t n = 0;
            while (in.read(buf, sizeof buf) || in.gcount() > 0) {
                write(out, buf, static_cast<std::size_t>(in.gcount()));
                n += static_cast<std::uintmax_t>(in.gcount());
            }
            std::lock_guard<std::mutex> lock(m);
            ++report.files_copied;
            report.bytes_copied += n;
        }));
    }
    for (auto& f : done) {
        try { f.get(); } catch (const std::exception& ex) {
            std::lock_guard<std::mutex> lock(m);
            report.errors.push_back(std::string("copy failed: ") + ex.what());
        }
    }
    pool.close();
    pool.join();
    return report;
}

}  // namespace pool_copy
)SRC";

const char* kCleanPipes = R"SRC(#include "pipes.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace pipes {

static void write_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw std::system_error(errno, std::generic_category(), "write");
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

void Connection::send(std::string_view message) {
    std::signal(SIGPIPE, SIG_IGN);  // a gone peer gives EPIPE, not death
    std::uint64_t len = message.size();
    write_all(out_, reinterpret_cast<const char*>(&len), sizeof len);
    write_all(out_, message.data(), message.size());
}

std::optional<std::string> Connection::recv() {
    std::uint64_t len = 0;
    std::size_t got = 0;
    while (got < sizeof len) {
        ssize_t r = ::read(in_, reinterpret_cast<char*>(&len) + got, sizeof len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && got == 0) return std::nullopt;
        if (r <= 0) throw std::runtime_error("truncated frame");
        got += static_cast<std::size_t>(r);
    }
    std::string s(len, '\0');
    for (std::size_t off = 0; off < len;) {
        ssize_t r = ::read(in_, s.data() + off, len - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) throw std::runtime_error("truncated frame");
        off += static_cast<std::size_t>(r);
    }
    return s;
}

void Connection::close() noexcept {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0 && out_ != in_) ::close(out_);
    in_ = out_ = -1;
}

Child spawn(std::function<int(Connection&)> body) {
    auto [parent, child] = make_pipe();
    pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        parent.close();
        int code = body(child);
        child.close();
        _exit(code);  // never run the parent's atexit handlers twice
    }
    child.close();
    return Child(pid, std::move(parent));
}

int Child::wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace pipes
)SRC";

const char* kCleanRoundRobin = R"SRC(#include "round_robin.hpp"

#include <algorithm>
#include <coroutine>
#include <deque>
#include <exception>
#include <new>

namespace round_robin {

struct Task::promise_type {
    std::string name;
    int need = 0, slice = 0;
    std::exception_ptr error;
    // frames come from here (counted in tests); a member operator new is allowed
    static void* operator new(std::size_t n) { return ::operator new(n); }
    static void operator delete(void* p) noexcept { ::operator delete(p); }
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int remaining) noexcept { need = remaining; return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
};

Task::~Task() { if (h_) h_.destroy(); }

void Task::resume(int slice) {
    h_.promise().slice = slice;
    h_.resume();
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
}

Task countdown(std::string name, int need, std::ostream& log) {
    co_yield need;
    while (true) {
        need -= co_await next_slice{};
        log << name << " need: " << std::max(need, 0) << '\n';
        if (need <= 0) { log << name << " finished\n"; co_return; }
        co_yield need;
    }
}

std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log) {
    std::deque<Task> queue(std::make_move_iterator(tasks.begin()), std::make_move_iterator(tasks.end()));
    std::vector<std::string> finished;
    while (!queue.empty()) {
        Task t = std::move(queue.front());
        queue.pop_front();
        t.resume(1);
        if (t.done()) finished.push_back(t.name()); else queue.push_back(std::move(t));
    }
    log << "All finished!\n";
    return finished;
}

}  // namespace round_robin
)SRC";

const char* kCleanUdp = R"SRC(#include "udp_chat.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace udp_chat {

Endpoint::Endpoint(std::uint16_t port, const std::string& host) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
}

std::optional<Datagram> Endpoint::receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::string buf(65536, '\0');
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    return Datagram{buf, host, ntohs(from.sin_port)};
}

int run_chat(int argc, char** argv, std::istream& in, std::ostream& out) {
    Endpoint ep(0);
    std::mutex out_mutex;
    std::atomic<bool> stop{false};
    std::thread rx([&] {
        while (!stop.load()) {
            if (auto d = ep.receive(std::chrono::milliseconds(50))) {
                std::lock_guard<std::mutex> lock(out_mutex);
                out << "[" << d->host << ":" << d->port << "] " << d->text << "\n";
            }
        }
    });
    for (std::string line; std::getline(in, line) && line != "/quit";) ep.send_to("127.0.0.1", 4000, line);
    stop = true;
    rx.join();
    (void)argc; (void)argv;
    return 0;
}

}  // namespace udp_chat
)SRC";

const char* kCleanHeader = R"SRC(#pragma once
// counter.hpp: the public API (exercises/counter/README.md)
#include <atomic>

namespace counter {

class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;
private:
    std::atomic<long> value_{0};
};

long count_with_threads(int threads, long per_thread);

class TicketOffice {
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;
    int remaining() const noexcept;
private:
    std::atomic<int> left_;
};

}  // namespace counter
)SRC";

TEST(Tamper, ReferenceLikeSolutionsAreClean) {
    for (const char* src : {kCleanCounter, kCleanPool, kCleanPipes, kCleanRoundRobin, kCleanUdp, kCleanHeader}) {
        auto hits = scan_for_tampering(src);
        EXPECT_TRUE(hits.empty()) << all(hits) << "in:\n" << std::string(src).substr(0, 200);
    }
}

TEST(Tamper, EmptyAndOddInputs) {
    EXPECT_TRUE(scan_for_tampering("").empty());
    EXPECT_TRUE(scan_for_tampering("\"unterminated string\nint x;\n/* unterminated comment").empty());
    EXPECT_TRUE(scan_for_tampering(std::string(100000, '{') + std::string(100000, '}')).empty());
    // CRLF line ends still give the right line
    auto hits = scan_for_tampering("int a;\r\nint b;\r\n__tsan_acquire(&a);\r\n");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].line, 3);
}

}  // namespace
}  // namespace conclab

TEST(TamperMacroInclude, IncludeByMacroIsCaught) {
    auto hits = conclab::scan_for_tampering("#define P \"/home/ta/course/reference/counter/counter.cpp\"\n#include P\n");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].line, 2);
    EXPECT_NE(hits[0].what.find("macro"), std::string::npos);
    EXPECT_TRUE(conclab::scan_for_tampering("#include <vector>\n#include \"counter.hpp\"\n").empty());
}
