// The runner (sandbox.hpp / run.hpp) against hostile and ordinary programs, in
// every tier this machine offers: cgroup+bwrap (root), bwrap (user
// namespaces), bare (always). A tier that is not available is skipped; bare
// only gets the assertions bare can keep (no filesystem or network claims).
//
// The programs are one small C helper compiled once into a temporary
// directory (mode 0755: tiers b/c as root run it as uid 65534).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "conclab/build.hpp"
#include "conclab/grade.hpp"
#include "conclab/run.hpp"
#include "conclab/sandbox.hpp"
#include "run_internal.hpp"   // the engine under the tiers (harness/src): CaptureBuffer, execute

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using conclab::RunResult;
using conclab::RunSpec;
using conclab::Runner;
using conclab::Tier;

namespace {

const char* kHelperSource = R"C(
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int udp_to(const char* ip, int port, const char* msg) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, ip, &a.sin_addr);
    int r = sendto(s, msg, strlen(msg), 0, (struct sockaddr*)&a, sizeof a);
    int e = errno; close(s);
    return r < 0 ? e : 0;
}

int main(int argc, char** argv) {
    const char* m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "exit")) return atoi(argv[2]);
    if (!strcmp(m, "signal")) { signal(atoi(argv[2]), SIG_DFL); raise(atoi(argv[2])); return 0; }
    if (!strcmp(m, "cat")) {
        char b[65536]; ssize_t n;
        while ((n = read(0, b, sizeof b)) > 0) if (write(1, b, n) != n) return 2;
        return 0;
    }
    if (!strcmp(m, "flood")) {  /* flood BYTES [fd]: BEGIN\n, x..., END\n */
        long long n = atoll(argv[2]); int fd = argc > 3 ? atoi(argv[3]) : 1;
        static char b[1 << 16]; memset(b, 'x', sizeof b);
        write(fd, "BEGIN\n", 6);
        for (long long left = n - 10; left > 0;) {
            ssize_t w = write(fd, b, left < (long long)sizeof b ? left : (long long)sizeof b);
            if (w <= 0) return 3; left -= w;
        }
        write(fd, "END\n", 4);
        return 0;
    }
    if (!strcmp(m, "forkbomb")) { for (;;) fork(); }
    if (!strcmp(m, "hog")) {  /* hog MB: touch memory in 16 MiB steps, then sleep */
        long mb = atol(argv[2]);
        for (long i = 0; i < mb; i += 16) { char* p = malloc(16 << 20); if (!p) return 4; memset(p, 1, 16 << 20); }
        printf("survived\n"); fflush(stdout); sleep(100); return 0;
    }
    if (!strcmp(m, "grow")) {  /* grow MB: touch MB MiB every 100 ms, forever */
        long mb = atol(argv[2]);
        for (;;) { char* p = malloc(mb << 20); if (!p) return 4; memset(p, 1, mb << 20); usleep(100000); }
    }
    if (!strcmp(m, "spin")) { volatile unsigned long x = 0; for (;;) ++x; }
    if (!strcmp(m, "write")) {  /* write PATH: "ok" or the errno name */
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "data\n", 5) != 5) { printf("%s\n", strerrorname_np(errno)); return 1; }
        close(fd); printf("ok\n"); return 0;
    }
    if (!strcmp(m, "read")) {
        FILE* f = fopen(argv[2], "r");
        if (!f) { printf("%s\n", strerrorname_np(errno)); return 1; }
        char b[4096]; size_t n = fread(b, 1, sizeof b, f); fwrite(b, 1, n, stdout); fclose(f); return 0;
    }
    if (!strcmp(m, "bigfile")) {  /* bigfile PATH BYTES */
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        static char b[1 << 16];
        for (long long left = atoll(argv[3]); left > 0; left -= sizeof b) write(fd, b, sizeof b);
        return 0;
    }
    if (!strcmp(m, "env")) { extern char** environ; for (char** e = environ; *e; ++e) printf("%s\n", *e); return 0; }
    if (!strcmp(m, "fds")) {  /* open fds other than the listing's own */
        DIR* d = opendir("/proc/self/fd"); struct dirent* e; int me = dirfd(d);
        while ((e = readdir(d))) if (e->d_name[0] != '.' && atoi(e->d_name) != me) printf("%s ", e->d_name);
        printf("\n"); return 0;
    }
    if (!strcmp(m, "personality")) {
        FILE* f = fopen("/proc/self/personality", "r"); char b[32] = {0}; fread(b, 1, 31, f); printf("%s", b); return 0;
    }
    if (!strcmp(m, "sigpipe")) {  /* write into a pipe nobody reads: dies of SIGPIPE unless ignored */
        int p[2]; pipe(p); close(p[0]); write(p[1], "x", 1); printf("survived\n"); return 0;
    }
    if (!strcmp(m, "net")) {  /* net UDPPORT TCPPORT */
        int up = atoi(argv[2]), tp = atoi(argv[3]);
        int e1 = udp_to("127.0.0.1", up, "ping-from-sandbox");
        int t = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET; a.sin_port = htons(tp); inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        int rc = connect(t, (struct sockaddr*)&a, sizeof a); int e2 = rc < 0 ? errno : 0; close(t);
        int e3 = udp_to("8.8.8.8", 53, "x");
        /* our own loopback works, even on the host's port */
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in me = {0};
        me.sin_family = AF_INET; me.sin_port = htons(up); inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
        int b = bind(s, (struct sockaddr*)&me, sizeof me);
        udp_to("127.0.0.1", up, "self");
        char buf[16] = {0}; struct timeval tv = {1, 0};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t n = b == 0 ? recv(s, buf, sizeof buf - 1, 0) : -1;
        printf("udp=%s tcp=%s outside=%s self=%s\n", e1 ? strerrorname_np(e1) : "sent",
               e2 ? strerrorname_np(e2) : "connected", e3 ? strerrorname_np(e3) : "sent", n > 0 ? buf : "none");
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", m);
    return 100;
}
)C";

