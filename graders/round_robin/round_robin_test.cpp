// Grader for round_robin (AddressSanitizer + UndefinedBehaviorSanitizer +
// LeakSanitizer build).
//
// What is checked, and why:
//  - Traces.*     the scheduler's log, line for line, for the seed's two tasks
//                 and for other mixes (one task, no task, zero need, ten tasks
//                 at shares 0.01 / 1.0 / 0.25). The expected traces are stored
//                 below as data: they were produced by the reference solution,
//                 which is not part of the student handout. On a mismatch the
//                 message also runs the rule checker, so the student learns
//                 *which* rule broke, not only which line differs.
//  - Rules.*      random task mixes (seeded by CONCLAB_SEED) checked against
//                 the round-robin rules themselves: FIFO first turns, a slice
//                 fixed on the first turn, every other waiting task exactly one
//                 slice between two slices of one task, clamped needs, ...
//  - Countdown.*  the generator alone: lazy start, first resume only reports.
//  - Frames.*     coroutine frames freed exactly once (LeakSanitizer judges
//                 only Frames.* and Exceptions.*, see below): a replaced global
//                 operator new/delete counts blocks (it works under ASan: the
//                 executable's definitions win over libasan's, and the blocks
//                 still come from ASan's malloc, so double frees and
//                 use-after-free are still reported), LeakSanitizer runs on
//                 frames dropped inside a non-inlined helper (frames held by
//                 locals of a still-running function may escape LSan, see
//                 docs/notes.md), destructors of locals of an unfinished task, and
//                 moved-from tasks.
//  - Exceptions.* an exception thrown inside a task reaches the caller of
//                 resume() and leaves run_round_robin, with no frame leaked.
//
// The grader writes a few coroutines of its own that return round_robin::Task
// (the statement tells students their promise_type must support them):
// `co_yield n;` (the value it evaluates to is not used), `co_return;`,
// falling off the end, and `throw`; their parameters are not countdown's, so
// the promise falls back to its default constructor. It never asks such a
// task for its name().
//
// Build note: this file includes the student's round_robin.hpp, whose
// promise_type is inline, so its object file belongs to one submission: cache
// it by the header's content, never share it between submissions.
//
// Not in this exercise, on purpose: deep chains of coroutines awaiting each
// other through symmetric transfer. The engine builds with g++ only, and
// g++ 12 overflows the stack on such chains at -O0 and under ASan (docs/notes.md,
// "Coroutines"); the API here has no co_await between tasks anyway: the
// scheduler resumes each task itself.
#include "kit/seed.hpp"
#include "round_robin.hpp"
#include "seed_trace.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

// ---- counting global operator new / delete -----------------------------------
//
// Every coroutine frame g++ creates comes from the global operator new (unless
// a promise_type brings its own operator new, which this exercise never needs).
// Counting blocks in and out around a scenario tells whether its frames were
// all freed. The counters are global and atomic; tests in this file are
// single-threaded, so a scenario's window sees only its own allocations.
namespace {
std::atomic<long long> g_blocks_new{0};
std::atomic<long long> g_blocks_deleted{0};

void* counted_alloc(std::size_t n) {
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    g_blocks_new.fetch_add(1, std::memory_order_relaxed);
    return p;
}
void counted_free(void* p) noexcept {
    if (!p) return;
    g_blocks_deleted.fetch_add(1, std::memory_order_relaxed);
    std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_alloc(n); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }

// ---- LeakSanitizer only where leaks are the question ----------------------------
//
// A Task that never destroys its frame leaks in *every* test, and LeakSanitizer
// would then fail all of them with the same report, hiding what each one
// checks (the trace, the order, ...). So LeakSanitizer judges only the tests
// about frames and exceptions (Frames.*, Exceptions.*), which switch it on
// with check_leaks_in_this_test(); each test runs in its own process. Errors
// AddressSanitizer finds (use after free, double free) still fail any test.
namespace {
std::atomic<bool> g_check_leaks{false};
void check_leaks_in_this_test() { g_check_leaks.store(true); }
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
extern "C" int __lsan_is_turned_off() { return g_check_leaks.load() ? 0 : 1; }
#endif

namespace {

using round_robin::Task;

// Blocks allocated and not yet freed since the window opened.
class AllocWindow {
public:
    AllocWindow() : new0_(g_blocks_new.load()), del0_(g_blocks_deleted.load()) {}
    long long still_live() const {
        return (g_blocks_new.load() - new0_) - (g_blocks_deleted.load() - del0_);
    }
private:
    long long new0_, del0_;
};

// ---- streams the tests own ------------------------------------------------------

// Thrown by the grader's own coroutines and broken streams.
struct TaskFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown when a log grows without end (e.g. a slice of 0 never finishes a task).
struct LogTooLong : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A string buffer with a cap: a runaway scheduler fails fast with a clear
// message instead of eating memory until the time limit.
class CappedBuf : public std::streambuf {
public:
    explicit CappedBuf(std::size_t cap) : cap_(cap) {}
    const std::string& str() const { return text_; }
protected:
    int_type overflow(int_type ch) override {
        if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
        const char c = traits_type::to_char_type(ch);
        return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (text_.size() + static_cast<std::size_t>(n) > cap_)
            throw LogTooLong("the log grew past " + std::to_string(cap_) +
                             " bytes without the tasks finishing");
        text_.append(s, static_cast<std::size_t>(n));
        return n;
    }
private:
    std::size_t cap_;
    std::string text_;
};

class CappedLog : public std::ostream {
public:
    explicit CappedLog(std::size_t cap = 1 << 20) : std::ostream(nullptr), buf_(cap) {
        rdbuf(&buf_);
        exceptions(std::ios::badbit);   // let LogTooLong through instead of going quietly bad
    }
    std::string str() const { return buf_.str(); }
private:
    CappedBuf buf_;
};

// Every write fails with TaskFailure(message): a task logging to it throws
// from inside its coroutine body.
class ThrowingBuf : public std::streambuf {
public:
    explicit ThrowingBuf(std::string message) : message_(std::move(message)) {}
protected:
    int_type overflow(int_type) override { throw TaskFailure(message_); }
    std::streamsize xsputn(const char*, std::streamsize) override { throw TaskFailure(message_); }
private:
    std::string message_;
};

class ThrowingLog : public std::ostream {
public:
    explicit ThrowingLog(std::string message) : std::ostream(nullptr), buf_(std::move(message)) {
        rdbuf(&buf_);
        exceptions(std::ios::badbit);   // std::ostream rethrows the streambuf's own exception
    }
private:
    ThrowingBuf buf_;
};

// ---- task mixes and the expected traces (produced by the reference) ------------

struct TaskSpec {
    std::string name;
    int need;
};

struct Mix {
    std::vector<TaskSpec> tasks;
    double share;
};

std::string describe(const Mix& mix) {
    std::ostringstream out;
    out << "tasks [";
    for (std::size_t i = 0; i < mix.tasks.size(); ++i)
        out << (i ? ", " : "") << mix.tasks[i].name << " need " << mix.tasks[i].need;
    out << "], share " << mix.share;
    return out.str();
}

std::string join(const std::vector<std::string>& names) {
    std::string out = "[";
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + "]";
}

using round_robin_grader::kSeedTrace;

// The traces below were generated by reference/round_robin for the mixes used
// in the tests further down (same names, needs and shares).

// kSolo: finish order Solo
const char* const kSoloTrace = R"(Solo need: 10 slice: 5
Solo need: 5
Solo need: 0
Solo finished
All finished!
)";

// kNoTasks: finish order
const char* const kNoTasksTrace = R"(All finished!
)";

// kZeroMixed: finish order Idle Nil Busy
const char* const kZeroMixedTrace = R"(Idle need: 0 slice: 1
Busy need: 3 slice: 1
Nil need: 0 slice: 1
Idle need: 0
Idle finished
Busy need: 2
Nil need: 0
Nil finished
Busy need: 1
Busy need: 0
Busy finished
All finished!
)";

