#pragma once
// The pipeline: manifest -> build -> run (sandbox) -> analyze -> score.
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <stop_token>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/result.hpp"
#include "conclab/run.hpp"

namespace conclab {

struct GradeOptions {
    std::vector<std::string> exercises;     // empty: all
    bool visible_only = false;              // `make check`: skip hidden tests
    std::vector<std::string> tests;         // empty: all; else only these (by manifest name)
    std::optional<std::uint64_t> seed;      // replay: this seed for every test instead of its own
    std::filesystem::path scratch_root;     // where scratch dirs go (default: temp)
    bool keep_scratch = false;
    std::function<void(const std::string&)> progress;   // optional status lines ("counter: building")
    // Optional: called as soon as each test is decided, before the others run
    // (its score is not set yet: it earns max_score if and only if it passed).
    std::function<void(const std::string& exercise, const TestResult&)> on_test;
    // Tests of one exercise run at once, at most this many (each is its own
    // sandboxed process); a test marked `exclusive` runs alone. 1: one after
    // another; 0: default_test_jobs(). Verdicts must not depend on it, and
    // `make test` proves they do not (docs/design.md, "Concurrent tests").
    int test_jobs = 0;
    // With test_jobs 1, tests marked `waits` still run beside the others (at
    // most 4): batch gives the cores to submissions (test_jobs = cores / jobs,
    // so 1), and udp_chat's waiting tests then sat out their windows one
    // after another. False keeps test_jobs 1 strictly one at a time, which
    // verify's first grading and calibration rely on.
    bool waiting_tests_overlap = false;
    // Optional: the machine check (run_canary) started beside the build; its
    // verdict ("" = fine) is awaited after the build, before the first test
    // runs. It takes 0.6 s, which used to come before every compile.
    std::shared_future<std::string> machine_check;
    std::stop_token stop;   // once requested: no further build or test; the rest are `error`, not graded
};

// The cores this process may run on (its CPU affinity): how many tests of
// one grading run at once by default.
int default_test_jobs();

SubmissionResult grade_submission(const Course& course, const Submission& sub, Runner& runner,
                                  const Toolchain& tc, const GradeOptions& opt);

ExerciseResult grade_exercise(const Course& course, const Exercise& ex, const Submission& sub,
                              Runner& runner, const Toolchain& tc, const GradeOptions& opt);

// What a submission gets when the grader itself failed (no sandbox, a failed
// canary): every selected test `error`, with its points, hint and hidden flag,
// so reports still say what each test is; never a student's failure.
SubmissionResult grader_error_result(const std::vector<const Exercise*>& exercises, const std::string& id,
                                     const std::string& why, bool visible_only = false);

// Proves the runner + TSan work on this machine: a known race must be reported,
// a clean program must not. Returns "" if fine, else what went wrong.
std::string run_canary(Runner& runner, const Toolchain& tc, const std::filesystem::path& scratch);

}  // namespace conclab