// A 0755 scratch root for this test binary: helper + workdirs.
const fs::path& scratch() {
    // never destroyed: the cleanup below runs at exit, after function statics may be gone
    static const fs::path* dir = [] {
        char tmpl[] = "/tmp/conclab-sandbox-test-XXXXXX";
        if (!::mkdtemp(tmpl)) std::abort();
        ::chmod(tmpl, 0755);
        return new fs::path(tmpl);
    }();
    return *dir;
}

struct ScratchCleanup {
    ~ScratchCleanup() {
        std::error_code ec;
        fs::remove_all(scratch(), ec);
    }
};

const std::string& helper() {
    static std::string path = [] {
        fs::path src = scratch() / "helper.c", bin = scratch() / "helper";
        std::ofstream(src) << kHelperSource;
        std::string cmd = "cc -O1 -o " + bin.string() + " " + src.string() + " 2>&1";
        if (std::system(cmd.c_str()) != 0) return std::string();
        ::chmod(bin.c_str(), 0755);
        return bin.string();
    }();
    return path;
}

Runner* runner_for(Tier tier) {
    static std::map<Tier, std::unique_ptr<Runner>> cache;
    static std::map<Tier, bool> tried;
    if (!tried[tier]) {
        tried[tier] = true;
        conclab::SandboxOptions opt;
        opt.announce = false;
        try {
            cache[tier] = conclab::make_runner(tier, opt);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tier %s unavailable: %s\n", conclab::to_string(tier), e.what());
        }
    }
    auto it = cache.find(tier);
    return it == cache.end() ? nullptr : it->second.get();
}

fs::path fresh_dir(const std::string& name) {
    static std::atomic<int> n{0};
    fs::path d = scratch() / (name + "-" + std::to_string(n++));
    fs::create_directories(d);
    ::chmod(d.c_str(), 0755);
    return d;
}