// kZeroAlone: finish order Zero
const char* const kZeroAloneTrace = R"(Zero need: 0 slice: 1
Zero need: 0
Zero finished
All finished!
)";

// kTenSmallShare: finish order Bravo Delta Golf Juliet Alpha India Echo Hotel Charlie Foxtrot
const char* const kTenSmallShareTrace = R"(Alpha need: 4 slice: 1
Bravo need: 0 slice: 1
Charlie need: 17 slice: 1
Delta need: 1 slice: 1
Echo need: 9 slice: 1
Foxtrot need: 230 slice: 2
Golf need: 2 slice: 1
Hotel need: 12 slice: 1
India need: 6 slice: 1
Juliet need: 3 slice: 1
Alpha need: 3
Bravo need: 0
Bravo finished
Charlie need: 16
Delta need: 0
Delta finished
Echo need: 8
Foxtrot need: 228
Golf need: 1
Hotel need: 11
India need: 5
Juliet need: 2
Alpha need: 2
Charlie need: 15
Echo need: 7
Foxtrot need: 226
Golf need: 0
Golf finished
Hotel need: 10
India need: 4
Juliet need: 1
Alpha need: 1
Charlie need: 14
Echo need: 6
Foxtrot need: 224
Hotel need: 9
India need: 3
Juliet need: 0
Juliet finished
Alpha need: 0
Alpha finished
Charlie need: 13
Echo need: 5
Foxtrot need: 222
Hotel need: 8
India need: 2
Charlie need: 12
Echo need: 4
Foxtrot need: 220
Hotel need: 7
India need: 1
Charlie need: 11
Echo need: 3
Foxtrot need: 218
Hotel need: 6
India need: 0
India finished
Charlie need: 10
Echo need: 2
Foxtrot need: 216
Hotel need: 5
Charlie need: 9
Echo need: 1
Foxtrot need: 214
Hotel need: 4
Charlie need: 8
Echo need: 0
Echo finished
Foxtrot need: 212
Hotel need: 3
Charlie need: 7
Foxtrot need: 210
Hotel need: 2
Charlie need: 6
Foxtrot need: 208
Hotel need: 1
Charlie need: 5
Foxtrot need: 206
Hotel need: 0
Hotel finished
Charlie need: 4
Foxtrot need: 204
Charlie need: 3
Foxtrot need: 202
Charlie need: 2
Foxtrot need: 200
Charlie need: 1
Foxtrot need: 198
Charlie need: 0
Charlie finished
Foxtrot need: 196
Foxtrot need: 194
Foxtrot need: 192
Foxtrot need: 190
Foxtrot need: 188
Foxtrot need: 186
Foxtrot need: 184
Foxtrot need: 182
Foxtrot need: 180
Foxtrot need: 178
Foxtrot need: 176
Foxtrot need: 174
Foxtrot need: 172
Foxtrot need: 170
Foxtrot need: 168
Foxtrot need: 166
Foxtrot need: 164
Foxtrot need: 162
Foxtrot need: 160
Foxtrot need: 158
Foxtrot need: 156
Foxtrot need: 154
Foxtrot need: 152
Foxtrot need: 150
Foxtrot need: 148
Foxtrot need: 146
Foxtrot need: 144
Foxtrot need: 142
Foxtrot need: 140
Foxtrot need: 138
Foxtrot need: 136
Foxtrot need: 134
Foxtrot need: 132
Foxtrot need: 130
Foxtrot need: 128
Foxtrot need: 126
Foxtrot need: 124
Foxtrot need: 122
Foxtrot need: 120
Foxtrot need: 118
Foxtrot need: 116
Foxtrot need: 114
Foxtrot need: 112
Foxtrot need: 110
Foxtrot need: 108
Foxtrot need: 106
Foxtrot need: 104
Foxtrot need: 102
Foxtrot need: 100
Foxtrot need: 98
Foxtrot need: 96
Foxtrot need: 94
Foxtrot need: 92
Foxtrot need: 90
Foxtrot need: 88
Foxtrot need: 86
Foxtrot need: 84
Foxtrot need: 82
Foxtrot need: 80
Foxtrot need: 78
Foxtrot need: 76
Foxtrot need: 74
Foxtrot need: 72
Foxtrot need: 70
Foxtrot need: 68
Foxtrot need: 66
Foxtrot need: 64
Foxtrot need: 62
Foxtrot need: 60
Foxtrot need: 58
Foxtrot need: 56
Foxtrot need: 54
Foxtrot need: 52
Foxtrot need: 50
Foxtrot need: 48
Foxtrot need: 46
Foxtrot need: 44
Foxtrot need: 42
Foxtrot need: 40
Foxtrot need: 38
Foxtrot need: 36
Foxtrot need: 34
Foxtrot need: 32
Foxtrot need: 30
Foxtrot need: 28
Foxtrot need: 26
Foxtrot need: 24
Foxtrot need: 22
Foxtrot need: 20
Foxtrot need: 18
Foxtrot need: 16
Foxtrot need: 14
Foxtrot need: 12
Foxtrot need: 10
Foxtrot need: 8
Foxtrot need: 6
Foxtrot need: 4
Foxtrot need: 2
Foxtrot need: 0
Foxtrot finished
All finished!
)";

