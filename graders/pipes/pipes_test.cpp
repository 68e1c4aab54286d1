// Grader for the `pipes` exercise (exercises/pipes/README.md; docs/design.md, "Exercises").
//
// One source, two builds (see exercise.yaml):
//   tsan  this file alone, ThreadSanitizer;
//   shim  this file + rw_shim.cpp, linked with -Wl,--wrap=read,--wrap=write so
//         that the student's read()/write() calls go through the grader's
//         wrappers (1-3 bytes per call, or injected EINTR), and with
//         fork_shim.cpp (--wrap=fork,vfork,_Fork: fork() can be made to fail
//         with EAGAIN). The PipesShim tests only run in that build.
// Both are linked with -Wl,--wrap=waitpid: see __wrap_waitpid below.
//
// Every test runs its body in a *probe*: a process forked from the test
// process (which is single-threaded: GoogleTest runs tests on the main thread,
// and TSan only supports fork from a single-threaded process). The probe has
// its own process group; the test process watches it with a watchdog: when
// the probe and all its children have been blocked for kIdleLimit seconds in a
// row, nothing can ever wake them (a hang); kHardLimit ends a busy loop. A
// slow but correct run on a loaded machine is runnable, not blocked, so it is
// never mistaken for a hang. This turns the typical failures of this exercise
// into clear messages instead of a dead or hung grader:
//   - a missing close() of an unused pipe end makes recv() wait for an EOF
//     that never comes: the probe is killed after kIdleLimit and the message
//     says what it was waiting for (set_stage());
//   - death by SIGPIPE kills only the probe, and is reported as such;
//   - children the student left behind are swept with the probe's group.
// Child bodies passed to spawn() never throw (guarded()) and report what they
// saw through shared memory (child_report()), because the child's only other
// channel is the very pipe under test.
#include "pipes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <stdio_ext.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "kit/kit.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <fstream>
#include <functional>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <source_location>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <typeinfo>
#include <vector>

// Provided by rw_shim.cpp in the `shim` build only (weak: null elsewhere).
extern "C" __attribute__((weak)) void conclab_shim_set_mode(int mode, std::uint64_t seed);
extern "C" __attribute__((weak)) long conclab_shim_count(int what);
// Provided by fork_shim.cpp in the `shim` build only (weak: null elsewhere).
extern "C" __attribute__((weak)) void conclab_fork_fault_arm(int err);
extern "C" __attribute__((weak)) long conclab_fork_fault_count();