// Processes whose command line contains `marker`.
std::vector<pid_t> processes_with(const std::string& marker) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        std::string n = e.path().filename().string();
        if (n.empty() || n[0] < '1' || n[0] > '9') continue;
        std::ifstream in(e.path() / "cmdline", std::ios::binary);
        std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmd.find(marker) != std::string::npos && std::stoi(n) != ::getpid()) out.push_back(std::stoi(n));
    }
    return out;
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::uint64_t rss_bytes() {
    std::ifstream in("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    in >> size >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::string tier_name(const ::testing::TestParamInfo<Tier>& info) {
    return conclab::to_string(info.param);
}

class SandboxTest : public ::testing::TestWithParam<Tier> {
protected:
    void SetUp() override {
        if (helper().empty()) GTEST_SKIP() << "no C compiler (cc) to build the helper";
        runner_ = runner_for(GetParam());
        if (!runner_) GTEST_SKIP() << "tier " << conclab::to_string(GetParam()) << " not available here";
        work_ = fresh_dir(std::string("work-") + conclab::to_string(GetParam()));
    }
    bool isolated() const { return GetParam() != Tier::bare; }

    RunSpec spec(std::vector<std::string> args) const {
        RunSpec s;
        s.argv = {helper()};
        s.argv.insert(s.argv.end(), args.begin(), args.end());
        s.workdir = work_;
        s.readable = {scratch() / "helper"};
        s.limits.wall = 10s;
        return s;
    }
    RunResult run(const RunSpec& s) { return runner_->run(s); }

    Runner* runner_ = nullptr;
    fs::path work_;
};

// ---------------------------------------------------------------- basics

// Checks only the isolating tiers can pass, and the cgroup tier's own: they are
// instantiated for those tiers alone rather than skipped elsewhere.
class IsolatedSandboxTest : public SandboxTest {};
class CgroupSandboxTest : public SandboxTest {};

TEST_P(SandboxTest, ReportsExitCode) {
    RunResult r = run(spec({"exit", "7"}));
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_FALSE(r.signal);
    EXPECT_FALSE(r.timed_out);
    EXPECT_FALSE(r.output_limited);
    EXPECT_TRUE(run(spec({"exit", "0"})).exit_code == 0);
}

TEST_P(SandboxTest, ReportsDeathBySignal) {
    for (int sig : {SIGSEGV, SIGABRT, SIGKILL}) {
        RunResult r = run(spec({"signal", std::to_string(sig)}));
        ASSERT_TRUE(r.started) << r.start_error;
        EXPECT_EQ(r.signal, sig);
        EXPECT_FALSE(r.exit_code);
    }
}

TEST_P(SandboxTest, SigpipeHasItsDefaultActionInTheProgram) {
    // The grader ignores SIGPIPE; the program must not inherit that.
    RunResult r = run(spec({"sigpipe"}));
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.signal, SIGPIPE) << r.out.text;
}

TEST_P(SandboxTest, FeedsStdinLargerThanAPipe) {
    RunSpec s = spec({"cat"});
    for (int i = 0; i < 20000; ++i) s.stdin_data += "line " + std::to_string(i) + "\n";
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.text, s.stdin_data);
    // no stdin at all: EOF at once
    RunResult empty = run(spec({"cat"}));
    EXPECT_EQ(empty.exit_code, 0);
    EXPECT_EQ(empty.out.text, "");
}

TEST_P(SandboxTest, CapturesStdoutAndStderrSeparately) {
    RunSpec s = spec({"flood", "100", "2"});
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.out.text, "");
    EXPECT_EQ(r.err.total, 100u);
    EXPECT_EQ(r.err.text.substr(0, 6), "BEGIN\n");
}

TEST_P(SandboxTest, CapKeepsHeadAndTailAndSaysHowMuchWasCut) {
    RunSpec s = spec({"flood", "1000000"});
    s.limits.output = 1000;
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.output_limited);
    EXPECT_EQ(r.out.total, 1000000u);
    EXPECT_EQ(r.out.text.size(), 1000u);
    EXPECT_EQ(r.out.text.substr(0, 6), "BEGIN\n");
    EXPECT_EQ(r.out.text.substr(r.out.text.size() - 4), "END\n");
    EXPECT_EQ(r.out.cut(), 999000u);
    EXPECT_EQ(r.out.cut_at, 500u);
    EXPECT_NE(r.out.display().find("[... 999000 bytes cut ...]"), std::string::npos);
}

TEST_P(SandboxTest, OutputFloodIsCappedWithoutMemoryGrowth) {
    RunSpec s = spec({"flood", std::to_string(300ll << 20)});  // 300 MiB
    s.limits.output = 1 << 20;
    run(spec({"flood", "2000000"}));  // warm up allocator pools
    std::uint64_t before = rss_bytes();
    RunResult r = run(s);
    std::uint64_t after = rss_bytes();
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.output_limited);
    EXPECT_EQ(r.out.total, 300ull << 20);
    EXPECT_EQ(r.out.text.size(), 1u << 20);
    EXPECT_EQ(r.out.text.substr(r.out.text.size() - 4), "END\n");
    EXPECT_LT(after, before + (32ull << 20)) << "grader RSS grew by " << (after - before) / 1024 << " KiB";
}