// kTenWholeShare: finish order Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet
const char* const kTenWholeShareTrace = R"(Alpha need: 5 slice: 5
Bravo need: 12 slice: 12
Charlie need: 0 slice: 1
Delta need: 7 slice: 7
Echo need: 30 slice: 30
Foxtrot need: 1 slice: 1
Golf need: 19 slice: 19
Hotel need: 3 slice: 3
India need: 8 slice: 8
Juliet need: 100 slice: 100
Alpha need: 0
Alpha finished
Bravo need: 0
Bravo finished
Charlie need: 0
Charlie finished
Delta need: 0
Delta finished
Echo need: 0
Echo finished
Foxtrot need: 0
Foxtrot finished
Golf need: 0
Golf finished
Hotel need: 0
Hotel finished
India need: 0
India finished
Juliet need: 0
Juliet finished
All finished!
)";

// kTenQuarterShare: finish order Echo Hotel Bravo Golf Alpha Charlie Foxtrot India Juliet Delta
const char* const kTenQuarterShareTrace = R"(Alpha need: 10 slice: 2
Bravo need: 3 slice: 1
Charlie need: 25 slice: 6
Delta need: 7 slice: 1
Echo need: 0 slice: 1
Foxtrot need: 41 slice: 10
Golf need: 16 slice: 4
Hotel need: 2 slice: 1
India need: 33 slice: 8
Juliet need: 9 slice: 2
Alpha need: 8
Bravo need: 2
Charlie need: 19
Delta need: 6
Echo need: 0
Echo finished
Foxtrot need: 31
Golf need: 12
Hotel need: 1
India need: 25
Juliet need: 7
Alpha need: 6
Bravo need: 1
Charlie need: 13
Delta need: 5
Foxtrot need: 21
Golf need: 8
Hotel need: 0
Hotel finished
India need: 17
Juliet need: 5
Alpha need: 4
Bravo need: 0
Bravo finished
Charlie need: 7
Delta need: 4
Foxtrot need: 11
Golf need: 4
India need: 9
Juliet need: 3
Alpha need: 2
Charlie need: 1
Delta need: 3
Foxtrot need: 1
Golf need: 0
Golf finished
India need: 1
Juliet need: 1
Alpha need: 0
Alpha finished
Charlie need: 0
Charlie finished
Delta need: 2
Foxtrot need: 0
Foxtrot finished
India need: 0
India finished
Juliet need: 0
Juliet finished
Delta need: 1
Delta need: 0
Delta finished
All finished!
)";


const Mix kSeedMix{{{"Task1", 12}, {"Task2", 11}}, 0.5};
const Mix kSoloMix{{{"Solo", 10}}, 0.5};
const Mix kNoTasksMix{{}, 0.5};
const Mix kZeroMixedMix{{{"Idle", 0}, {"Busy", 3}, {"Nil", 0}}, 0.5};
const Mix kZeroAloneMix{{{"Zero", 0}}, 1.0};
const Mix kTenSmallShareMix{{{"Alpha", 4}, {"Bravo", 0}, {"Charlie", 17}, {"Delta", 1}, {"Echo", 9},
                             {"Foxtrot", 230}, {"Golf", 2}, {"Hotel", 12}, {"India", 6}, {"Juliet", 3}},
                            0.01};
const Mix kTenWholeShareMix{{{"Alpha", 5}, {"Bravo", 12}, {"Charlie", 0}, {"Delta", 7}, {"Echo", 30},
                             {"Foxtrot", 1}, {"Golf", 19}, {"Hotel", 3}, {"India", 8}, {"Juliet", 100}},
                            1.0};
const Mix kTenQuarterShareMix{{{"Alpha", 10}, {"Bravo", 3}, {"Charlie", 25}, {"Delta", 7}, {"Echo", 0},
                               {"Foxtrot", 41}, {"Golf", 16}, {"Hotel", 2}, {"India", 33}, {"Juliet", 9}},
                              0.25};

// ---- the rule checker ---------------------------------------------------------------
//
// Reads a log line by line and reports the first rule it breaks, in words.
// It knows the mix (names, needs, share), so it can tell what every line
// should be without a stored trace.

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

bool parse_int(const std::string& text, int& value) {
    if (text.empty()) return false;
    std::size_t used = 0;
    try {
        value = std::stoi(text, &used);
    } catch (...) {
        return false;
    }
    return used == text.size();
}

