// Verdicts and points. The order of checks is the judges' order (docs/notes.md, "Sandboxing";
// DOMjudge), with tampering first: grader error -> tampering -> time limit -> memory limit -> output limit ->
// sanitizer finding -> runtime error -> wrong answer.
#include "conclab/score.hpp"

#include <signal.h>
#include <string.h>

#include <cmath>
#include <stdexcept>

namespace conclab {

const char* to_string(Status s) {
    switch (s) {
        case Status::passed: return "passed";
        case Status::failed: return "failed";
        case Status::timeout: return "timeout";
        case Status::crashed: return "crashed";
        case Status::tampered: return "tampered";
        case Status::error: return "error";
    }
    return "error";
}

Status parse_status(std::string_view name) {
    for (Status s : {Status::passed, Status::failed, Status::timeout, Status::crashed, Status::tampered, Status::error})
        if (name == to_string(s)) return s;
    throw std::invalid_argument("unknown test status \"" + std::string(name) + "\"");
}

std::string describe_signal(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    std::string name = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
    switch (sig) {
        case SIGSEGV: return name + " (segmentation fault: a bad pointer or a destroyed object was used)";
        case SIGABRT: return name + " (abort: often an uncaught exception, a failed assert or std::terminate)";
        case SIGFPE: return name + " (arithmetic error, e.g. division by zero)";
        case SIGBUS: return name + " (bus error: bad memory access)";
        case SIGPIPE: return name + " (wrote to a pipe or socket nobody reads any more)";
        case SIGKILL: return name + " (killed)";
        case SIGXCPU: return name + " (CPU time limit)";
        case SIGXFSZ: return name + " (file size limit)";
        default: {
            const char* d = sigdescr_np(sig);
            return d ? name + " (" + d + ")" : name;
        }
    }
}

namespace {

// The last n lines of text (a trailing newline does not count as a line).
std::string tail_lines(const std::string& text, std::size_t n) {
    std::size_t end = text.size();
    while (end > 0 && text[end - 1] == '\n') --end;
    std::size_t pos = end;
    for (std::size_t i = 0; i < n && pos > 0; ++i) {
        std::size_t nl = text.rfind('\n', pos - 1);
        pos = nl == std::string::npos ? 0 : nl;
        if (nl == std::string::npos) break;
    }
    if (pos < end && text[pos] == '\n') ++pos;
    return text.substr(pos, end - pos);
}

std::string seconds(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", ms.count() / 1000.0);
    return buf;
}

std::string last_output(const RunResult& r) {
    std::string t = tail_lines(r.out.text, 5);
    if (t.empty()) return "";
    return "\nThe last lines it printed were:\n" + t;
}

}  // namespace

Verdict judge_run(const TestSpec& test, const RunEvidence& ev) {
    const RunResult& r = ev.run;
    if (!r.started) return {Status::error, "the grader could not start the test: " + r.start_error};
    if (!ev.tampering.empty())
        return {Status::tampered, "your code wrote to the grader's own result channel or forged its report, so "
                                  "this test cannot be trusted and scores 0. A TA will review the evidence."};
    if (ev.sanitizer_runtime_failure)
        return {Status::error, "the sanitizer failed to start (a problem with the grading machine, not your code):\n" +
                                   ev.sanitizer_failure_text};
    const std::string process_note =
        r.process_limited ? " It also hit the limit of " + std::to_string(test.limits.processes) +
                                " processes and threads: does it start processes or threads in a loop?"
                          : "";
    // Stopped by a time limit while filling memory: the OOM kill was only
    // slower than the clock. Near the limit the kernel reclaims for a while
    // first, and on a busy machine a TSan program filled memory at only
    // ~200 MiB/s, holding a quarter of its limit at 3 s (docs/notes.md "Out of
    // memory, slowly"). So: nearly all of the limit held, or an eighth of it
    // held and growing by at least a 32nd of it per second. A hang holds
    // still; these bounds are far from what any reference holds or grows.
    if ((r.timed_out || r.cpu_exceeded) && test.limits.memory) {
        const std::uint64_t limit = test.limits.memory, held = r.memory_when_stopped;
        const bool full = held >= limit / 10 * 9;
        const bool filling = held >= limit / 8 && r.memory_growth_per_s >= limit / 32;
        if (full || filling)
            return {Status::crashed,
                    std::string(full ? "your program ran out of memory" : "your program was filling its memory") +
                        ": it held " + std::to_string(held >> 20) + " MiB of its " +
                        std::to_string(limit >> 20) + " MiB memory limit" +
                        (r.memory_growth_per_s ? " and was taking " + std::to_string(r.memory_growth_per_s >> 20) +
                                                     " MiB more each second"
                                               : std::string()) +
                        " when the time limit stopped it. Look for a loop that allocates and never frees, or a "
                        "container that grows without end."};
    }
    if (r.timed_out)
        return {Status::timeout, "your program was still running after " + seconds(test.limits.wall) +
                                     " and was stopped (limit: " + test.limit_rule + "). Look for a thread that is never joined or woken up, a "
                                     "lock that is never released, or a pipe end that is never closed." +
                                     process_note + last_output(r)};
    if (r.cpu_exceeded)
        return {Status::timeout, "your program used more than " + seconds(test.limits.cpu) +
                                     " of CPU time (a busy loop that never ends?)." + process_note + last_output(r)};
    if (r.out_of_memory)
        return {Status::crashed, "your program used more memory than the limit (" +
                                     std::to_string(test.limits.memory >> 20) + " MiB) and was killed."};
    if (r.process_limited && (r.signal || (r.exit_code && *r.exit_code != 0)))
        return {Status::crashed, "your program tried to start more than " + std::to_string(test.limits.processes) +
                                     " processes/threads (the limit) and failed."};
    if (r.output_limited)
        return {Status::failed, "your program printed more than " + std::to_string(test.limits.output >> 10) +
                                    " KiB of output (the limit); " + std::to_string(r.out.total) +
                                    " bytes were written. The rest was discarded."};
    if (!ev.findings.empty()) {
        std::string msg = "a sanitizer found a bug in your code: " + ev.findings.front().kind;
        if (!ev.findings.front().file.empty())
            msg += " at " + ev.findings.front().file + ":" + std::to_string(ev.findings.front().line);
        return {Status::failed, msg};
    }
    if (r.signal)
        return {Status::crashed, "your program was killed by " + describe_signal(*r.signal) + "." + last_output(r)};
    if (!ev.failed_assertions.empty()) {
        std::string msg;
        for (std::size_t i = 0; i < ev.failed_assertions.size() && i < 3; ++i) msg += ev.failed_assertions[i] + "\n";
        if (ev.failed_assertions.size() > 3)
            msg += "(" + std::to_string(ev.failed_assertions.size() - 3) + " more failures)\n";
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        return {Status::failed, msg};
    }
    if (test.exit_code && r.exit_code && *r.exit_code != *test.exit_code)
        return {Status::failed, "your program exited with code " + std::to_string(*r.exit_code) + ", expected " +
                                    std::to_string(*test.exit_code) + "." + last_output(r)};
    if (!ev.gtest_ran)
        return {Status::crashed, "your code ended the test program before the test finished (exit code " +
                                     std::to_string(r.exit_code.value_or(-1)) +
                                     "). Does your code call exit(), _exit(), quick_exit() or std::terminate?" +
                                     last_output(r)};
    return {Status::passed, ""};
}

void score_exercise(ExerciseResult& ex) {
    ex.score = 0;
    ex.max_score = 0;
    for (auto& t : ex.tests) {
        t.score = t.status == Status::passed ? t.max_score : 0;
        ex.score += t.score;
        ex.max_score += t.max_score;
    }
}

void score_submission(SubmissionResult& sub) {
    sub.score = 0;
    sub.max_score = 0;
    for (auto& e : sub.exercises) {
        sub.score += e.score;
        sub.max_score += e.max_score;
    }
}

bool any_status(const SubmissionResult& r, Status s) {
    for (const auto& e : r.exercises)
        for (const auto& t : e.tests)
            if (t.status == s) return true;
    return false;
}

bool all_passed(const SubmissionResult& r) {
    for (const auto& e : r.exercises)
        for (const auto& t : e.tests)
            if (t.status != Status::passed) return false;
    return !r.exercises.empty();
}

}  // namespace conclab
