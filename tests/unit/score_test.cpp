// Verdicts in the judges' order, and points.
#include <gtest/gtest.h>

#include <signal.h>

#include "conclab/score.hpp"

using namespace conclab;

namespace {

RunEvidence clean_run() {
    RunEvidence ev;
    ev.run.started = true;
    ev.run.exit_code = 0;
    return ev;
}

TestSpec test_spec() {
    TestSpec t;
    t.name = "t";
    t.points = 5;
    t.limits.wall = std::chrono::seconds(5);
    return t;
}

// A run the wall limit stopped, and a test with a 2 GiB memory limit.
RunEvidence stopped_by_the_clock() {
    RunEvidence ev = clean_run();
    ev.run.timed_out = true;
    ev.run.signal = SIGKILL;
    return ev;
}

TestSpec with_2_gib() {
    TestSpec t = test_spec();
    t.limits.memory = 2048ull << 20;
    return t;
}

}  // namespace

TEST(Judge, CleanRunPasses) {
    EXPECT_EQ(judge_run(test_spec(), clean_run()).status, Status::passed);
}

TEST(Judge, SandboxFailureIsTheGradersError) {
    RunEvidence ev = clean_run();
    ev.run.started = false;
    ev.run.start_error = "bwrap: no permission";
    ev.run.timed_out = true;  // even with other symptoms: error comes first
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::error);
    EXPECT_NE(v.message.find("bwrap: no permission"), std::string::npos);
}

TEST(Judge, SanitizerStartFailureIsTheGradersErrorNotTheStudents) {
    RunEvidence ev = clean_run();
    ev.run.exit_code = 66;  // docs/notes.md: the same exit code as a race
    ev.sanitizer_runtime_failure = true;
    ev.sanitizer_failure_text = "FATAL: ThreadSanitizer: unexpected memory mapping";
    EXPECT_EQ(judge_run(test_spec(), ev).status, Status::error);
}

TEST(Judge, TimeoutBeatsFindingsAndCrashes) {
    RunEvidence ev = clean_run();
    ev.run.timed_out = true;
    ev.run.signal = SIGKILL;
    ev.run.out.text = "line1\nline2\nlast words\n";
    ev.findings.push_back({"data race", "exercises/x/x.cpp", 3, "..."});
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::timeout);
    EXPECT_NE(v.message.find("5 s"), std::string::npos);
    EXPECT_NE(v.message.find("last words"), std::string::npos) << "shows the last lines printed";
}

TEST(Judge, MemoryLimitBeatsOutputLimit) {
    RunEvidence ev = clean_run();
    ev.run.out_of_memory = true;
    ev.run.output_limited = true;
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::crashed);
    EXPECT_NE(v.message.find("memory"), std::string::npos);
}

TEST(Judge, StoppedByTheClockHoldingAllItsMemoryIsOutOfMemory) {
    RunEvidence ev = stopped_by_the_clock();
    TestSpec t = with_2_gib();
    ev.run.memory_when_stopped = 1900ull << 20;
    Verdict v = judge_run(t, ev);
    EXPECT_EQ(v.status, Status::crashed);
    EXPECT_NE(v.message.find("memory"), std::string::npos);
    EXPECT_NE(v.message.find("1900 MiB"), std::string::npos);

    ev.run.memory_when_stopped = 600ull << 20;  // a hang that holds some memory
    EXPECT_EQ(judge_run(t, ev).status, Status::timeout);
}

TEST(Judge, StoppedByTheClockWhileFillingMemoryIsOutOfMemory) {
    // A busy machine: a quarter of the limit held, growing ~200 MiB/s.
    RunEvidence ev = stopped_by_the_clock();
    TestSpec t = with_2_gib();
    ev.run.memory_when_stopped = 526ull << 20;
    ev.run.memory_growth_per_s = 200ull << 20;
    Verdict v = judge_run(t, ev);
    EXPECT_EQ(v.status, Status::crashed);
    EXPECT_NE(v.message.find("526 MiB of its 2048 MiB"), std::string::npos) << v.message;
    EXPECT_NE(v.message.find("200 MiB more each second"), std::string::npos) << v.message;

    ev.run.memory_growth_per_s = 8ull << 20;  // holds some, barely growing: a hang
    EXPECT_EQ(judge_run(t, ev).status, Status::timeout);
    ev.run.memory_when_stopped = 100ull << 20;  // small and growing fast: not yet a hog
    ev.run.memory_growth_per_s = 200ull << 20;
    EXPECT_EQ(judge_run(t, ev).status, Status::timeout);
}

TEST(Judge, FindingFailsEvenWhenAssertionsPassed) {
    RunEvidence ev = clean_run();
    ev.run.exit_code = 66;
    ev.findings.push_back({"data race", "exercises/counter/counter.cpp", 14, "race"});
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::failed);
    EXPECT_NE(v.message.find("exercises/counter/counter.cpp:14"), std::string::npos);
}

TEST(Judge, SignalIsACrashAndNamed) {
    RunEvidence ev = clean_run();
    ev.run.exit_code.reset();
    ev.run.signal = SIGSEGV;
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::crashed);
    EXPECT_NE(v.message.find("SIGSEGV"), std::string::npos);
}

TEST(Judge, FailedAssertionsAreShownButCut) {
    RunEvidence ev = clean_run();
    ev.run.exit_code = 1;
    for (int i = 0; i < 5; ++i) ev.failed_assertions.push_back("failure " + std::to_string(i));
    Verdict v = judge_run(test_spec(), ev);
    EXPECT_EQ(v.status, Status::failed);
    EXPECT_NE(v.message.find("failure 0"), std::string::npos);
    EXPECT_EQ(v.message.find("failure 4"), std::string::npos);
    EXPECT_NE(v.message.find("2 more"), std::string::npos);
}

TEST(Judge, WrongExitCodeOfAProgram) {
    TestSpec t = test_spec();
    t.exit_code = 0;
    RunEvidence ev = clean_run();
    ev.run.exit_code = 3;
    Verdict v = judge_run(t, ev);
    EXPECT_EQ(v.status, Status::failed);
    EXPECT_NE(v.message.find("code 3"), std::string::npos);
}

TEST(Judge, GoogleTestThatNeverReportedIsACrash) {
    RunEvidence ev = clean_run();
    ev.gtest_ran = false;
    EXPECT_EQ(judge_run(test_spec(), ev).status, Status::crashed);
}

TEST(Score, OnlyPassedTestsEarnPoints) {
    ExerciseResult ex;
    ex.tests = {{.name = "a", .status = Status::passed, .max_score = 5},
                {.name = "b", .status = Status::failed, .max_score = 3},
                {.name = "c", .status = Status::timeout, .max_score = 2}};
    score_exercise(ex);
    EXPECT_DOUBLE_EQ(ex.score, 5);
    EXPECT_DOUBLE_EQ(ex.max_score, 10);
    SubmissionResult sub;
    sub.exercises = {ex, ex};
    score_submission(sub);
    EXPECT_DOUBLE_EQ(sub.score, 10);
    EXPECT_DOUBLE_EQ(sub.max_score, 20);
}

TEST(Judge, TimeoutNamesTheProcessLimitWhenHit) {
    TestSpec t = test_spec();
    t.limits.processes = 64;
    RunEvidence ev = clean_run();
    ev.run.timed_out = true;
    ev.run.process_limited = true;
    Verdict v = judge_run(t, ev);
    EXPECT_EQ(v.status, Status::timeout);
    EXPECT_NE(v.message.find("limit of 64 processes"), std::string::npos) << v.message;
}