int expected_slice(int need, double share) {
    return std::max(1, static_cast<int>(std::floor(need * share)));
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string check_rules(const Mix& mix, const std::string& log, const std::vector<std::string>& returned) {
    const std::size_t n = mix.tasks.size();
    struct State {
        bool started = false;
        bool finished = false;
        int slice = 0;
        int need = 0;                   // unclamped, what the task holds after its last turn
        std::vector<int> turns;         // positions in the sequence of all turns
    };
    std::vector<State> st(n);
    std::vector<std::string> finish_order;
    int turn_count = 0;
    int pending_finish = -1;            // a task whose "finished" line must come next
    bool all_finished = false;

    const std::vector<std::string> lines = split_lines(log);
    if (lines.empty()) return "the log is empty: nothing was written to the log stream.";

    auto index_of = [&](const std::string& name) -> int {
        for (std::size_t i = 0; i < n; ++i)
            if (mix.tasks[i].name == name) return static_cast<int>(i);
        return -1;
    };
    // The round-robin rule, checked each time task i takes a turn.
    auto take_turn = [&](int i) -> std::string {
        const int q = turn_count++;
        State& x = st[i];
        if (!x.turns.empty()) {
            const int p = x.turns.back();
            for (std::size_t j = 0; j < n; ++j) {
                if (static_cast<int>(j) == i) continue;
                const State& y = st[j];
                // y was waiting at p unless it had already finished before p.
                const bool waiting = !(y.finished && y.turns.back() < p);
                int between = 0;
                for (int t : y.turns)
                    if (t > p && t < q) ++between;
                const std::string& xn = mix.tasks[i].name;
                const std::string& yn = mix.tasks[j].name;
                if (waiting && between == 0)
                    return q == p + 1
                               ? xn + " got two slices in a row while " + yn +
                                     " was still waiting: between two slices of one task every "
                                     "other waiting task gets exactly one (append a task at the "
                                     "back of the queue, take the next one from the front)."
                               : "between two slices of " + xn + ", " + yn +
                                     " (still waiting) got none: every other waiting task gets "
                                     "exactly one slice in between.";
                if (between > 1)
                    return yn + " got " + std::to_string(between) + " slices between two slices of " +
                           xn + ": every other waiting task gets exactly one slice in between.";
            }
        }
        x.turns.push_back(q);
        return "";
    };

    for (std::size_t ln = 0; ln < lines.size(); ++ln) {
        const std::string& line = lines[ln];
        const std::string at = "line " + std::to_string(ln + 1) + " " + quote(line) + ": ";
        if (all_finished) return at + "comes after 'All finished!', which must be the last line.";
        if (line == "All finished!") {
            if (pending_finish >= 0)
                return at + "expected " + quote(mix.tasks[pending_finish].name + " finished") +
                       " first (its need reached 0).";
            for (std::size_t i = 0; i < n; ++i)
                if (!st[i].finished)
                    return at + "logged while " + mix.tasks[i].name + " had not finished yet.";
            all_finished = true;
            continue;
        }
        const std::size_t space = line.find(' ');
        const std::string name = line.substr(0, space);
        const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
        const int i = index_of(name);
        int value = 0, slice = 0;
        enum { kFinished, kLater, kFirst, kUnknown } kind = kUnknown;
        if (rest == "finished") {
            kind = kFinished;
        } else if (rest.rfind("need: ", 0) == 0) {
            const std::string nums = rest.substr(6);
            const std::size_t s = nums.find(" slice: ");
            if (s == std::string::npos) {
                if (parse_int(nums, value)) kind = kLater;
            } else if (parse_int(nums.substr(0, s), value) && parse_int(nums.substr(s + 8), slice)) {
                kind = kFirst;
            }
        }
        if (kind == kUnknown)
            return at + "is not in one of the log formats '<name> need: <need> slice: <slice>', "
                        "'<name> need: <need>', '<name> finished', 'All finished!'.";
        if (i < 0) return at + "there is no task called " + quote(name) + " in this mix.";
        State& x = st[i];
        const TaskSpec& spec = mix.tasks[i];
        if (pending_finish >= 0 && !(kind == kFinished && pending_finish == i))
            return at + "expected " + quote(mix.tasks[pending_finish].name + " finished") +
                   " right after its need reached 0.";
        if (kind == kFinished) {
            if (x.finished) return at + name + " finished twice.";
            if (pending_finish != i)
                return at + name + " finished although its need (" + std::to_string(std::max(x.need, 0)) +
                       ") has not reached 0.";
            x.finished = true;
            pending_finish = -1;
            finish_order.push_back(name);
            continue;
        }
        if (x.finished) return at + name + " got another turn after it had finished.";
        if (kind == kFirst) {
            if (x.started)
                return at + name + "'s first-turn line (need and slice) appears a second time: "
                                   "the slice is computed once, on the task's first turn, and "
                                   "never logged again.";
            for (int j = 0; j < i; ++j)
                if (!st[j].started)
                    return at + name + " had its first turn before " + mix.tasks[j].name +
                           ", but the tasks were given in the order " + mix.tasks[j].name + ", " + name +
                           ": the queue is first in, first out.";
            if (value != spec.need)
                return at + name + " was created with need " + std::to_string(spec.need) +
                       ", but its first turn reports " + std::to_string(value) +
                       ": the first resume() must only report the need (the task must not run "
                       "before that, and the slice handed to the first resume is ignored).";
            const int want = expected_slice(spec.need, mix.share);
            if (slice != want)
                return at + name + "'s slice should be max(1, floor(" + std::to_string(spec.need) + " * " +
                       [&] { std::ostringstream o; o << mix.share; return o.str(); }() + ")) = " +
                       std::to_string(want) + ", not " + std::to_string(slice) + ".";
            if (auto broken = take_turn(i); !broken.empty()) return at + broken;
            x.started = true;
            x.slice = want;
            x.need = spec.need;
            continue;
        }
        // kind == kLater
        if (!x.started)
            return at + name + " logged its need before its first turn (" +
                   quote(name + " need: " + std::to_string(spec.need) + " slice: " +
                         std::to_string(expected_slice(spec.need, mix.share))) +
                   "): does the task run before it is first resumed (eager start), or does the "
                   "first resume() already subtract a slice?";
        const int now = x.need - x.slice;
        if (value < 0)
            return at + name + " logged a negative need: the log shows max(need, 0).";
        if (value != std::max(now, 0)) {
            std::string msg = at + name + "'s need should drop by its slice (" + std::to_string(x.slice) +
                              ") every turn: after " + std::to_string(std::max(x.need, 0)) + " expected " +
                              quote(name + " need: " + std::to_string(std::max(now, 0))) + ".";
            const int recomputed = x.need - expected_slice(x.need, mix.share);
            if (value == std::max(recomputed, 0))
                msg += " It looks like the slice was recomputed from the current need: it is fixed "
                       "on the task's first turn.";
            return msg;
        }
        if (auto broken = take_turn(i); !broken.empty()) return at + broken;
        x.need = now;
        if (now <= 0) pending_finish = i;
    }
    if (pending_finish >= 0)
        return "the log ends right after " + mix.tasks[pending_finish].name +
               "'s need reached 0: expected " + quote(mix.tasks[pending_finish].name + " finished") + ".";
    for (std::size_t i = 0; i < n; ++i)
        if (!st[i].finished)
            return mix.tasks[i].name + " never finished (the log stops with its need at " +
                   std::to_string(std::max(st[i].started ? st[i].need : mix.tasks[i].need, 0)) + ").";
    if (!all_finished) return "the log does not end with 'All finished!'.";
    if (returned != finish_order)
        return "run_round_robin returned " + join(returned) + ", but the log shows the tasks finishing in the order " +
               join(finish_order) + ".";
    return "";
}

// ---- running a mix ------------------------------------------------------------------

struct RunResult {
    std::string log;                    // tasks and scheduler share one log here
    std::vector<std::string> finished;  // what run_round_robin returned
    std::string error;                  // non-empty: run_round_robin threw
};

RunResult run_mix(const Mix& mix) {
    RunResult result;
    CappedLog log;
    try {
        std::vector<Task> tasks;
        for (const TaskSpec& t : mix.tasks) tasks.push_back(round_robin::countdown(t.name, t.need, log));
        result.finished = round_robin::run_round_robin(std::move(tasks), mix.share, log);
    } catch (const LogTooLong& e) {
        result.error = std::string(e.what()) +
                       ": is some slice 0, so that a task's need never drops? (slice = max(1, floor(need * share)))";
    } catch (const std::exception& e) {
        result.error = std::string("run_round_robin threw an exception: ") + e.what();
    }
    result.log = log.str();
    return result;
}

std::string excerpt(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t k = from; k < std::min(to, lines.size()); ++k)
        out += "    " + std::to_string(k + 1) + ": " + lines[k] + "\n";
    if (lines.empty()) out += "    (empty)\n";
    return out;
}