TEST_P(SandboxTest, EnvironmentIsExactlyTheSpecsPlusPath) {
    RunSpec s = spec({"env"});
    s.env = {{"FOO", "bar"}, {"TSAN_OPTIONS", "halt_on_error=1"}};
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    std::istringstream in(r.out.text);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    // PWD: bwrap --chdir sets it; bare does the same for consistency
    EXPECT_EQ(lines, (std::vector<std::string>{"FOO=bar", "PATH=/usr/bin:/bin", "PWD=" + work_.string(),
                                               "TSAN_OPTIONS=halt_on_error=1"}));
}

TEST_P(SandboxTest, ProgramGetsOnlyStdioAndGraderLeaksNoFds) {
    std::size_t before = open_fd_count();
    RunResult r = run(spec({"fds"}));
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.out.text, "0 1 2 \n");
    EXPECT_EQ(open_fd_count(), before);
}

TEST_P(SandboxTest, MissingProgramIsAStartError) {
    RunSpec s = spec({});
    s.argv = {(work_ / "no-such-program").string()};
    RunResult r = run(s);
    EXPECT_FALSE(r.started);
    EXPECT_FALSE(r.start_error.empty());
    RunSpec rel = spec({});
    rel.argv = {"relative"};
    EXPECT_FALSE(run(rel).started);
}

TEST_P(IsolatedSandboxTest, UnusableReadablePathIsAStartErrorInIsolatedTiers) {
    RunSpec s = spec({"exit", "0"});
    s.readable.push_back(scratch() / "does-not-exist");
    RunResult r = run(s);
    EXPECT_FALSE(r.started);
    EXPECT_NE(r.start_error.find("does-not-exist"), std::string::npos) << r.start_error;
}

TEST_P(SandboxTest, AslrCanBeSwitchedOff) {
    conclab::SandboxOptions opt;
    opt.announce = false;
    opt.disable_aslr = true;
    auto norand = conclab::make_runner(GetParam(), opt);
    RunResult r = norand->run(spec({"personality"}));
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(std::strtoul(r.out.text.c_str(), nullptr, 16) & 0x0040000, 0x0040000u) << r.out.text;
    opt.disable_aslr = false;
    r = conclab::make_runner(GetParam(), opt)->run(spec({"personality"}));
    EXPECT_EQ(std::strtoul(r.out.text.c_str(), nullptr, 16) & 0x0040000, 0u) << r.out.text;
}

// ---------------------------------------------------------------- limits

TEST_P(SandboxTest, TimeoutKillsASetsidTreeAndLeavesNothing) {
    // a number no other process has on its command line: sleep's argument
    std::string marker = std::to_string(900000000 + ::getpid() * 10 + static_cast<int>(GetParam()));
    RunSpec s = spec({});
    // sleepers in new sessions and double-forked: out of reach of a process-group kill
    s.argv = {"/bin/sh", "-c",
              "setsid sleep " + marker + "1 & (setsid sh -c 'sleep " + marker + "2 &' &); sleep " + marker + "3"};
    s.limits.wall = 1s;
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = run(s);
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_GE(took, 1s);
    EXPECT_LT(took, 60s) << "the run outlived its 1 s limit: the kill did not end it";
    EXPECT_EQ(processes_with(marker).size(), 0u);
}

TEST_P(SandboxTest, ForkBombIsHeldAndLeavesNothing) {
    RunSpec s = spec({"forkbomb", "marker-fb-" + std::to_string(::getpid())});
    s.limits.wall = 2s;
    s.limits.processes = 32;
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = run(s);
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.timed_out || r.cpu_exceeded);
    EXPECT_LT(took, 60s) << "the fork bomb was not stopped at its limit";
    EXPECT_EQ(processes_with("marker-fb-" + std::to_string(::getpid())).size(), 0u);
    if (GetParam() == Tier::cgroup_bwrap) {
        EXPECT_TRUE(r.process_limited);
    }
    // the machine still forks: the grader can run the next test
    RunResult next = run(spec({"exit", "0"}));
    EXPECT_EQ(next.exit_code, 0);
}

