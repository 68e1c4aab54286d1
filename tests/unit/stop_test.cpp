// Cancellation: SignalScope turns the first SIGINT/SIGTERM into
// stopping() and a requested std::stop_source, and a grading whose
// GradeOptions::stop is requested builds and runs nothing more.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>

#include "conclab/batch_support.hpp"
#include "conclab/config.hpp"
#include "conclab/course.hpp"
#include "conclab/grade.hpp"

namespace conclab {
namespace {

using namespace std::chrono_literals;
using batch_support::SignalScope;
using batch_support::stopping;

bool requested_soon(const std::stop_source& stop) {
    for (int i = 0; i < 2000 && !stop.stop_requested(); ++i) std::this_thread::sleep_for(1ms);
    return stop.stop_requested();
}

TEST(SignalScope, TheFirstSignalSetsStoppingAndRequestsTheStop) {
    for (int sig : {SIGINT, SIGTERM}) {
        std::stop_source stop;
        SignalScope scope("", stop);
        EXPECT_FALSE(stopping());
        EXPECT_FALSE(stop.stop_requested());
        ::raise(sig);   // the handler runs in this thread, before raise returns
        EXPECT_TRUE(stopping());
        EXPECT_TRUE(requested_soon(stop)) << sig;
    }
}

TEST(SignalScope, EndsCleanlyWithoutASignalAndWithoutAStopSource) {
    std::stop_source stop;
    { SignalScope scope("", stop); }
    EXPECT_FALSE(stop.stop_requested());
    { SignalScope scope(""); }
    EXPECT_FALSE(stopping());
}

// Counts runs: a stopped grading must not start any program.
class CountingRunner : public Runner {
public:
    RunResult run(const RunSpec&) override {
        ++runs;
        return {};
    }
    std::string tier() const override { return "counting"; }
    bool isolated() const override { return false; }
    int runs = 0;
};

TEST(GradeOptionsStop, ARequestedStopBuildsAndRunsNothing) {
    Course course = Course::load(config::source_dir);
    ASSERT_FALSE(course.exercises.empty());
    const Exercise& ex = course.exercises.front();
    Submission sub = Submission::handout(config::source_dir, "stopped");
    CountingRunner runner;
    std::stop_source stop;
    stop.request_stop();
    GradeOptions opt;
    opt.exercises = {ex.name};
    opt.stop = stop.get_token();
    auto start = std::chrono::steady_clock::now();
    SubmissionResult r = grade_submission(course, sub, runner, Toolchain::from_config(), opt);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "it built something";
    EXPECT_EQ(runner.runs, 0);
    ASSERT_EQ(r.exercises.size(), 1u);
    ASSERT_FALSE(r.exercises[0].tests.empty());
    for (const auto& t : r.exercises[0].tests) {
        EXPECT_EQ(t.status, Status::error) << t.name;
        EXPECT_NE(t.message.find("not graded"), std::string::npos) << t.message;
    }
}

}  // namespace
}  // namespace conclab