// "" when the run matches the expected trace and finish order exactly.
std::string compare_with_trace(const Mix& mix, const std::string& expected_log, const RunResult& got) {
    const std::vector<std::string> want_lines = split_lines(expected_log);
    const std::vector<std::string> got_lines = split_lines(got.log);
    std::vector<std::string> want_order;
    for (const std::string& line : want_lines)
        if (line.size() > 9 && line.compare(line.size() - 9, 9, " finished") == 0)
            want_order.push_back(line.substr(0, line.size() - 9));

    std::ostringstream msg;
    msg << "For " << describe(mix) << ":\n";
    if (!got.error.empty()) msg << "  " << got.error << "\n";
    if (got.log != expected_log) {
        std::size_t k = 0;
        while (k < want_lines.size() && k < got_lines.size() && want_lines[k] == got_lines[k]) ++k;
        if (k == want_lines.size() && k == got_lines.size()) {
            msg << "  the lines are right but the text differs in its line endings: every line, the "
                   "last one included, ends with a single '\\n'.\n";
        } else {
            msg << "  the log differs from the expected one at line " << k + 1 << ":\n"
                << "    expected: " << (k < want_lines.size() ? want_lines[k] : "(the log ends here)") << "\n"
                << "    got:      " << (k < got_lines.size() ? got_lines[k] : "(the log ends here)") << "\n";
            const std::string rule = check_rules(mix, got.log, got.finished);
            if (!rule.empty()) msg << "  Which rule broke: " << rule << "\n";
            const std::size_t from = k > 6 ? k - 6 : 0;
            msg << "  expected log, lines " << from + 1 << " to " << std::min(k + 4, want_lines.size()) << " of "
                << want_lines.size() << ":\n"
                << excerpt(want_lines, from, k + 4) << "  your log, lines " << from + 1 << " to "
                << std::min(k + 4, got_lines.size()) << " of " << got_lines.size() << ":\n"
                << excerpt(got_lines, from, k + 4);
        }
        return msg.str();
    }
    if (!got.error.empty()) return msg.str();
    if (got.finished != want_order) {
        msg << "  the log is right, but run_round_robin returned " << join(got.finished)
            << "; it must return the names in the order the tasks finished: " << join(want_order) << "\n";
        return msg.str();
    }
    return "";
}

void expect_trace(const Mix& mix, const char* expected_log) {
    const RunResult got = run_mix(mix);
    const std::string problem = compare_with_trace(mix, expected_log, got);
    if (!problem.empty()) ADD_FAILURE() << problem;
}

// ---- the grader's own coroutines ------------------------------------------------

