// decode, the last step of execute() (run_steps.hpp): what the pump saw (the
// wait status, bwrap's --json-status-fd or the supervisor's report) and the
// run cgroup's counters, as a RunResult. Facts only: what they mean for a
// test is the judge's.
#include <signal.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "conclab/cgroup.hpp"
#include "run_steps.hpp"

namespace conclab::detail {

namespace {

// bwrap --json-status-fd: one JSON object per line; "exit-code" only when
// the program ran (missing: bwrap itself failed, e.g. exec of argv[0]).
std::optional<int> bwrap_exit_code(const std::string& status) {
    auto k = status.find("\"exit-code\"");
    if (k == std::string::npos) return std::nullopt;
    k = status.find(':', k);
    if (k == std::string::npos) return std::nullopt;
    return std::atoi(status.c_str() + k + 1);
}

std::string first_lines(const std::string& text, std::size_t max_lines = 5) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < max_lines && pos != std::string::npos; ++i) {
        pos = text.find('\n', pos);
        if (pos != std::string::npos) ++pos;
    }
    std::string out = text.substr(0, pos == std::string::npos ? text.size() : pos);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

RunResult decode(const Launch& launch, const RunSpec& spec, Pumped facts) {
    RunResult r;
    const auto& lim = spec.limits;
    auto fail = [&](std::string why) {
        r.started = false;
        r.start_error = std::move(why);
        return r;
    };
    r.started = true;
    r.timed_out = facts.timed_out;
    r.cpu_exceeded = facts.cpu_exceeded;
    r.out_of_memory = facts.out_of_memory;
    r.memory_when_stopped = facts.memory_when_stopped;
    r.memory_growth_per_s = facts.memory_growth_per_s;
    r.wall = facts.wall;
    r.out = std::move(facts.out);
    r.err = std::move(facts.err);
    r.channel = std::move(facts.channel);
    r.output_limited = r.out.truncated() || r.err.truncated();

    // --- what happened
    if (launch.supervised) {
        SupStatus s{};
        if (facts.status.size() >= sizeof s) {
            std::memcpy(&s, facts.status.data(), sizeof s);
            if (s.kind == 1) {
                const char* step = s.step >= 0 && s.step < kStepCount
                                       ? kSteps[s.step] : "setup";
                return fail(std::string(step) + " " + launch.argv[0] + ": " + errno_text(s.value));
            }
            if (WIFEXITED(s.value)) r.exit_code = WEXITSTATUS(s.value);
            if (WIFSIGNALED(s.value)) r.signal = WTERMSIG(s.value);
        } else if (facts.killed) {
            r.signal = SIGKILL;
        } else {
            return fail("the run's supervisor died (wait status " + std::to_string(facts.wstatus) + ")");
        }
    } else if (launch.bwrap_status) {
        auto code = bwrap_exit_code(facts.status);
        if (!code) {
            if (facts.killed) {
                r.signal = SIGKILL;
            } else {
                std::string msg = first_lines(r.err.text);
                return fail("sandbox (bubblewrap) failed" +
                            (WIFEXITED(facts.wstatus)
                                 ? " with exit code " + std::to_string(WEXITSTATUS(facts.wstatus))
                                 : " with signal " + std::to_string(WTERMSIG(facts.wstatus))) +
                            (msg.empty() ? std::string() : ": " + msg));
            }
        } else if ((*code == 126 || *code == 127) && r.err.text.rfind("prlimit: failed to execute", 0) == 0) {
            // tier (b) starts the program through prlimit(1): its exec failed
            return fail("sandbox could not start the program: " + first_lines(r.err.text));
        } else if (*code > 128 && *code < 128 + 32) {
            // bwrap reports a program killed by signal n as exit code 128+n
            // (and so would a program that exits with 128+n: taken as a signal).
            r.signal = *code - 128;
        } else {
            r.exit_code = *code;
        }
    } else {
        if (WIFEXITED(facts.wstatus)) r.exit_code = WEXITSTATUS(facts.wstatus);
        if (WIFSIGNALED(facts.wstatus)) r.signal = WTERMSIG(facts.wstatus);
    }

    if (r.signal == SIGXCPU) r.cpu_exceeded = true;
    if (launch.cgroup) {
        if (launch.cgroup->oom_kills() > 0) r.out_of_memory = true;
        if (launch.cgroup->pids_max_hits() > 0) r.process_limited = true;
        if (auto us = launch.cgroup->cpu_usec();
            us && lim.cpu.count() > 0 && *us / 1000 >= static_cast<std::uint64_t>(lim.cpu.count()))
            r.cpu_exceeded = true;
    }
    return r;
}

}  // namespace conclab::detail
