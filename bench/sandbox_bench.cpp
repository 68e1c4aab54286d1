// Per-run overhead of each sandbox tier against a bare fork+exec of the same
// program. Built and run by bench/sandbox.sh; links harness/src/{run,sandbox,cgroup}.cpp.
//   sandbox_bench [RUNS] PROGRAM [ARGS...]
// Environment (bench/trust.sh): CONCLAB_BENCH_READABLE=DIR[:DIR...] adds
// read-only paths to the sandbox; CONCLAB_BENCH_CHANNEL=1 gives every
// sandboxed run a result channel (a fresh key, as the engine does).
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "conclab/channel.hpp"
#include "conclab/sandbox.hpp"

extern char** environ;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

static double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int main(int argc, char** argv) {
    int runs = argc > 2 ? std::atoi(argv[1]) : 30;
    int first = argc > 2 ? 2 : 1;
    if (argc <= first || runs < 1) {
        std::fprintf(stderr, "usage: %s [RUNS] PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    std::vector<std::string> cmd(argv + first, argv + argc);
    std::vector<char*> cargv;
    for (auto& s : cmd) cargv.push_back(s.data());
    cargv.push_back(nullptr);

    // bare exec: posix_spawn + waitpid, nothing else
    std::vector<double> base;
    for (int i = 0; i < runs + 3; ++i) {
        auto t0 = Clock::now();
        pid_t pid;
        if (posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) {
            std::perror("posix_spawn");
            return 1;
        }
        int st;
        waitpid(pid, &st, 0);
        if (i >= 3) base.push_back(ms_since(t0));  // first runs warm the page cache
    }
    double b = median(base);
    std::printf("per-run wall time of %s, ms, %d runs each (after 3 warm-up runs)\n", cmd[0].c_str(), runs);
    std::printf("%-8s %8s %8s %10s %8s\n", "tier", "median", "p90", "overhead", "ratio");
    std::printf("%-8s %8.2f %8.2f %10s %8s\n", "exec", b, pct(base, 0.9), "-", "1.0x");

    char tmpl[] = "/tmp/conclab-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    chmod(tmpl, 0755);
    conclab::SandboxOptions opt;
    opt.announce = false;
    for (conclab::Tier tier : conclab::available_tiers(opt)) {
        auto runner = conclab::make_runner(tier, opt);
        conclab::RunSpec spec;
        spec.argv = cmd;
        spec.workdir = tmpl;
        spec.readable = {std::filesystem::path(cmd[0]).parent_path()};
        if (const char* extra = std::getenv("CONCLAB_BENCH_READABLE")) {
            std::string all = extra;
            for (std::size_t pos = 0; pos <= all.size();) {
                std::size_t colon = all.find(':', pos);
                if (colon == std::string::npos) colon = all.size();
                if (colon > pos) spec.readable.push_back(all.substr(pos, colon - pos));
                pos = colon + 1;
            }
        }
        const bool channel = std::getenv("CONCLAB_BENCH_CHANNEL") != nullptr;
        std::vector<double> t;
        for (int i = 0; i < runs + 3; ++i) {
            auto t0 = Clock::now();
            if (channel) spec.channel_key = conclab::make_channel_key();
            auto r = runner->run(spec);
            double ms = ms_since(t0);
            if (!r.started || r.exit_code != 0) {
                std::fprintf(stderr, "%s: run failed: %s\n", conclab::to_string(tier), r.start_error.c_str());
                return 1;
            }
            if (i >= 3) t.push_back(ms);
        }
        double m = median(t);
        std::printf("%-8s %8.2f %8.2f %+9.2f %7.1fx\n", conclab::to_string(tier), m, pct(t, 0.9), m - b, m / b);
    }
    std::filesystem::remove_all(tmpl);
    return 0;
}