TEST_P(SandboxTest, MemoryHogIsKilledAsOutOfMemory) {
    RunSpec s = spec({"hog", "2048"});
    s.limits.memory = 128ull << 20;
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.out_of_memory);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.out.text, "");  // never got to "survived"
}

TEST_P(SandboxTest, RecordsTheMemoryHeldWhenTheClockStopsIt) {
    // The judge tells a slow OOM from a hang by this fact (docs/notes.md).
    RunSpec s = spec({"hog", "64"});
    s.limits.memory = 512ull << 20;
    s.limits.wall = 1500ms;
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.timed_out) << "exit " << r.exit_code.value_or(-1) << " signal " << r.signal.value_or(0) << " oom " << r.out_of_memory << " cpu " << r.cpu_exceeded << ": "
                             << r.err.text;
    EXPECT_EQ(r.out.text, "survived\n");
    EXPECT_GE(r.memory_when_stopped, 64ull << 20);
    EXPECT_LT(r.memory_when_stopped, 512ull << 20);
    EXPECT_LT(r.memory_growth_per_s, 16ull << 20);  // it allocated once, then held still
}

TEST_P(SandboxTest, RecordsHowFastTheMemoryGrewBeforeTheClockStoppedIt) {
    // ~80 MiB/s (8 MiB every 100 ms) under a 1 GiB limit: never reached in 2 s.
    RunSpec s = spec({"grow", "8"});
    s.limits.memory = 1024ull << 20;
    s.limits.wall = 2000ms;
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.timed_out);
    EXPECT_GE(r.memory_when_stopped, 64ull << 20);
    EXPECT_GE(r.memory_growth_per_s, 24ull << 20) << r.memory_when_stopped;
    EXPECT_LE(r.memory_growth_per_s, 160ull << 20) << r.memory_when_stopped;
}

TEST_P(SandboxTest, CpuLimitKillsASpinner) {
    RunSpec s = spec({"spin"});
    s.limits.cpu = 1s;
    s.limits.wall = 10s;
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = run(s);
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_TRUE(r.cpu_exceeded);
    EXPECT_FALSE(r.timed_out);
    EXPECT_GE(took, 1s);
    EXPECT_LT(took, 60s) << "the spinner was not stopped at its CPU limit";
}

TEST_P(SandboxTest, FileSizeLimitStopsABigWrite) {
    RunSpec s = spec({"bigfile", (work_ / "big").string(), std::to_string(8 << 20)});
    s.limits.file_size = 1 << 20;
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.signal, SIGXFSZ);
    EXPECT_LE(fs::file_size(work_ / "big"), 1u << 20);
}

TEST_P(SandboxTest, ConcurrentRunsFromManyThreadsStayApart) {
    // A slow run in one thread must not hold back the others (no fd leaks
    // between concurrent launches), and every run gets its own output.
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    std::size_t fds_before = open_fd_count();
    std::atomic<bool> slow_done{false};
    threads.emplace_back([&] {
        RunSpec s = spec({});
        s.argv = {"/bin/sh", "-c", "sleep 300"};
        s.limits.wall = 15s;
        if (!run(s).timed_out) ++bad;
        slow_done = true;
    });
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 4; ++i) {
                RunSpec s = spec({"cat"});
                s.stdin_data = "thread " + std::to_string(t) + " run " + std::to_string(i) + "\n";
                RunResult r = run(s);
                if (!r.started || r.out.text != s.stdin_data || r.exit_code != 0) ++bad;
            }
        });
    for (std::size_t i = 1; i < threads.size(); ++i) threads[i].join();
    // Not a time check: the short runs must all end while the slow one still runs.
    EXPECT_FALSE(slow_done.load()) << "short runs waited for the slow one";
    threads[0].join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(open_fd_count(), fds_before);
}