namespace {

using pipes::Connection;
using Clock = std::chrono::steady_clock;

// Whoever started us may have ignored or blocked SIGPIPE (graders often do, and
// both are inherited through exec); then a submission that does not handle
// SIGPIPE would never be caught. Restore the default before any other static
// initialiser runs (priority 101 runs before default-priority constructors),
// so a submission that ignores SIGPIPE in its own static initialiser still may.
__attribute__((constructor(101))) void restore_default_sigpipe() {
    std::signal(SIGPIPE, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

// --------------------------------------------------- readable descriptions

std::string show_opt(const std::optional<std::string>& m) {
    return m ? kit::printable(*m, 32) : std::string("std::nullopt (EOF)");
}

// What is wrong with `got` when `expected` was sent; "" when they are equal.
std::string mismatch(const std::string& expected, const std::optional<std::string>& got) {
    if (got && *got == expected) return "";
    std::ostringstream os;
    os << "expected " << expected.size() << " bytes " << kit::printable(expected, 32) << ", ";
    if (!got) {
        os << "but recv() returned std::nullopt (EOF) before it";
        return os.str();
    }
    os << "got " << got->size() << " bytes " << kit::printable(*got, 32);
    if (expected.empty()) {
        os << " -- the empty message was lost: send(\"\") must still send a frame (a length of 0), and "
              "recv() then returns \"\"";
    } else if (got->empty()) {
        os << " -- an empty message that was never sent: a message was split in two, or a frame was misread";
    } else if (got->size() < expected.size() && expected.compare(0, got->size(), *got) == 0) {
        os << " -- only its first " << got->size()
           << " bytes: the message arrived cut short. One read() returns at most what the pipe holds at that "
              "moment, so recv() must keep reading until the whole frame is there";
    } else if (got->size() > expected.size() && got->compare(0, expected.size(), expected) == 0) {
        os << " -- the message plus " << (got->size() - expected.size())
           << " more bytes: messages merged, so the receiver cannot see where one ends";
    } else if (got->size() == expected.size()) {
        std::size_t i = 0;
        while (i < expected.size() && (*got)[i] == expected[i]) ++i;
        os << " -- same length, first difference at byte " << i;
    }
    return os.str();
}

// ---------------------------------------------------------- the watchdog

constexpr double kIdleLimit = 2.0;    // s with every process of the test blocked: a hang
// A loop that never ends: the slowest test body of the reference takes 0.9 s
// (short_reads_and_writes, 1-3 bytes per call under TSan), so 5 s leaves a
// correct solution room on a loaded machine; it was 12 s, and a read loop
// that ignores EOF cost 48 s of every grading (docs/notes.md, "Pipes: how long
// a busy loop may run"). exercise.yaml pins each test at 8 s, above it.
constexpr double kHardLimit = 5.0;

// --------------------------------------------------------------- the probe

struct Shared {                 // one page shared by the test process, the probe and its children
    char stage[1024];
    char if_stuck[1024];
    char child_report[2048];
    char child_stage[512];
    char message[8192];
    char stray[512];
    char failed_file[256];       // where the probe's check failed (fail() below)
    int failed_line;
};
Shared* g_shared = nullptr;
pid_t g_probe_pid = 0;

void copy_to(char* dst, std::size_t cap, std::string_view s) {
    std::size_t n = std::min(s.size(), cap - 1);
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

// Says what the probe is doing now, and what it means if it never finishes.
void set_stage(std::string_view what, std::string_view if_stuck = "") {
    copy_to(g_shared->stage, sizeof g_shared->stage, what);
    copy_to(g_shared->if_stuck, sizeof g_shared->if_stuck, if_stuck);
}

std::string stage() { return g_shared->stage; }

// Called in a spawned child: what it saw, for the parent's failure message.
void child_report(std::string_view what) {
    copy_to(g_shared->child_report, sizeof g_shared->child_report, what);
}

// Called in a spawned child: what it is doing now (shown if the test times out).
void set_child_stage(const std::string& what) {
    copy_to(g_shared->child_stage, sizeof g_shared->child_stage, what);
}

std::string child_said() {
    std::string r = g_shared->child_report;
    return r.empty() ? std::string() : " The child reported: " + r;
}


struct ProbeFailure {
    std::string what;
    std::source_location at;
};

// The failure is reported at the line of the check that failed (the test
// process reports it with ADD_FAILURE_AT), not at the line of the test
// process that passes the probe's message on.
[[noreturn]] void fail(std::string what, std::source_location at = std::source_location::current()) {
    throw ProbeFailure{std::move(what), at};
}

// A failure seen by the parent; what the child saw first, if it reported
// anything (it usually saw the first thing that went wrong).
[[noreturn]] void fail_exchange(const std::string& parent_saw,
                                std::source_location at = std::source_location::current()) {
    std::string r = g_shared->child_report;
    if (r.empty()) fail(parent_saw, at);
    fail("The child reported: " + r + ". (Then the parent saw: " + parent_saw + ")", at);
}

// Tests about framing are not about SIGPIPE (send_to_an_exited_child_throws
// is): when the child stops reading after a bad message, the parent's next
// send() must fail with EPIPE and show the child's report, not die.
void ignore_sigpipe_in_this_test() { signal(SIGPIPE, SIG_IGN); }

#define PROBE_CHECK(cond, msg)              \
    do {                                    \
        if (!(cond)) {                      \
            std::ostringstream probe_os_;   \
            probe_os_ << msg;               \
            fail(probe_os_.str());          \
        }                                   \
    } while (0)

std::string type_name(const std::type_info& t) {
    int status = 0;
    char* name = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : t.name();
    std::free(name);
    return out;
}

// Child bodies go through this: an exception in the child becomes exit code 99
// and a report, instead of unwinding into whatever the submission's spawn() does.
std::function<int(Connection&)> guarded(std::function<int(Connection&)> body) {
    return [body = std::move(body)](Connection& c) -> int {
        try {
            return body(c);
        } catch (const std::exception& e) {
            child_report("the child's " + type_name(typeid(e)) + ": " + e.what());
        } catch (...) {
            child_report("the child caught an unknown exception");
        }
        return 99;
    };
}

// Set by the run_demo test in its probe: see __wrap_waitpid.
bool g_let_child_exit_before_nohang_wait = false;

// Runs `body` in a forked probe, under the watchdog, and turns whatever
// happens to it into GoogleTest failures with plain-words messages.
void run_probe(const std::function<void()>& body) {
    kit::seed();
    void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED) << "grader error: mmap: " << std::strerror(errno);
    g_shared = new (mem) Shared{};
    set_stage("starting");

    std::fflush(nullptr);       // nothing buffered may be written twice
    const pid_t tester = getpid();
    const pid_t pid = fork();
    ASSERT_NE(pid, -1) << "grader error: fork: " << std::strerror(errno);

    if (pid == 0) {             // ---- the probe
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != tester) _exit(70);
        // fds 0-2 open, so that pipe() never hands them out (rw_shim.cpp leaves them alone)
        for (int fd = 0; fd <= 2; ++fd) {
            if (fcntl(fd, F_GETFD) == -1) open("/dev/null", O_RDWR);
        }
        g_probe_pid = getpid();
        int code = 0;
        std::string msg;
        try {
            body();
        } catch (const ProbeFailure& f) {
            msg = f.what;
            copy_to(g_shared->failed_file, sizeof g_shared->failed_file, f.at.file_name());
            g_shared->failed_line = static_cast<int>(f.at.line());
            code = 1;
        } catch (const std::exception& e) {
            msg = "While " + stage() + ": unexpected exception " + type_name(typeid(e)) + ": " + e.what();
            code = 2;
        } catch (...) {
            msg = "While " + stage() + ": unexpected exception of unknown type";
            code = 2;
        }
        if (getpid() != g_probe_pid) {
            // A child created by spawn() ran the caller's code after body(): it
            // returned from spawn() instead of exiting.
            copy_to(g_shared->stray, sizeof g_shared->stray, "stray");
            _exit(77);
        }
        copy_to(g_shared->message, sizeof g_shared->message, msg);
        std::fflush(nullptr);
        _exit(code);
    }

    // ---- the test process: wait for the probe while the watchdog allows
    setpgid(pid, pid);          // also done by the probe; whichever runs first
    const kit::Watched outcome = kit::watch(pid, std::chrono::duration<double>(kIdleLimit),
                                            std::chrono::duration<double>(kHardLimit));
    const bool hung = outcome == kit::Watched::hung;
    const bool too_long = outcome == kit::Watched::too_long;
    // The probe's process group: the probe if it still runs, and any child the
    // submission left behind (the probe is not reaped yet, so its group id
    // cannot have been reused).
    kill(-pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) == -1 && errno == EINTR) {
    }

    const std::string where = g_shared->stage;
    const std::string if_stuck = g_shared->if_stuck;
    const std::string child_stage = g_shared->child_stage;
    if (g_shared->stray[0]) {
        ADD_FAILURE() << "A child process created by spawn() returned into the caller's code (it ran the rest of "
                         "the test as if it were the parent). After body() returns, the child must end with "
                         "_exit(code); it must never return from spawn().";
    }
    if (hung || too_long) {
        std::ostringstream os;
        if (hung) {
            os << "Stuck: for " << kIdleLimit << " s every process of this test was blocked, waiting for "
               << "something that could never happen, while " << where << ".";
            if (!if_stuck.empty()) os << " " << if_stuck;
        } else {
            os << "Timed out after " << kHardLimit << " s while " << where
               << ", with the processes still running rather than blocked: a loop that never ends? (A read() "
                  "loop must stop when read() returns 0: that is EOF, and reading again returns 0 forever.)";
        }
        if (!child_stage.empty()) os << " Meanwhile the child was " << child_stage << ".";
        ADD_FAILURE() << os.str();
    } else if (WIFSIGNALED(st)) {
        const int sig = WTERMSIG(st);
        if (sig == SIGPIPE) {
            ADD_FAILURE() << "The process was killed by SIGPIPE while " << where
                          << ". Writing to a pipe whose read end is closed everywhere raises SIGPIPE, whose "
                             "default action kills the process. Block or ignore SIGPIPE (signal(7), "
                             "pthread_sigmask(3)) so that write() fails with EPIPE, and throw std::system_error.";
        } else {
            ADD_FAILURE() << "The process was killed by signal " << sig << " (" << strsignal(sig) << ") while "
                          << where << ".";
        }
    } else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
        const int code = WEXITSTATUS(st);
        if (code == 1 && g_shared->failed_line > 0) {
            ADD_FAILURE_AT(g_shared->failed_file, g_shared->failed_line) << g_shared->message;
        } else if (code == 1 || code == 2) {
            ADD_FAILURE() << g_shared->message;
        } else if (code == 66) {
            ADD_FAILURE() << "ThreadSanitizer reported a problem while " << where << " (see its report).";
        } else if (code != 77) {
            ADD_FAILURE() << "The process exited with code " << code << " while " << where
                          << ": something called exit() where the caller expected a return or an exception.";
        }
    }
    munmap(mem, sizeof(Shared));
    g_shared = nullptr;
}

