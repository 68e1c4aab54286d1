#pragma once
// From what a run did to a verdict, in the order judges use:
// grader error -> tampering -> timeout -> memory -> output limit -> sanitizer finding -> crash -> wrong output.
#include <string>
#include <vector>

#include "conclab/manifest.hpp"
#include "conclab/result.hpp"
#include "conclab/run.hpp"

namespace conclab {

struct RunEvidence {
    RunResult run;
    std::vector<Finding> findings;          // from sanitizers
    bool sanitizer_runtime_failure = false; // TSan/ASan failed to start: grader error
    std::string sanitizer_failure_text;
    std::vector<std::string> failed_assertions;   // from GoogleTest's JSON, or matcher messages
    bool gtest_ran = true;                  // the sealed "done" record arrived (program exercises: always)
    std::string tampering;                  // evidence that the run forged or hid evidence
};

// The verdict of one run of one test (status + student-facing message).
struct Verdict { Status status; std::string message; };
Verdict judge_run(const TestSpec& test, const RunEvidence& ev);

// Fills score fields: a passed test earns its points, anything else none.
void score_exercise(ExerciseResult& ex);
void score_submission(SubmissionResult& sub);

bool all_passed(const SubmissionResult& r);
bool any_status(const SubmissionResult& r, Status s);

// Signal name for messages ("SIGSEGV (segmentation fault)").
std::string describe_signal(int sig);

}  // namespace conclab