// In a grading, tests start and end on many threads: a run's fds are often
// opened while another run has just closed low numbers (0..6 are the numbers
// the child moves its fds to). Measured in a fresh-clone run: a cgroup file
// opened at 5 was written to *after* the move, so the cgroup's "0" landed on
// the result channel (a record with 65 hex digits) and the program ran
// outside its cgroup. Here a thread keeps making low holes while runs start;
// every run must start and get exactly its own bytes on every fd. (Its
// cgroup cannot be read from inside: bwrap gives the program a cgroup
// namespace of its own.)
TEST_P(SandboxTest, LowFdNumbersFreedByOtherThreadsDoNotCrossFds) {
    std::atomic<bool> stop{false};
    std::thread holes([&] {  // takes the lowest free number, frees it again
        while (!stop.load()) {
            int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            std::this_thread::yield();
            if (fd >= 0) ::close(fd);
        }
    });
    std::atomic<int> bad{0};
    std::mutex m;
    std::string first_bad;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 12; ++i) {
                RunSpec s = spec({});
                const std::string tag = std::to_string(t) + "." + std::to_string(i);
                s.argv = {"/bin/sh", "-c", "printf '" + tag + "' >&5; printf out; printf err >&2"};
                s.channel_key = std::string(32, 'k');
                RunResult r = run(s);
                if (r.started && r.exit_code == 0 && r.channel.text == tag && r.out.text == "out" &&
                    r.err.text == "err")
                    continue;
                ++bad;
                std::lock_guard<std::mutex> lock(m);
                if (first_bad.empty())
                    first_bad = "run " + tag + ": started " + std::to_string(r.started) + " " + r.start_error +
                                ", exit " + std::to_string(r.exit_code.value_or(-1)) + ", channel \"" + r.channel.text +
                                "\", out \"" + r.out.text + "\", err \"" + r.err.text + "\"";
            }
        });
    for (auto& th : threads) th.join();
    stop = true;
    holes.join();
    EXPECT_EQ(bad.load(), 0) << first_bad;
}

TEST_P(SandboxTest, HangReturnsAtTheWallLimit) {
    RunSpec s = spec({});
    s.argv = {"/bin/sh", "-c", "while :; do sleep 1; done"};
    s.limits.wall = 700ms;
    RunResult r = run(s);
    EXPECT_TRUE(r.timed_out);
    EXPECT_GE(r.wall, 700ms);
    EXPECT_LT(r.wall, 60s) << "the endless loop was not stopped at its limit";
}

// ---------------------------------------------------------------- isolation (not bare)

TEST_P(IsolatedSandboxTest, OnlyTheWorkdirIsWritable) {
    fs::path ro = fresh_dir("readonly");
    std::string tmpname = "conclab-escape-" + std::to_string(::getpid());
    auto write_to = [&](const fs::path& p) {
        RunSpec s = spec({"write", p.string()});
        s.readable.push_back(ro);
        RunResult r = run(s);
        EXPECT_TRUE(r.started) << r.start_error;
        return r.out.text;
    };
    EXPECT_EQ(write_to(work_ / "out.txt"), "ok\n");
    EXPECT_TRUE(fs::exists(work_ / "out.txt"));
    EXPECT_NE(write_to(ro / "x"), "ok\n");
    EXPECT_FALSE(fs::exists(ro / "x"));
    EXPECT_NE(write_to("/usr/conclab-x"), "ok\n");
    EXPECT_NE(write_to("/etc/passwd"), "ok\n");
    EXPECT_NE(write_to("/conclab-x"), "ok\n");  // the sandbox's own root is read-only too
    EXPECT_NE(write_to("/var/tmp/conclab-x"), "ok\n");
    EXPECT_NE(write_to(fs::path(CONCLAB_TEST_DATA) / "conclab-x"), "ok\n");
    EXPECT_FALSE(fs::exists(fs::path(CONCLAB_TEST_DATA) / "conclab-x"));
    // under /tmp (where this test's dirs are): private, the host never sees it
    write_to(scratch() / "outside");
    EXPECT_FALSE(fs::exists(scratch() / "outside"));
    // /tmp inside is private: allowed, but the host never sees it
    EXPECT_EQ(write_to("/tmp/" + tmpname), "ok\n");
    EXPECT_FALSE(fs::exists("/tmp/" + tmpname));
}

