// What a build does again after an edit (docs/design.md, "Build caches"):
// the header probe is compiled once per text of the student's header, so an
// edit of the .cpp compiles the .cpp alone; an edit of the header compiles
// the probe again and checks it again. And the machine check that runs beside
// the build (GradeOptions::machine_check) turns a failure into `error`
// before any test runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/config.hpp"
#include "conclab/course.hpp"
#include "conclab/grade.hpp"
#include "conclab/sandbox.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

// Passes every run on to a real runner and keeps the command lines.
class RecordingRunner : public Runner {
public:
    RunResult run(const RunSpec& spec) override {
        {
            std::lock_guard lock(m_);
            argvs_.push_back(spec.argv);
        }
        return real_->run(spec);
    }
    std::string tier() const override { return real_->tier(); }
    bool isolated() const override { return real_->isolated(); }
    // Compiles (not -E) of the given source, since the last clear().
    int compiles_of(const std::string& source_name) {
        std::lock_guard lock(m_);
        return static_cast<int>(std::count_if(argvs_.begin(), argvs_.end(), [&](const std::vector<std::string>& a) {
            bool names = std::any_of(a.begin(), a.end(), [&](const std::string& s) {
                return fs::path(s).filename() == source_name;
            });
            return names && std::find(a.begin(), a.end(), "-c") != a.end() &&
                   std::find(a.begin(), a.end(), "-E") == a.end();
        }));
    }
    int programs_run(const std::string& compiler) {
        std::lock_guard lock(m_);
        return static_cast<int>(std::count_if(argvs_.begin(), argvs_.end(), [&](const std::vector<std::string>& a) {
            return !a.empty() && a[0] != compiler;
        }));
    }
    void clear() {
        std::lock_guard lock(m_);
        argvs_.clear();
    }

private:
    std::unique_ptr<Runner> real_ = make_runner(Tier::bare);
    std::mutex m_;
    std::vector<std::vector<std::string>> argvs_;
};

struct Fixture {
    fs::path root = fs::temp_directory_path() / ("conclab-build-reuse-" + std::to_string(::getpid()));
    Course course = Course::load(config::source_dir);
    const Exercise* ex = nullptr;
    Toolchain tc = Toolchain::from_config();
    RecordingRunner runner;
    int scratches = 0;

    Fixture() {
        fs::remove_all(root);
        for (const auto& e : course.exercises)
            if (e.name == "counter") ex = &e;
        fs::create_directories(root / "sub" / "exercises" / "counter");
        for (const auto& f : ex->files)
            fs::copy_file(fs::path(config::source_dir) / "exercises" / "counter" / f,
                          root / "sub" / "exercises" / "counter" / f);
        tc.cache_dir = root / "cache";   // this test's own caches, empty at first
    }
    ~Fixture() { fs::remove_all(root); }
    void append(const std::string& file, const std::string& text) {
        std::ofstream(root / "sub" / "exercises" / "counter" / file, std::ios::app) << text;
    }
    BuildOutcome build() {
        runner.clear();
        fs::path scratch = root / ("scratch-" + std::to_string(scratches++));
        fs::create_directories(scratch);
        return build_exercise(tc, course, *ex, Submission::handout(root / "sub"), scratch, runner);
    }
};

TEST(BuildReuse, AnEditOfTheCppAloneDoesNotCompileTheHeaderProbeAgain) {
    Fixture f;
    ASSERT_NE(f.ex, nullptr);
    BuildOutcome first = f.build();
    ASSERT_TRUE(first.ok) << first.message;
    const int probes = f.runner.compiles_of("header_probe.cpp");
    EXPECT_GE(probes, 1) << "the first build compiles the probe";

    f.append("counter.cpp", "\n// an edit\n");
    BuildOutcome second = f.build();
    ASSERT_TRUE(second.ok) << second.message;
    EXPECT_FALSE(second.from_cache) << "the .cpp changed: the whole build is not the same";
    EXPECT_GE(f.runner.compiles_of("counter.cpp"), 1) << "the edited .cpp is compiled";
    EXPECT_EQ(f.runner.compiles_of("header_probe.cpp"), 0) << "the header did not change";

    f.append("counter.hpp", "\ninline int an_edit_of_the_header() { return 1; }\n");
    BuildOutcome third = f.build();
    ASSERT_TRUE(third.ok) << third.message;
    EXPECT_EQ(f.runner.compiles_of("header_probe.cpp"), probes) << "a new header text is compiled and checked";
}

TEST(BuildReuse, ACachedProbeDoesNotHideAHeaderThatRunsCodeBeforeMain) {
    Fixture f;
    ASSERT_NE(f.ex, nullptr);
    ASSERT_TRUE(f.build().ok);
    // Code the header alone makes run before main: the probe's object shows it.
    f.append("counter.hpp", "\n#include <unistd.h>\n__attribute__((constructor)) static void runs_before_main() { ::_exit(0); }\n");
    BuildOutcome b = f.build();
    EXPECT_FALSE(b.ok);
    EXPECT_TRUE(b.tampered) << b.message;
    EXPECT_GE(f.runner.compiles_of("header_probe.cpp"), 1);
}

TEST(MachineCheck, AFailureBesideTheBuildIsAnErrorAndRunsNoTest) {
    Fixture f;
    ASSERT_NE(f.ex, nullptr);
    std::promise<std::string> verdict;
    verdict.set_value("the canary's race was not reported");
    GradeOptions opt;
    opt.exercises = {"counter"};
    opt.machine_check = verdict.get_future().share();
    opt.scratch_root = f.root;
    SubmissionResult r = grade_submission(f.course, Submission::handout(f.root / "sub"), f.runner, f.tc, opt);
    ASSERT_EQ(r.exercises.size(), 1u);
    ASSERT_FALSE(r.exercises[0].tests.empty());
    for (const auto& t : r.exercises[0].tests) {
        EXPECT_EQ(t.status, Status::error) << t.name;
        EXPECT_NE(t.message.find("cannot grade on this machine: the canary's race was not reported"),
                  std::string::npos)
            << t.message;
    }
    EXPECT_EQ(f.runner.programs_run(f.tc.cxx), 0) << "no test may run on a machine that failed its check";
}

}  // namespace
}  // namespace conclab