// Counts live copies of itself: tells whether a frame's locals and parameter
// copies were destroyed.
class Tracker {
public:
    explicit Tracker(int* live) : live_(live) { ++*live_; }
    Tracker(const Tracker& other) : live_(other.live_) { ++*live_; }
    Tracker(Tracker&& other) noexcept : live_(other.live_) { ++*live_; }
    Tracker& operator=(const Tracker&) = delete;
    ~Tracker() { --*live_; }
private:
    int* live_;
};

// A parameter copy in the frame, plus a local alive across every co_yield.
Task guarded(Tracker parameter, int* local_live, int yields) {
    Tracker local(local_live);
    for (int k = yields; k > 0; --k) co_yield k;
}

// Counts how far its body got. (It discards what co_yield evaluates to, so
// any promise design that supports `co_yield <int>;` compiles it.)
Task stepper(int* steps) {
    ++*steps;                       // runs at the first resume, not before
    co_yield 7;
    ++*steps;
    co_yield 1;
    ++*steps;
}

Task throws_after_first_yield() {
    co_yield 1;
    throw TaskFailure("boom from inside the task");
}

Task throws_at_once() {
    throw TaskFailure("thrown before the first co_yield");
    co_return;
}

// ---- traces ---------------------------------------------------------------------------

// The seed's two tasks: the log must be exactly the statement's trace.
TEST(Traces, seed_trace_matches_exactly) { expect_trace(kSeedMix, kSeedTrace); }

// One task alone gets every slice; an empty queue only says "All finished!".
TEST(Traces, single_task_and_empty_queue) {
    expect_trace(kSoloMix, kSoloTrace);
    expect_trace(kNoTasksMix, kNoTasksTrace);
}

// need 0: the slice is still at least 1, and the task needs one more turn to
// notice it is done.
TEST(Traces, zero_need_tasks) {
    expect_trace(kZeroMixedMix, kZeroMixedTrace);
    expect_trace(kZeroAloneMix, kZeroAloneTrace);
}

// Ten tasks: share 0.01 (most slices clamp up to 1, one is 2), share 1.0
// (each task finishes on its second turn, in queue order) and share 0.25.
TEST(Traces, ten_task_mixes) {
    expect_trace(kTenSmallShareMix, kTenSmallShareTrace);
    expect_trace(kTenWholeShareMix, kTenWholeShareTrace);
    expect_trace(kTenQuarterShareMix, kTenQuarterShareTrace);
}

// ---- rules on random mixes ------------------------------------------------------------

// The round-robin rules themselves, on 40 random mixes: the message names the
// rule that broke rather than a line number in a stored trace.
TEST(Rules, round_robin_rule_holds) {
    const double shares[] = {0.01, 0.1, 0.25, 0.5, 0.75, 1.0};
    kit::SplitMix rng(kit::seed());
    for (int m = 0; m < 40; ++m) {
        Mix mix;
        mix.share = shares[rng.below(6)];
        const int count = 1 + rng.below(8);
        for (int k = 0; k < count; ++k) {
            const int need = rng.below(10) == 0 ? 50 + rng.below(100) : rng.below(25);
            mix.tasks.push_back({"Job" + std::to_string(k + 1), need});
        }
        const RunResult got = run_mix(mix);
        std::string problem = got.error;
        if (problem.empty()) problem = check_rules(mix, got.log, got.finished);
        if (!problem.empty()) {
            ADD_FAILURE() << "For " << describe(mix) << " (random mix " << m + 1 << ", seed "
                          << kit::seed() << "):\n  " << problem << "\nYour log:\n"
                          << excerpt(split_lines(got.log), 0, 60);
            return;                 // one clear message is enough
        }
    }
}

// ---- the generator alone --------------------------------------------------------------

// Like a Python generator: creating a task runs none of its body; the first
// resume runs it up to the first co_yield and the slice it gets is ignored.
TEST(Countdown, tasks_start_lazily) {
    int steps = 0;
    Task t = stepper(&steps);
    EXPECT_EQ(steps, 0) << "Creating a task already ran its body: initial_suspend() must return "
                           "std::suspend_always so that nothing runs before the first resume().";
    EXPECT_FALSE(t.done()) << "A task that has not been resumed yet must not be done().";
    if (steps != 0) return;
    t.resume(0);
    EXPECT_EQ(steps, 1) << "The first resume() must run the body up to its first co_yield.";
    EXPECT_EQ(t.remaining(), 7) << "remaining() must return the value of the last co_yield (7 here).";
    EXPECT_FALSE(t.done());

    CappedLog log;
    Task c = round_robin::countdown("Lazy", 5, log);
    EXPECT_EQ(log.str(), "") << "Creating countdown(\"Lazy\", 5, log) wrote to the log.";
    EXPECT_FALSE(c.done()) << "A new countdown must not be done().";
    c.resume(99);
    EXPECT_EQ(log.str(), "") << "The first resume() of a countdown must only report its need: it "
                                "logs nothing and ignores the slice it is given (99 here).";
    EXPECT_EQ(c.remaining(), 5) << "After its first resume, countdown(\"Lazy\", 5, log) must report "
                                   "remaining() == 5 (the slice of the first resume is ignored).";
    EXPECT_FALSE(c.done()) << "countdown(\"Lazy\", 5, log) is done() after its first resume.";
}