TEST_P(IsolatedSandboxTest, ReadablePathsAreVisibleReadOnlyAtTheirOwnPath) {
    fs::path ro = fresh_dir("bin");
    std::ofstream(ro / "data.txt") << "visible\n";
    ::chmod((ro / "data.txt").c_str(), 0644);
    RunSpec s = spec({"read", (ro / "data.txt").string()});
    s.readable.push_back(ro);
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.out.text, "visible\n");
    RunSpec w = spec({"write", (ro / "data.txt").string()});
    w.readable.push_back(ro);
    EXPECT_EQ(run(w).out.text, "EROFS\n");
    // not listed: not there
    fs::path hidden = fresh_dir("hidden");
    std::ofstream(hidden / "secret.txt") << "secret\n";
    EXPECT_EQ(run(spec({"read", (hidden / "secret.txt").string()})).out.text, "ENOENT\n");
}

TEST_P(IsolatedSandboxTest, CourseTreeAndHostFilesAreNotVisible) {
    fs::path course = fs::path(CONCLAB_TEST_DATA).parent_path().parent_path().parent_path();  // the source tree
    // A host file outside the course tree, made here (a fixed path would tie the
    // test to one machine's layout): the program sees its own /tmp, not the host's.
    const fs::path host_file = fs::temp_directory_path() / ("conclab-host-file-" + std::to_string(::getpid()));
    std::ofstream(host_file) << "not for the sandbox\n";
    for (const fs::path& p : {course / "CMakeLists.txt", fs::path(CONCLAB_TEST_DATA), fs::path("/etc/shadow"),
                              fs::path("/root"), fs::path("/home"), host_file}) {
        RunResult r = run(spec({"read", p.string()}));
        ASSERT_TRUE(r.started) << r.start_error;
        EXPECT_EQ(r.out.text, "ENOENT\n") << p;
    }
    fs::remove(host_file);
}

TEST_P(IsolatedSandboxTest, NetworkIsOwnLoopbackOnly) {
    int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len), 0);
    int uport = ntohs(a.sin_port);
    a.sin_port = 0;
    ASSERT_EQ(::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(tcp, 4), 0);
    ASSERT_EQ(::getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len), 0);
    int tport = ntohs(a.sin_port);

    RunResult r = run(spec({"net", std::to_string(uport), std::to_string(tport)}));
    ASSERT_TRUE(r.started) << r.start_error;
    // sent into its own loopback (nobody there), refused, no route out, own port usable
    EXPECT_EQ(r.out.text, "udp=sent tcp=ECONNREFUSED outside=ENETUNREACH self=self\n") << r.err.text;
    char buf[64];
    EXPECT_LT(::recv(udp, buf, sizeof buf, MSG_DONTWAIT), 0) << "the host's loopback received a datagram";
    ::fcntl(tcp, F_SETFL, O_NONBLOCK);
    int c = ::accept(tcp, nullptr, nullptr);
    EXPECT_LT(c, 0) << "the host's listener got a connection";
    if (c >= 0) ::close(c);
    ::close(udp);
    ::close(tcp);
}

TEST_P(SandboxTest, RunsAsNobodyWithoutPrivileges) {
    RunSpec s = spec({});
    s.argv = {"/bin/sh", "-c", "id -u; grep CapEff /proc/self/status"};
    RunResult r = run(s);
    ASSERT_TRUE(r.started) << r.start_error;
    if (::geteuid() == 0) {
        EXPECT_EQ(r.out.text.substr(0, 6), "65534\n");
    }
    EXPECT_NE(r.out.text.find("CapEff:\t0000000000000000"), std::string::npos) << r.out.text;
}

TEST_P(SandboxTest, ThreadSanitizerReportsTheCanaryRaceInThisTier) {
    // Grading refuses to start when this fails, so a tier that passes the
    // tests above but breaks TSan would turn every grade into an error.
    std::string problem = conclab::run_canary(*runner_, conclab::Toolchain::from_config(), fresh_dir("canary"));
    EXPECT_EQ(problem, "");
}

TEST_P(CgroupSandboxTest, CgroupDirectoriesAreRemoved) {
    run(spec({"exit", "0"}));
    RunSpec s = spec({"forkbomb", "marker-cg"});
    s.limits.wall = 500ms;
    run(s);
    std::string mine = "conclab-" + std::to_string(::getpid()) + "-";
    int left = 0;
    for (const char* root : {"/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer",
                             "/sys/fs/cgroup/unified", "/sys/fs/cgroup/conclab"}) {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_directory() && it->path().filename().string().rfind(mine, 0) == 0) ++left;
    }
    EXPECT_EQ(left, 0);
}