// ------------------------------------------------------------------ helpers

using kit::count_new_fds;
using kit::describe_new_fds;
using kit::open_fds;

// Waits until the child has ended (without reaping it), then calls wait().
// Every test except child_is_reaped uses this, so that a wait() which does not
// block (WNOHANG) fails there, deterministically, and not at random elsewhere.
// (It blocks in waitid() rather than polling, so that the watchdog sees a
// child that never ends as a hang.)
int wait_after_exit(pipes::Child& child) {
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR) {
    }
    return child.wait();
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::string s(n, '\0');
    std::size_t i = 0;
    while (i < n) {
        std::uint64_t v = rng();
        for (int k = 0; k < 8 && i < n; ++k, ++i) s[i] = static_cast<char>(v >> (8 * k));
    }
    return s;
}

// Small messages with the shapes that break naive framing first: empty ones,
// a lone '\n', a lone NUL byte, then random bytes of random length.
std::vector<std::string> small_messages(std::mt19937_64& rng, std::size_t count, std::size_t max_len) {
    std::vector<std::string> v = {"", "a", "\n", std::string(1, '\0'), "", "two\nlines\n", "x"};
    while (v.size() < count) {
        std::size_t len = rng() % 8 == 0 ? 0 : rng() % (max_len + 1);
        v.push_back(random_bytes(rng, len));
    }
    v.resize(count);
    return v;
}

void reap_quietly(pipes::Child& child) {
    child.connection().close();  // the parent hangs up first
    set_stage("waiting for the child to exit after an error (wait())",
              "The child never ended. (It was probably blocked waiting for a message or for EOF.)");
    wait_after_exit(child);
}

// Sends every message of `down` to a child, which checks each one; then the
// child sends every message of `up`, and the parent checks each one.
// Neither side echoes while the other writes, so a correct submission cannot
// deadlock on full pipes.
void exchange_messages(const std::vector<std::string>& down, const std::vector<std::string>& up) {
    ignore_sigpipe_in_this_test();
    const std::size_t nd = down.size();
    const std::size_t nu = up.size();
    auto child = pipes::spawn(guarded([&](Connection& c) {
        for (std::size_t i = 0; i < nd; ++i) {
            set_child_stage("waiting in recv() for message " + std::to_string(i) + " of " + std::to_string(nd) +
                            " (" + std::to_string(down[i].size()) + " bytes)");
            std::optional<std::string> m = c.recv();
            std::string bad = mismatch(down[i], m);
            if (!bad.empty()) {
                child_report("message " + std::to_string(i) + " of " + std::to_string(nd) +
                             " (parent -> child): " + bad);
                return 1;
            }
        }
        for (std::size_t i = 0; i < nu; ++i) {
            set_child_stage("sending message " + std::to_string(i) + " of " + std::to_string(nu) + " (" +
                            std::to_string(up[i].size()) + " bytes)");
            c.send(up[i]);
        }
        set_child_stage("done: it sent all its messages");
        return 0;
    }));

    for (std::size_t i = 0; i < nd; ++i) {
        set_stage("the parent sends message " + std::to_string(i) + " of " + std::to_string(nd) + " (" +
                      std::to_string(down[i].size()) + " bytes) to the child",
                  "send() blocked although the child was reading.");
        try {
            child.connection().send(down[i]);
        } catch (const std::system_error& e) {
            reap_quietly(child);
            fail_exchange("send() of message " + std::to_string(i) + " of " + std::to_string(nd) +
                          " (parent -> child) failed: " + e.what() + " -- the child had stopped reading.");
        }
    }
    for (std::size_t i = 0; i < nu; ++i) {
        set_stage("the parent receives message " + std::to_string(i) + " of " + std::to_string(nu) +
                      " from the child",
                  "recv() waited for bytes that never came: the messages were not delivered as sent (bytes "
                  "lost by a short write() that was not continued, messages merged, a misread header), or "
                  "EOF never arrived.");
        std::optional<std::string> m = child.connection().recv();
        std::string bad = mismatch(up[i], m);
        if (!bad.empty()) {
            reap_quietly(child);
            fail_exchange("message " + std::to_string(i) + " of " + std::to_string(nu) + " (child -> parent): " +
                          bad + ".");
        }
    }
    set_stage("waiting for the child to exit (wait())");
    int code = wait_after_exit(child);
    PROBE_CHECK(code == 0, "the child exited with " << code << " instead of 0." << child_said());
}

// ================================================================== the tests

}  // namespace

// run_demo() calls the student's wait(). A wait() that passes WNOHANG reaps the
// child only if the child happens to have exited already, so the run_demo
// test's "no child left unreaped" check would pass or fail by chance. In that
// test (and only there), a WNOHANG waitpid() on a child first lets the child
// end (up to 2 s, without reaping it), so the check is decided by run_demo()
// alone; a wait() that does not block is failed, every time, by
// child_is_reaped. Linked with -Wl,--wrap=waitpid (exercise.yaml).
extern "C" pid_t __real_waitpid(pid_t pid, int* status, int options);
extern "C" pid_t __wrap_waitpid(pid_t pid, int* status, int options) {
    if (g_let_child_exit_before_nohang_wait && pid > 0 && (options & WNOHANG)) {
        for (int i = 0; i < 2000; ++i) {
            siginfo_t info{};
            if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == -1 || info.si_pid != 0)
                break;  // ended (still a zombie), or not our child: waitpid() says which
            usleep(1000);
        }
    }
    return __real_waitpid(pid, status, options);
}