// The slice reaches the coroutine: `int slice = co_yield need;` evaluates to
// the value handed to resume(). Also checks name() and the exact log lines.
TEST(Countdown, countdown_logs_each_step) {
    CappedLog log;
    Task t = round_robin::countdown("Step", 7, log);
    EXPECT_EQ(t.name(), "Step") << "name() must return the name given to countdown().";
    t.resume(0);
    ASSERT_EQ(t.remaining(), 7) << "After the first resume, remaining() must be the need (7).";
    t.resume(3);
    EXPECT_EQ(log.str(), "Step need: 4\n")
        << "resume(3) on a countdown with need 7 must log exactly \"Step need: 4\\n\"; the slice "
           "given to resume() must come out of co_yield in the task.";
    EXPECT_EQ(t.remaining(), 4) << "remaining() must return the last value the task yielded.";
    EXPECT_FALSE(t.done());
    t.resume(3);
    EXPECT_EQ(log.str(), "Step need: 4\nStep need: 1\n");
    ASSERT_FALSE(t.done()) << "A countdown with need 1 left is not done.";
    t.resume(3);
    EXPECT_EQ(log.str(), "Step need: 4\nStep need: 1\nStep need: 0\nStep finished\n")
        << "When the need drops to 0 or below, the task logs \"<name> need: 0\" (never a negative "
           "number) and then \"<name> finished\".";
    EXPECT_TRUE(t.done()) << "After logging \"finished\" the task must be done().";

    CappedLog exact;
    Task e = round_robin::countdown("Exact", 6, exact);
    e.resume(0);
    e.resume(3);
    e.resume(3);
    EXPECT_EQ(exact.str(), "Exact need: 3\nExact need: 0\nExact finished\n")
        << "A need that reaches exactly 0 also finishes the task.";
    EXPECT_TRUE(e.done());
}

// ---- frames -------------------------------------------------------------------------------

// Runs `scenario` and returns how many blocks it left allocated.
template <class F>
long long blocks_left_by(F&& scenario) {
    AllocWindow window;
    scenario();
    return window.still_live();
}

// Every frame freed exactly once, whatever state its task was dropped in.
// (A frame freed twice makes AddressSanitizer stop the test with
// "attempting double-free" or "heap-use-after-free".)
TEST(Frames, frames_freed_exactly_once) {
    check_leaks_in_this_test();
    struct Scenario {
        const char* what;
        void (*run)();
    };
    const Scenario scenarios[] = {
        {"dropping 20 tasks that were never resumed",
         [] {
             std::ostringstream log;
             for (int k = 0; k < 20; ++k) Task t = round_robin::countdown("Idle", 5, log);
         }},
        {"dropping 20 tasks suspended in the middle of their work",
         [] {
             std::ostringstream log;
             for (int k = 0; k < 20; ++k) {
                 Task t = round_robin::countdown("Half", 10, log);
                 t.resume(0);
                 t.resume(4);
             }
         }},
        {"dropping 20 tasks that ran to the end",
         [] {
             std::ostringstream log;
             for (int k = 0; k < 20; ++k) {
                 Task t = round_robin::countdown("Whole", 2, log);
                 t.resume(0);
                 t.resume(5);
             }
         }},
        {"moving tasks around (move construction, move assignment, a growing vector)",
         [] {
             std::ostringstream log;
             std::vector<Task> tasks;
             for (int k = 0; k < 20; ++k) tasks.push_back(round_robin::countdown("Moved", 3, log));
             Task a = std::move(tasks[0]);
             Task b = std::move(tasks[1]);
             b = std::move(a);                       // b's old frame must be freed here
             tasks[2] = std::move(b);
             tasks[3] = round_robin::countdown("Fresh", 1, log);
         }},
        {"run_round_robin with ten tasks",
         [] {
             std::ostringstream log;
             std::vector<Task> tasks;
             for (int k = 0; k < 10; ++k) tasks.push_back(round_robin::countdown("T" + std::to_string(k), k * 3, log));
             round_robin::run_round_robin(std::move(tasks), 0.5, log);
         }},
    };
    // Warm up: first uses of streams/locales may allocate once for good.
    { std::ostringstream warm; warm << 1 << "x" << '\n'; }
    for (const Scenario& s : scenarios) {
        const long long left = blocks_left_by(s.run);
        EXPECT_EQ(left, 0) << "After " << s.what << ", " << left
                           << (left > 0 ? " blocks of memory (coroutine frames) were never freed: every "
                                          "Task must destroy its frame (handle.destroy()) in ~Task, "
                                          "finished or not, and move assignment must destroy the frame "
                                          "it is replacing."
                                        : " more blocks were freed than allocated: a frame was "
                                          "destroyed twice.");
    }
}

// Frames dropped without destroy() must show up in LeakSanitizer. They are
// created in a non-inlined helper that has returned before the check, so no
// stale pointer on a live stack hides them.
[[gnu::noinline]] void make_and_drop_tasks(std::ostream& log) {
    std::vector<Task> kept;
    for (int k = 0; k < 100; ++k) {
        Task t = round_robin::countdown("Leaky" + std::to_string(k), 6, log);
        if (k % 4 >= 1) t.resume(0);
        if (k % 4 >= 2) t.resume(2);
        if (k % 4 == 3) t.resume(9);                 // finished
        if (k % 5 == 0) kept.push_back(std::move(t));
    }
    std::vector<Task> batch;
    for (int k = 0; k < 10; ++k) batch.push_back(round_robin::countdown("Batch" + std::to_string(k), k, log));
    round_robin::run_round_robin(std::move(batch), 0.3, log);
}

TEST(Frames, no_leaked_frames_under_lsan) {
    check_leaks_in_this_test();
    CappedLog log;
    try {
        make_and_drop_tasks(log);
    } catch (const std::exception& e) {
        FAIL() << "Creating, running and dropping tasks failed: " << e.what()
               << " (the traces tests say more).";
    }
#if defined(__SANITIZE_ADDRESS__)
    EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0)
        << "LeakSanitizer found memory that was never freed (its report, above, shows where it was "
           "allocated): tasks were created and dropped, and their coroutine frames leaked. ~Task "
           "must call handle.destroy() on the frame it owns.";
#endif
}