INSTANTIATE_TEST_SUITE_P(Tiers, SandboxTest, ::testing::Values(Tier::cgroup_bwrap, Tier::bwrap, Tier::bare),
                         tier_name);
INSTANTIATE_TEST_SUITE_P(Tiers, IsolatedSandboxTest, ::testing::Values(Tier::cgroup_bwrap, Tier::bwrap), tier_name);
INSTANTIATE_TEST_SUITE_P(Tiers, CgroupSandboxTest, ::testing::Values(Tier::cgroup_bwrap), tier_name);

// ---------------------------------------------------------------- pieces

TEST(CaptureBuffer, KeepsEverythingUnderTheLimit) {
    conclab::detail::CaptureBuffer c(10);
    c.append("abc", 3);
    c.append("defghij", 7);
    auto r = c.finish();
    EXPECT_EQ(r.text, "abcdefghij");
    EXPECT_FALSE(r.truncated());
}

TEST(CaptureBuffer, KeepsHeadAndTailAcrossManySmallAndLargeWrites) {
    conclab::detail::CaptureBuffer c(10);
    std::string all;
    for (int i = 0; i < 1000; ++i) {
        std::string piece(static_cast<std::size_t>(i % 7 + 1), static_cast<char>('a' + i % 26));
        if (i == 500) piece = std::string(37, 'Z');
        c.append(piece.data(), piece.size());
        all += piece;
    }
    auto r = c.finish();
    EXPECT_EQ(r.total, all.size());
    EXPECT_EQ(r.text, all.substr(0, 5) + all.substr(all.size() - 5));
    EXPECT_EQ(r.cut_at, 5u);
    EXPECT_EQ(r.cut(), all.size() - 10);
}

TEST(CaptureBuffer, ZeroLimitCountsOnly) {
    conclab::detail::CaptureBuffer c(0);
    c.append("abc", 3);
    EXPECT_EQ(c.finish().text, "");
    EXPECT_EQ(c.finish().total, 3u);
}

// children of this process, zombies included
int children_of_self() {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        std::ifstream in(e.path() / "stat");
        std::string line;
        if (!std::getline(in, line)) continue;
        auto rp = line.rfind(')');
        if (rp == std::string::npos) continue;
        std::istringstream f(line.substr(rp + 2));
        std::string state;
        long ppid = 0;
        f >> state >> ppid;
        if (ppid == ::getpid()) ++n;
    }
    return n;
}

TEST(Execute, ASetupFailureInTheChildIsAStartErrorAndLeavesNoZombie) {
    for (bool supervised : {false, true}) {
        conclab::detail::Launch L;
        L.supervised = supervised;
        L.argv = {"/bin/true"};
        L.env = {"PATH=/usr/bin:/bin"};
        L.rlimits.push_back({RLIMIT_NOFILE, 100, 10});  // soft > hard: setrlimit fails
        RunSpec s;
        s.argv = L.argv;
        s.workdir = "/";
        int before = children_of_self();
        RunResult r = conclab::detail::execute(L, s);
        EXPECT_FALSE(r.started) << supervised;
        EXPECT_NE(r.start_error.find("Invalid argument"), std::string::npos) << r.start_error;
        EXPECT_EQ(children_of_self(), before) << "a zombie was left, supervised=" << supervised;
    }
}

TEST(Tiers, ParseAndName) {
    for (Tier t : {Tier::automatic, Tier::cgroup_bwrap, Tier::bwrap, Tier::bare})
        EXPECT_EQ(conclab::parse_tier(conclab::to_string(t)), t);
    EXPECT_THROW(conclab::parse_tier("docker"), std::invalid_argument);
}

TEST(Tiers, AutomaticPicksTheStrongestAvailable) {
    conclab::SandboxOptions opt;
    opt.announce = false;
    auto tiers = conclab::available_tiers(opt);
    ASSERT_FALSE(tiers.empty());
    EXPECT_EQ(tiers.back(), Tier::bare);
    auto r = conclab::make_runner(Tier::automatic, opt);
    EXPECT_EQ(r->isolated(), tiers.front() != Tier::bare);
    std::printf("tiers here:");
    for (Tier t : tiers) std::printf(" %s", conclab::to_string(t));
    std::printf("; automatic: %s\n", r->tier().c_str());
}

ScratchCleanup cleanup_at_exit;

}  // namespace