// _exit(2) ends a process without writing what stdio still holds; that is
// why the statement asks the child to flush before it. ThreadSanitizer's
// _exit interceptor calls fflush(NULL) first (so that its own output is not
// lost), which would hide a missing flush: measured, a child that skipped it
// still had its line written. The student's _exit (linked with
// -Wl,--wrap=_exit, exercise.yaml) therefore throws away the bytes buffered
// in stdout and stderr, as the real _exit does, and then goes on to
// ThreadSanitizer's, which still finishes its race detection.
extern "C" [[noreturn]] void __real__exit(int status);
extern "C" [[noreturn]] void __wrap__exit(int status) {
    __fpurge(stdout);
    __fpurge(stderr);
    __real__exit(status);
}

namespace {

TEST(PipesDemo, run_demo_writes_one_line_to_its_stream) {
    run_probe([] {
        g_let_child_exit_before_nohang_wait = true;
        const std::set<int> before = open_fds();
        std::ostringstream out;
        set_stage("running run_demo(out)",
                  "run_demo() never returned: the parent or the child waits for a message or an EOF that "
                  "never comes.");
        const int code = pipes::run_demo(out);
        PROBE_CHECK(out.str() == "[42, None, 'hello']\n",
                    "run_demo(out) wrote " << kit::printable(out.str(), 80)
                                           << " to `out`; expected exactly \"[42, None, 'hello']\\n\" (the "
                                              "child's message and a newline, written to `out`, not to std::cout).");
        PROBE_CHECK(code == 0, "run_demo() returned " << code
                                                      << "; expected 0 (the child's exit code: it exits 0 when it "
                                                         "received exactly \"Hi\").");
        errno = 0;
        pid_t left = waitpid(-1, nullptr, WNOHANG);
        PROBE_CHECK(left == -1 && errno == ECHILD,
                    "after run_demo() returned, a child process was still unreaped: run_demo() must wait() for "
                    "its child.");
        const std::set<int> after = open_fds();
        PROBE_CHECK(after == before, "run_demo() left file descriptors open: " << describe_new_fds(before, after));
    });
}

TEST(PipesBasics, messages_round_trip_in_one_process) {
    run_probe([] {
        set_stage("sending and receiving small messages through make_pipe() in one process",
                  "recv() blocked although a message had been sent to it.");
        auto [a, b] = pipes::make_pipe();
        a.send("hello");
        std::string bad = mismatch("hello", b.recv());
        PROBE_CHECK(bad.empty(), "a.send(\"hello\") then b.recv(): " << bad);
        b.send("Hi");
        bad = mismatch("Hi", a.recv());
        PROBE_CHECK(bad.empty(), "b.send(\"Hi\") then a.recv() (the other direction): " << bad);

        const std::vector<std::string> three = {"", std::string("x\0y\n", 4), "third"};
        for (const auto& m : three) a.send(m);
        for (std::size_t i = 0; i < three.size(); ++i) {
            bad = mismatch(three[i], b.recv());
            PROBE_CHECK(bad.empty(), "after a.send() of \"\", \"x\\0y\\n\" and \"third\", b.recv() number "
                                         << i + 1 << ": " << bad << ".");
        }

        set_stage("b.recv() after a.close()",
                  "EOF never arrived: after a.close(), b.recv() must return std::nullopt. close() must close "
                  "both of a's file descriptors.");
        a.close();
        std::optional<std::string> eof = b.recv();
        PROBE_CHECK(!eof, "after a.close(), b.recv() returned " << show_opt(eof) << " instead of std::nullopt.");
        eof = b.recv();
        PROBE_CHECK(!eof, "a second b.recv() after EOF returned " << show_opt(eof) << " instead of std::nullopt.");

        set_stage("d.recv() after the connection c was moved into a local and destroyed",
                  "EOF never arrived: destroying a Connection must close its file descriptors.");
        auto [c, d] = pipes::make_pipe();
        c.send("bye");
        { Connection gone = std::move(c); }
        bad = mismatch("bye", d.recv());
        PROBE_CHECK(bad.empty(), "a message sent before the sender was destroyed: " << bad);
        eof = d.recv();
        PROBE_CHECK(!eof, "after the other end was destroyed, recv() returned " << show_opt(eof)
                                                                                << " instead of std::nullopt.");
    });
}

TEST(PipesEof, eof_when_the_child_exits) {
    run_probe([] {
        auto child = pipes::spawn(guarded([](Connection& c) {
            c.send("bye");
            return 0;
        }));
        set_stage("receiving the child's only message", "The child's message never arrived.");
        std::string bad = mismatch("bye", child.connection().recv());
        PROBE_CHECK(bad.empty(), "the child sent \"bye\": " << bad);
        set_stage("waiting in the parent's recv() for EOF after the child sent its only message and exited",
                  "EOF never arrived: did the parent close its copies of the child's pipe ends after fork()? "
                  "read() returns 0 only when every copy of the write end is closed, and after fork() the "
                  "parent holds a copy of the child's write end until it closes it.");
        std::optional<std::string> eof = child.connection().recv();
        PROBE_CHECK(!eof, "after the child exited, recv() returned " << show_opt(eof) << " instead of std::nullopt.");
        set_stage("waiting for the child to exit (wait())");
        int code = wait_after_exit(child);
        PROBE_CHECK(code == 0, "the child returned 0 but wait() said " << code << "." << child_said());
    });
}

// fork() copies the caller's stdio buffers into the child (docs/promises.md,
// pipes #8). Here "before fork" sits in stdout's buffer, not yet written, when
// spawn() is called, and the child's body prints a line of its own. Without a
// flush before fork() both processes write "before fork"; without a flush in
// the child before _exit(), the child's line is lost.
TEST(PipesFork, stdio_is_flushed_around_fork) {
    run_probe([] {
        const std::string path = "stdout-" + std::to_string(::getpid()) + ".txt";
        std::fflush(nullptr);
        const int saved = ::dup(1);
        const int file = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        PROBE_CHECK(saved >= 0 && file >= 0, "grader error: cannot redirect stdout: " << std::strerror(errno));
        ::dup2(file, 1);
        ::close(file);
        std::printf("before fork\n");   // stays in the buffer: stdout is not a terminal
        auto child = pipes::spawn(guarded([](Connection&) {
            std::printf("from the child\n");
            return 0;
        }));
        set_stage("waiting for a child that prints one line and returns 0 (wait())");
        const int code = wait_after_exit(child);
        std::fflush(stdout);
        ::dup2(saved, 1);
        ::close(saved);
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        const std::string got = text.str();
        std::remove(path.c_str());
        PROBE_CHECK(code == 0, "the child returned 0 but wait() said " << code << "." << child_said());
        auto count = [&got](const std::string& line) {
            std::size_t n = 0;
            for (std::size_t at = got.find(line); at != std::string::npos; at = got.find(line, at + 1)) ++n;
            return n;
        };
        PROBE_CHECK(count("before fork\n") == 1,
                    "the parent printed \"before fork\" once, before calling spawn(), and it came out "
                        << count("before fork\n")
                        << " times: fork() copied stdout's buffer (not yet written) into the child, and each "
                           "process wrote its copy. Flush before forking: std::fflush(nullptr) and "
                           "std::cout.flush().");
        PROBE_CHECK(count("from the child\n") == 1,
                    "the child's body printed \"from the child\" and returned, and the line never came out: "
                    "_exit() does not flush stdio's buffers. Flush in the child (std::fflush(nullptr), "
                    "std::cout.flush()) before _exit(code).");
    });
}

TEST(PipesEof, child_sees_eof_when_the_parent_closes) {
    run_probe([] {
        // The child adds up the bytes it receives until EOF (bytes, not
        // messages: this test is about EOF, not framing).
        auto child = pipes::spawn(guarded([](Connection& c) {
            int bytes = 0;
            while (std::optional<std::string> m = c.recv()) bytes += static_cast<int>(m->size());
            return bytes;
        }));
        set_stage("sending three messages to the child", "send() blocked although the child was reading.");
        for (const char* m : {"one", "two", "three"}) child.connection().send(m);
        child.connection().close();  // hang up
        set_stage("waiting for the child to see EOF and exit after the parent closed its end",
                  "EOF never arrived in the child: it still waits in recv() after the parent closed its end. "
                  "Did the child close its copies of the parent's pipe ends right after fork()? As long as the "
                  "child itself holds a copy of the write end it reads from, read() never returns 0.");
        int code = wait_after_exit(child);
        PROBE_CHECK(code == 11, "the child added up the bytes it received until EOF (3 + 3 + 5) and exited with "
                                "the sum: expected 11, wait() returned "
                                    << code << "." << child_said());
    });
}

TEST(PipesFraming, many_small_messages_keep_their_boundaries) {
    run_probe([] {
        std::mt19937_64 rng(kit::seed());
        auto down = small_messages(rng, 2000, 200);
        auto up = small_messages(rng, 2000, 200);
        exchange_messages(down, up);
    });
}

TEST(PipesFraming, one_mib_messages_both_ways) {
    run_probe([] {
        ignore_sigpipe_in_this_test();
        std::mt19937_64 rng(kit::seed() ^ 0x5eed);
        // The empty message comes last: a submission that loses it would wait
        // forever, and every other size has had its chance to fail clearly first.
        const std::vector<std::size_t> sizes = {1,      7,        8,              9,    4096, 65535, 65536,
                                                65537, 200000, 1u << 20, (1u << 20) + 3, 0};
        std::vector<std::string> data;
        for (std::size_t n : sizes) data.push_back(random_bytes(rng, n));
        const std::size_t count = data.size();

        // The child checks each message and sends it back; the parent sends the
        // next one only after the echo arrived.
        auto child = pipes::spawn(guarded([&](Connection& c) {
            for (std::size_t i = 0; i < count; ++i) {
                set_child_stage("waiting in recv() for the " + std::to_string(data[i].size()) + "-byte message");
                std::optional<std::string> m = c.recv();
                std::string bad = mismatch(data[i], m);
                if (!bad.empty()) {
                    child_report("message " + std::to_string(i) + " (" + std::to_string(data[i].size()) +
                                 " bytes, parent -> child): " + bad);
                    return 1;
                }
                set_child_stage("sending back the " + std::to_string(data[i].size()) + "-byte message");
                c.send(*m);
            }
            set_child_stage("done: it echoed every message");
            return 0;
        }));
        for (std::size_t i = 0; i < count; ++i) {
            const std::string size = std::to_string(data[i].size()) + "-byte message";
            set_stage("the parent sends a " + size + " to the child",
                      "send() blocked although the child was reading.");
            try {
                child.connection().send(data[i]);
            } catch (const std::system_error& e) {
                reap_quietly(child);
                fail_exchange("send() of a " + size + " failed: " + e.what() + " -- the child had stopped reading.");
            }
            set_stage("the parent waits for the child's echo of a " + size,
                      "The echo never arrived whole: recv() waits for bytes that were never sent, or the child "
                      "is stuck.");
            std::optional<std::string> echo = child.connection().recv();
            std::string bad = mismatch(data[i], echo);
            if (!bad.empty()) {
                reap_quietly(child);
                fail_exchange("echo of a " + size + " (child -> parent): " + bad + ".");
            }
        }
        set_stage("waiting for the child to exit (wait())");
        int code = wait_after_exit(child);
        PROBE_CHECK(code == 0, "the child exited with " << code << "." << child_said());
    });
}

TEST(PipesFraming, truncated_frame_throws) {
    run_probe([] {
        auto child = pipes::spawn(guarded([](Connection& c) {
            c.send("ready");
            c.send(std::string(1u << 20, 'x'));   // blocks: nobody reads it all
            return 0;
        }));
        set_stage("receiving the child's first message", "The child's first message never arrived.");
        std::string bad = mismatch("ready", child.connection().recv());
        PROBE_CHECK(bad.empty(), "the child's first message: " << bad);

        // Let the child fill the pipe with the start of its 1 MiB message and
        // block in write() (state S), then kill it: the frame stays cut short.
        set_stage("waiting for the child to block while sending 1 MiB");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto until = Clock::now() + std::chrono::seconds(2);
        while (kit::proc_state(child.pid()) != 'S' && Clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        kill(child.pid(), SIGKILL);
        set_stage("waiting for the killed child (wait())");
        wait_after_exit(child);

        set_stage("recv() of a message cut short by the sender's death",
                  "recv() never returned: EOF never arrived after the child was killed (does the parent still "
                  "hold a copy of the child's write end?).");
        try {
            std::optional<std::string> m = child.connection().recv();
            fail("the child was killed in the middle of sending a 1 MiB message, and recv() returned " +
                 (m ? std::to_string(m->size()) + " bytes" : std::string("std::nullopt")) +
                 "; it must throw std::runtime_error: a frame cut short by EOF is an error, not a message and "
                 "not a clean EOF.");
        } catch (const std::runtime_error&) {
            // expected (std::system_error is a std::runtime_error too)
        }

        // EOF inside the header: this child dies once 2 bytes of its message
        // are in the pipe (rw_shim.cpp, mode 4), so the frame is cut inside
        // the length header (or just after a 1-byte one), whatever the framing.
        PROBE_CHECK(conclab_shim_set_mode != nullptr,
                    "grader error: this test must run in the build linked with rw_shim.cpp.");
        auto cut = pipes::spawn(guarded([](Connection& c) {
            conclab_shim_set_mode(4, 2);   // this process is killed once it has written 2 bytes to a pipe
            c.send("never completed");
            return 0;
        }));
        set_stage("waiting for a child that dies 2 bytes into its message (wait())");
        const int code = wait_after_exit(cut);
        PROBE_CHECK(code == 128 + SIGKILL, "grader error: the child that sends 2 bytes of a message and dies ended "
                                           "with "
                                               << code << ", not 137 (killed): did send() write to its pipe?");
        set_stage("recv() of a message cut inside its header",
                  "recv() never returned: EOF never arrived after the child died (does the parent still hold a "
                  "copy of the child's write end?).");
        try {
            std::optional<std::string> m = cut.connection().recv();
            fail("the child died after writing the first 2 bytes of its message (inside the length header), and "
                 "recv() returned " +
                 (m ? std::to_string(m->size()) + " bytes" : std::string("std::nullopt")) +
                 "; it must throw std::runtime_error. std::nullopt means a clean EOF, which is only EOF exactly "
                 "between two frames: EOF after some bytes of a header is a frame cut short.");
        } catch (const std::runtime_error&) {
            // expected
        }
    });
}

// ---- the shim build

void require_shim() {
    PROBE_CHECK(conclab_shim_set_mode != nullptr,
                "grader error: this test must run in the build linked with rw_shim.cpp.");
}

void require_shim_used() {
    PROBE_CHECK(conclab_shim_count(0) > 0 && conclab_shim_count(1) > 0,
                "the grader's wrappers of read(2)/readv(2) and write(2)/writev(2) saw no calls ("
                    << conclab_shim_count(0) << " reads, " << conclab_shim_count(1)
                    << " writes): Connection must read and write its pipe fds with these calls.");
}

TEST(PipesShim, short_reads_and_writes) {
    run_probe([] {
        require_shim();
        std::mt19937_64 rng(kit::seed() ^ 0x5407);
        auto down = small_messages(rng, 300, 60);
        auto up = small_messages(rng, 300, 60);
        down.push_back(random_bytes(rng, 3000));
        up.push_back(random_bytes(rng, 3000));
        down.push_back(random_bytes(rng, 70000));   // more than the pipe holds
        up.push_back(random_bytes(rng, 70000));
        down.push_back("last");
        up.push_back("last");
        conclab_shim_set_mode(1, kit::seed());     // every read()/write() now moves 1-3 bytes
        exchange_messages(down, up);
        require_shim_used();
    });
}

TEST(PipesShim, interrupted_calls_are_retried) {
    run_probe([] {
        require_shim();
        std::mt19937_64 rng(kit::seed() ^ 0xe147);
        auto down = small_messages(rng, 300, 100);
        auto up = small_messages(rng, 300, 100);
        down.push_back(random_bytes(rng, 100000));
        up.push_back(random_bytes(rng, 100000));
        down.push_back("last");
        up.push_back("last");
        conclab_shim_set_mode(2, kit::seed());     // a third of the calls fail with EINTR
        exchange_messages(down, up);
        require_shim_used();
        PROBE_CHECK(conclab_shim_count(2) > 0, "grader error: no EINTR was injected.");
    });
}

// run_demo's child must check the answer, not exit 0 whatever it receives
// (docs/promises.md, pipes #25): in this process (the parent) every "Hi"
// written to a pipe goes out as "Ho" (rw_shim.cpp, mode 3), so a correct
// child receives "Ho" and exits 1, and run_demo returns that 1.
TEST(PipesShim, run_demo_child_checks_the_answer) {
    run_probe([] {
        require_shim();
        g_let_child_exit_before_nohang_wait = true;   // as in run_demo_writes_one_line_to_its_stream
        conclab_shim_set_mode(3, kit::seed());       // this process's "Hi" goes out as "Ho"
        std::ostringstream out;
        set_stage("running run_demo(out) while its \"Hi\" is sent as \"Ho\"",
                  "run_demo() never returned: the parent or the child waits for a message or an EOF that "
                  "never comes.");
        const int code = pipes::run_demo(out);
        const long rewritten = conclab_shim_count(3);
        conclab_shim_set_mode(0, 0);
        PROBE_CHECK(rewritten > 0,
                    "run_demo()'s parent never wrote \"Hi\" to the pipe with write(2) or writev(2), so the "
                    "grader could not change it (run_demo returned "
                        << code << "). The parent must send the message \"Hi\" with Connection::send().");
        PROBE_CHECK(code == 1, "the child was sent \"Ho\" instead of \"Hi\", so it must exit 1 and run_demo() "
                               "must return 1 (the child's wait()); it returned "
                                   << code << ". The child must exit 0 only if it received exactly \"Hi\".");
    });
}

TEST(PipesShim, spawn_fails_cleanly_when_fork_fails) {
    run_probe([] {
        PROBE_CHECK(conclab_fork_fault_arm != nullptr && conclab_fork_fault_count != nullptr,
                    "grader error: this test must run in the build linked with fork_shim.cpp.");
        const std::set<int> before = open_fds();
        bool body_ran = false;   // in this process: body() must never run here
        std::string wrong;       // what spawn() did instead of throwing std::system_error(EAGAIN)
        set_stage("calling spawn() while fork() fails with EAGAIN (the process limit is reached)",
                  "spawn() blocked although fork() had failed: it must throw std::system_error at once.");
        conclab_fork_fault_arm(EAGAIN);   // from here on every fork() fails, as at a process limit
        try {
            auto child = pipes::spawn([&body_ran](Connection&) {
                body_ran = true;
                set_stage("running the child's body() in the process that called spawn(), although fork() "
                          "had failed with EAGAIN and there is no child (fork() returns -1 on failure, "
                          "0 only in the child)");
                return 42;
            });
            wrong = "spawn() returned a Child (pid " + std::to_string(child.pid()) +
                    ") although fork() failed with EAGAIN: there is no child process. Check what fork() "
                    "returns: -1 means no child was created; throw std::system_error(errno, "
                    "std::generic_category()).";
        } catch (const std::system_error& e) {
            if (e.code().value() != EAGAIN)
                wrong = "spawn() threw std::system_error with code " + std::to_string(e.code().value()) +
                        " (\"" + e.what() + "\"), but fork() failed with EAGAIN (" + std::to_string(EAGAIN) +
                        "): build the exception from errno right after fork() fails, before a close() or "
                        "anything else can change errno (save it first).";
        } catch (const std::exception& e) {
            wrong = "spawn() threw " + type_name(typeid(e)) + " (\"" + e.what() +
                    "\") when fork() failed with EAGAIN; expected std::system_error with that errno.";
        }
        const long refused = conclab_fork_fault_count();
        conclab_fork_fault_arm(0);
        PROBE_CHECK(refused > 0, "the grader's wrappers of fork(2), vfork(2) and _Fork(3) saw no call, so the "
                                 "grader could not make fork() fail: spawn() must create the child with fork().");
        PROBE_CHECK(!body_ran, "spawn() called body() in the process that called it, although fork() had failed "
                               "with EAGAIN and there is no child. fork() returns -1 on failure and 0 only in "
                               "the child: test pid == 0 for the child, pid == -1 for the error.");
        if (!wrong.empty()) fail(wrong);

        const std::set<int> after = open_fds();
        PROBE_CHECK(count_new_fds(before, after) == 0,
                    "after spawn() failed (fork() returned -1 with EAGAIN) these file descriptors are still "
                    "open: " << describe_new_fds(before, after)
                             << ". spawn() created the pipes before fork(); when fork() fails it must close "
                                "them before throwing (Connection objects that close their fds in their "
                                "destructor do it for you). Read close(2) and fork(2) (RETURN VALUE).");
        int st = 0;
        const pid_t extra = waitpid(-1, &st, WNOHANG);
        PROBE_CHECK(extra == -1 && errno == ECHILD,
                    "after spawn() failed, this process has a child process"
                        << (extra > 0 ? " (pid " + std::to_string(extra) + ")" : std::string())
                        << ": spawn() must not create one when fork() fails (and must not retry fork() "
                           "behind the caller's back).");

        // spawn() works again once fork() does: the failure left nothing broken.
        set_stage("spawning a child after fork() works again",
                  "the child's message never arrived after an earlier spawn() had failed.");
        auto child = pipes::spawn(guarded([](Connection& c) {
            c.send("fork works again");
            return 7;
        }));
        std::string bad = mismatch("fork works again", child.connection().recv());
        PROBE_CHECK(bad.empty(), "after one spawn() failed, a second spawn()'s child: " << bad << child_said());
        set_stage("waiting for that child (wait())");
        const int code = child.wait();
        PROBE_CHECK(code == 7, "the child returned 7 but wait() said " << code << "." << child_said());
    });
}

// ---- errors and processes

void expect_epipe(const std::function<void()>& send, const std::string& what) {
    try {
        send();
    } catch (const std::system_error& e) {
        PROBE_CHECK(e.code().value() == EPIPE,
                    what << ": send() threw std::system_error with code " << e.code().value() << " (\""
                         << e.what() << "\"); expected EPIPE (" << EPIPE << ", broken pipe).");
        return;
    } catch (const std::exception& e) {
        fail(what + ": send() threw " + type_name(typeid(e)) + " (\"" + e.what() +
             "\"); expected std::system_error with code EPIPE.");
    }
    fail(what + ": send() returned normally; expected std::system_error with code EPIPE. If the child is gone "
                "and send() still succeeds, either someone still holds the pipe's read end (does the parent keep "
                "a copy of the child's ends?), or send() stopped after a write() that wrote only part of the "
                "frame (the reader went away in the middle) instead of calling write() again for the rest.");
}

TEST(PipesErrors, send_to_an_exited_child_throws) {
    run_probe([] {
        auto child = pipes::spawn(guarded([](Connection&) { return 0; }));
        set_stage("waiting for a child that exits at once (wait())");
        int code = wait_after_exit(child);
        PROBE_CHECK(code == 0, "the child returned 0 but wait() said " << code << ".");
        set_stage("sending \"hello\" to a child that has exited",
                  "send() blocked: nobody will ever read, so write() should have failed with EPIPE.");
        expect_epipe([&] { child.connection().send("hello"); }, "sending \"hello\" to a child that has exited");
        set_stage("sending again to a child that has exited",
                  "send() blocked: nobody will ever read, so write() should have failed with EPIPE.");
        expect_epipe([&] { child.connection().send(std::string(100000, 'z')); },
                     "sending again (100000 bytes) to a child that has exited");

        // The child ends while the parent is in the middle of a 1 MiB message:
        // it waits until the parent is blocked (in write(), the pipe full),
        // then exits. A write() cut short like this returns the bytes it wrote
        // so far, and only the next write() fails with EPIPE.
        auto child2 = pipes::spawn(guarded([](Connection&) {
            const pid_t parent = getppid();
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            const auto until = Clock::now() + std::chrono::seconds(2);
            while (kit::proc_state(parent) != 'S' && Clock::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            return 0;
        }));
        set_stage("sending 1 MiB to a child that exits without reading",
                  "send() blocked: the child exited without reading, so write() should have failed with EPIPE.");
        expect_epipe([&] { child2.connection().send(std::string(1u << 20, 'q')); },
                     "sending 1 MiB to a child that exits without reading");
        set_stage("waiting for the second child (wait())");
        wait_after_exit(child2);

        set_stage("using a new pipe after the EPIPE errors",
                  "a new pipe did not work after the EPIPE errors.");
        auto [a, b] = pipes::make_pipe();
        a.send("still alive");
        std::string bad = mismatch("still alive", b.recv());
        PROBE_CHECK(bad.empty(), "after the EPIPE errors, a new pipe: " << bad);
    });
}

TEST(PipesProcesses, wait_reports_exit_codes_and_signals) {
    run_probe([] {
        struct Case {
            const char* body;
            std::function<int(Connection&)> fn;
            int expected;
        };
        const std::vector<Case> cases = {
            {"returns 0", [](Connection&) { return 0; }, 0},
            {"returns 3", [](Connection&) { return 3; }, 3},
            {"returns 42", [](Connection&) { return 42; }, 42},
            {"returns 255", [](Connection&) { return 255; }, 255},
            {"calls _exit(7)", [](Connection&) -> int { _exit(7); }, 7},
            {"is killed by SIGTERM", [](Connection&) { kill(getpid(), SIGTERM); pause(); return 0; }, 128 + SIGTERM},
            {"is killed by SIGKILL", [](Connection&) { kill(getpid(), SIGKILL); pause(); return 0; }, 128 + SIGKILL},
        };
        for (const Case& c : cases) {
            set_stage(std::string("spawning and waiting for a child that ") + c.body,
                      "wait() never returned.");
            auto child = pipes::spawn(c.fn);
            PROBE_CHECK(child.pid() > 0 && child.pid() != getpid(),
                        "pid() returned " << child.pid() << ": expected the child's process id.");
            const int got = wait_after_exit(child);
            std::string why;
            if (got == c.expected << 8 && c.expected < 128) {
                why = " That is the raw status from waitpid(): decode it with WIFEXITED/WEXITSTATUS.";
            } else if (c.expected > 128 && got == c.expected - 128) {
                why = " That is the bare signal number: the statement asks for 128 + signal number.";
            } else if (c.expected > 128) {
                why = " For a child killed by a signal, WEXITSTATUS is meaningless: check WIFSIGNALED and "
                      "return 128 + WTERMSIG(status).";
            }
            PROBE_CHECK(got == c.expected, "a child that " << c.body << ": wait() returned " << got
                                                           << ", expected " << c.expected << "." << why);
        }
    });
}

TEST(PipesProcesses, child_is_reaped) {
    run_probe([] {
        auto child = pipes::spawn(guarded([](Connection&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            return 5;
        }));
        const pid_t pid = child.pid();
        set_stage("waiting for a child that sleeps 200 ms and returns 5 (wait())", "wait() never returned.");
        const int code = child.wait();
        const char state = kit::proc_state(pid);
        if (state != 0 && state != 'Z') {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            fail("wait() returned " + std::to_string(code) +
                 " while the child was still running: wait() must block until the child has exited "
                 "(waitpid() without WNOHANG).");
        }
        PROBE_CHECK(state != 'Z', "after wait() returned, the child is a zombie (state Z in /proc/"
                                      << pid << "/stat): wait() must reap it with waitpid(); waitid() with "
                                         "WNOWAIT, for example, leaves it in the process table.");
        errno = 0;
        const pid_t again = waitpid(pid, nullptr, WNOHANG);
        PROBE_CHECK(again == -1 && errno == ECHILD,
                    "after wait() returned, the child was still waitable: wait() did not reap it.");
        // (What wait() returns is wait_reports_exit_codes_and_signals' business.)
    });
}

TEST(PipesResources, no_fd_leaks) {
    run_probe([] {
        set_stage("counting file descriptors around make_pipe(), moves and spawn()",
                  "an operation blocked that should not have.");
        const std::set<int> base = open_fds();
        auto leaked = [&](const std::string& after) {
            const std::set<int> now = open_fds();
            PROBE_CHECK(now == base, "after " << after << ", file descriptors are still open: "
                                              << describe_new_fds(base, now) << ".");
        };

        std::size_t per_pair = 0;
        {
            auto [a, b] = pipes::make_pipe();
            per_pair = count_new_fds(base, open_fds());
            PROBE_CHECK(per_pair >= 2, "make_pipe() opened " << per_pair << " file descriptors; a duplex pipe "
                                                                "needs two pipe(2)s.");
        }
        leaked("make_pipe() and destroying both ends");
        const std::size_t per_end = per_pair / 2;

        {
            auto [a, b] = pipes::make_pipe();
            Connection c(std::move(a));     // move construction
            Connection d;
            d = std::move(b);               // move assignment into an empty Connection
            c.send("m");
            std::string bad = mismatch("m", d.recv());
            PROBE_CHECK(bad.empty(), "after moving both ends, a message: " << bad);
            auto [e, f] = pipes::make_pipe();
            d = std::move(e);               // move assignment over a live Connection: its old fds must close
            const std::size_t live = count_new_fds(base, open_fds());
            PROBE_CHECK(live == 3 * per_end,
                        "after `d = std::move(e);` over a live Connection d, "
                            << live << " file descriptors are open, expected " << 3 * per_end
                            << ": move assignment must close the fds d held before.");
        }
        leaked("moving connections around (move construction and move assignment) and destroying them");

        {
            auto [a, b] = pipes::make_pipe();
            a.close();
            a.close();                      // a second close() is harmless
            int raw[2];
            PROBE_CHECK(pipe(raw) == 0, "grader error: pipe()");
            // raw[] very likely reuses a's old numbers: a's destructor must not close them.
            { Connection gone = std::move(a); }
            const bool still_open = fcntl(raw[0], F_GETFD) != -1 && fcntl(raw[1], F_GETFD) != -1;
            ::close(raw[0]);
            ::close(raw[1]);
            PROBE_CHECK(still_open, "a Connection closed file descriptors it no longer owned (after close(), or "
                                    "after being moved from, it must forget its fds: set them to -1).");
            b.close();
        }
        leaked("close() on both ends");

        {
            auto child = pipes::spawn(guarded([&](Connection& c) {
                const std::set<int> now = open_fds();
                c.send(std::to_string(count_new_fds(base, now)) + " " + describe_new_fds(base, now));
                return 0;
            }));
            const std::set<int> parent_now = open_fds();
            const std::size_t parent_extra = count_new_fds(base, parent_now);
            set_stage("receiving the child's fd count", "The child's message never arrived.");
            std::optional<std::string> report = child.connection().recv();
            PROBE_CHECK(report, "the child's fd count never arrived (recv() returned std::nullopt).");
            const std::size_t child_extra = std::stoul(*report);
            PROBE_CHECK(parent_extra <= per_end,
                        "after spawn() the parent holds " << parent_extra << " new file descriptors ("
                                                          << describe_new_fds(base, parent_now) << "), but its end "
                                                          << "needs only " << per_end
                                                          << ": the parent must close the child's ends.");
            PROBE_CHECK(child_extra <= per_end,
                        "in the child, " << child_extra << " new file descriptors are open ("
                                         << report->substr(report->find(' ') + 1) << "), but its end needs only "
                                         << per_end << ": the child must close the parent's ends.");
            set_stage("waiting for the child to exit (wait())");
            wait_after_exit(child);
        }
        leaked("spawn(), wait() and destroying the Child");
    });
}

}  // namespace
