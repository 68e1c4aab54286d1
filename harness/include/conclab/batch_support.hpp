#pragma once
// What the two `conclab batch` backends (local threads, Slurm job array) share:
// finding the students and what must be graded again (resume), storing one
// result (results.json + one gradebook transaction), the live progress line,
// Ctrl-C handling and the summary. Only batch.cpp and slurm.cpp use it; one
// copy of this code means the backends cannot drift apart in what they store.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "conclab/batch.hpp"
#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/result.hpp"
#include "conclab/run.hpp"

namespace conclab::batch_support {

// ---------------------------------------------------------------- signals

// SIGINT/SIGTERM: the first sets stopping(), prints `first_message` and
// requests `stop`, if given (the gradings in progress end at their next step,
// GradeOptions::stop); the second restores the default action and re-raises
// (quits at once). stopping() is set in the handler itself; `stop` is
// requested a moment later by a thread of the scope (request_stop is not
// async-signal-safe), so stop requested implies stopping(), and a result must
// be checked with stopping() to be trusted.
struct SignalScope {
    explicit SignalScope(const char* first_message, std::stop_source stop = std::stop_source(std::nostopstate));
    ~SignalScope();
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;

private:
    struct Saved;
    Saved* saved_;
};
bool stopping();

// ---------------------------------------------------------------- the plan

struct Student {
    std::string id;
    std::filesystem::path dir;    // the student's folder in SUBMISSIONS
    std::filesystem::path root;   // the submission root inside it (laid out like the handout)
    std::string hash;
};

struct Plan {
    std::vector<const Exercise*> exercises;   // the ones asked for (all by default)
    std::vector<std::string> order;           // every exercise name, CSV column order
    std::vector<Student> students;            // every student, sorted by id
    std::vector<Student> todo;                // missing, changed, `error`, or --regrade
    std::size_t skipped = 0;                  // graded and unchanged
};

// Lists SUBMISSIONS, hashes every submission and decides what to grade.
Plan make_plan(const Course& course, const BatchOptions& opt, const Gradebook& gb);

// A student folder is the submission itself, or (as unpacked archives often
// are) holds exactly one folder that is.
std::filesystem::path submission_root(const std::filesystem::path& dir);

// What decides whether a submission must be graded again.
std::string content_hash(const std::vector<const Exercise*>& exercises, const Submission& sub);

// ---------------------------------------------------------------- grading

// One student, as both backends grade one: the grader's own failure (an
// exception) is `failure` and no result. A grading cut short by `stop` comes
// back as a result too; the caller checks stopping() and drops it.
struct Graded {
    std::optional<SubmissionResult> result;
    std::string failure;
};
Graded grade_student(const Course& course, const Student& s, Runner& runner, const Toolchain& tc, int test_jobs,
                     const std::vector<std::string>& exercises, std::stop_token stop);

// ---------------------------------------------------------------- storing

// Results are written with write_file_atomic (files.hpp): a reader, a crash or
// another node sees the old file or the whole new one, never half of it.
struct Stored {
    std::string line;      // "alice: 17 / 20", "bob: ERROR …"
    bool error = false;    // stored as `error`: graded again next run
    bool below_full = false;
};
// DIR/<student>/results.json, then the gradebook row, for a result or (when
// `failure` is set) for the grader's own failure. `node`: where it was graded.
Stored store(Gradebook& gb, std::int64_t run, const std::filesystem::path& out, const Student& s,
             const std::optional<SubmissionResult>& result, const std::string& failure,
             const std::vector<const Exercise*>& exercises, const std::string& node);

// ---------------------------------------------------------------- progress

std::string fmt_num(double v);
std::string fmt_duration(double seconds);
std::string hostname();

// Holds DIR/.conclab-batch.lock: two batches writing one gradebook would
// grade the same students twice.
class DirLock {
public:
    explicit DirLock(const std::filesystem::path& dir);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    int fd_ = -1;
};

// One line per finished submission ("[ 3/12] alice: 17 / 20  (8.1 s)") and,
// on a terminal, a live status line below them.
class Progress {
public:
    Progress(std::size_t total, bool live);

    void started(const std::string& id);
    void finished(const std::string& id, const std::string& line, bool below_full, bool error, bool abandoned);
    // Slurm: the queue as squeue sees it (the live line then shows pending too).
    void queue(std::size_t running, std::size_t pending);
    void tick();
    void close();
    std::size_t done() const;
    double elapsed() const;

private:
    void clear_locked();
    void draw_locked();

    mutable std::mutex mu_;
    std::size_t total_;
    bool live_;
    std::chrono::steady_clock::time_point start_;
    std::size_t done_ = 0, below_full_ = 0, errors_ = 0;
    std::set<std::string> running_;
    std::optional<std::size_t> queue_running_, queue_pending_;
    bool drawn_ = false;
};

void print_summary(const Gradebook& gb, std::ostream& out);

// The end of every batch: CSV export, the run's state, "graded N in …", the
// summary, and the exit code (0 all graded, 2 grader errors, 130 interrupted).
int finish(Gradebook& gb, std::int64_t run, const Plan& plan, const BatchOptions& opt, const Progress& progress,
           bool interrupted, std::size_t errors, std::size_t abandoned);

}  // namespace conclab::batch_support