// destroy() on a suspended coroutine runs the destructors of its locals and of
// its parameter copies; a Task dropped before it finished must do that.
TEST(Frames, unfinished_task_destructors_run) {
    check_leaks_in_this_test();
    int params = 0, locals = 0;
    {
        Task t = guarded(Tracker(&params), &locals, 3);
    }
    EXPECT_EQ(params, 0) << "A task dropped before its first resume kept its parameter copies alive ("
                         << params << " left): ~Task must destroy the frame even if the task never ran.";
    params = locals = 0;
    {
        Task t = guarded(Tracker(&params), &locals, 3);
        t.resume(0);
        ASSERT_EQ(locals, 1) << "The grader's task should be suspended at its first co_yield with one local alive.";
    }
    EXPECT_EQ(locals, 0) << "A task dropped while suspended at a co_yield did not run the destructor of "
                            "its local variable: ~Task must call handle.destroy() whether or not the "
                            "coroutine has finished.";
    EXPECT_EQ(params, 0) << "A task dropped while suspended did not destroy its parameter copies.";
    params = locals = 0;
    {
        Task t = guarded(Tracker(&params), &locals, 1);
        t.resume(0);
        t.resume(1);
        ASSERT_TRUE(t.done()) << "The grader's task should have finished after two resumes.";
        EXPECT_EQ(locals, 0) << "A finished task's locals must be gone.";
    }
    EXPECT_EQ(params, 0) << "A finished task, once dropped, still had its parameter copies alive: the "
                            "frame was never destroyed.";
}

// After a move, exactly one Task owns the frame: dropping the moved-from one
// must not touch it (AddressSanitizer reports heap-use-after-free or a double
// free if it does).
TEST(Frames, moved_from_task_owns_nothing) {
    check_leaks_in_this_test();
    CappedLog log;
    auto source = std::make_unique<Task>(round_robin::countdown("Mover", 4, log));
    Task target = std::move(*source);
    source.reset();                                  // destroys the moved-from Task first
    target.resume(0);
    target.resume(2);
    target.resume(2);
    EXPECT_EQ(log.str(), "Mover need: 2\nMover need: 0\nMover finished\n")
        << "A task moved into another Task must keep working after the moved-from Task is destroyed.";
    EXPECT_TRUE(target.done());

    int params = 0, locals = 0;
    Task holder = guarded(Tracker(&params), &locals, 2);
    holder.resume(0);
    Task other = round_robin::countdown("Other", 3, log);
    holder = std::move(other);
    EXPECT_EQ(locals, 0) << "Move-assigning over a Task must destroy the frame it held before (its local "
                            "is still alive, so that frame leaked).";
    EXPECT_EQ(params, 0) << "Move-assigning over a Task must destroy the frame it held before.";
    holder.resume(0);
    EXPECT_EQ(holder.remaining(), 3) << "After `a = std::move(b)`, a must drive b's old frame.";
    EXPECT_EQ(holder.name(), "Other");
}

// ---- exceptions ------------------------------------------------------------------------

// unhandled_exception() keeps the exception; resume() rethrows it to its caller.
TEST(Exceptions, resume_rethrows_task_exception) {
    check_leaks_in_this_test();
    {
        Task t = throws_after_first_yield();
        t.resume(0);
        bool caught = false;
        try {
            t.resume(1);
        } catch (const TaskFailure& e) {
            caught = true;
            EXPECT_STREQ(e.what(), "boom from inside the task")
                << "resume() must rethrow the task's own exception object, unchanged.";
        } catch (const std::exception& e) {
            ADD_FAILURE() << "resume() threw a different exception (" << e.what()
                          << ") instead of rethrowing the task's own (std::rethrow_exception).";
            caught = true;
        }
        EXPECT_TRUE(caught) << "The task threw an exception, but resume() returned normally: "
                               "unhandled_exception() must keep it (std::current_exception()) and "
                               "resume() must rethrow it.";
    }
    {
        Task t = throws_at_once();
        EXPECT_THROW(t.resume(0), TaskFailure)
            << "A task that throws during its first resume(): the exception must reach the caller.";
    }
    {
        // The stream a countdown logs to fails: that exception too comes out of resume().
        ThrowingLog broken("the disk is full");
        Task t = round_robin::countdown("Writer", 3, broken);
        t.resume(0);
        EXPECT_THROW(t.resume(1), TaskFailure)
            << "countdown's log stream threw while the task wrote to it: resume() must rethrow it.";
    }
}

// An exception inside one task leaves run_round_robin, and the frames of all
// tasks, still queued or not, are freed on the way out.
TEST(Exceptions, scheduler_propagates_exceptions) {
    check_leaks_in_this_test();
    bool caught = false;
    std::string what;
    what.reserve(200);              // allocated before the window: only frames count
    std::vector<std::string> returned;
    const long long left = blocks_left_by([&] {
        std::ostringstream ok_log;
        ThrowingLog broken("Faulty could not write its log");
        std::vector<Task> tasks;
        tasks.push_back(round_robin::countdown("Steady", 4, ok_log));
        tasks.push_back(round_robin::countdown("Faulty", 6, broken));
        tasks.push_back(round_robin::countdown("Later", 3, ok_log));
        try {
            returned = round_robin::run_round_robin(std::move(tasks), 0.5, ok_log);
        } catch (const TaskFailure& e) {
            caught = true;
            what = e.what();
        } catch (const std::exception& e) {
            caught = true;
            what = std::string("a different exception: ") + e.what();
        }
        returned.clear();
        returned.shrink_to_fit();
    });
    EXPECT_TRUE(caught) << "Task \"Faulty\" threw on its second turn, but run_round_robin returned "
                           "normally: exceptions must not be swallowed (not in the promise, not in "
                           "the scheduler).";
    if (caught) {
        EXPECT_EQ(what, "Faulty could not write its log")
            << "run_round_robin must let the task's own exception through, unchanged.";
    }
    EXPECT_EQ(left, 0) << "After the exception left run_round_robin, " << left
                       << " blocks (coroutine frames) were never freed: the tasks still in the queue "
                          "must be destroyed while the exception unwinds.";
}

}  // namespace
