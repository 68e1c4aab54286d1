// Calibrated time limits: max(floor, factor x the reference's time) unless the
// manifest pins the test; a stale or broken calibration is named precisely.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "conclab/calibration.hpp"

namespace fs = std::filesystem;
using namespace conclab;

namespace {

const char* kManifest = R"(name: ex
points: 3
files: [ex.hpp, ex.cpp]
limits: {wall: 20s}
calibration: {factor: 5, floor: 2s}
builds:
  tsan:
    sources: [ex_test.cpp]
tests:
  - name: quick
    points: 1
    build: tsan
  - name: slow
    points: 1
    build: tsan
  - name: pinned
    points: 1
    build: tsan
    timeout: 30s
)";

// A course tree with one exercise, its grader and its reference.
class CalibrationTest : public ::testing::Test {
protected:
    fs::path root;
    void SetUp() override {
        root = fs::temp_directory_path() / ("conclab-calibration-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        put("graders/ex/ex_test.cpp", "// test\n");
        put("reference/ex/ex.cpp", "// reference\n");
        put("exercises/ex/ex.cpp", "// stub\n");
        put("exercises/ex/README.md", "statement\n");
        put("exercises/ex/exercise.yaml", kManifest);
    }
    void TearDown() override { fs::remove_all(root); }
    void put(const std::string& rel, const std::string& text) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text;
    }
    fs::path manifest() const { return root / "exercises" / "ex" / "exercise.yaml"; }
    Calibration measured(const Course& c) const {
        Calibration cal;
        cal.exercise = "ex";
        cal.sources = calibration_sources(c, c.exercises.at(0));
        cal.runs = 3;
        cal.seconds = {{"quick", 0.05}, {"slow", 1.23}, {"pinned", 0.5}};
        return cal;
    }
    const TestSpec& test(const Exercise& ex, const std::string& name) {
        for (const auto& t : ex.tests)
            if (t.name == name) return t;
        throw std::runtime_error("no test " + name);
    }
};

}  // namespace

TEST_F(CalibrationTest, LimitIsTheFloorOrTheFactorTimesTheReferenceUnlessPinned) {
    Exercise ex = load_exercise(manifest());
    EXPECT_EQ(test(ex, "quick").limits.wall, std::chrono::seconds(20));   // not calibrated: the exercise's
    EXPECT_NE(test(ex, "quick").limit_rule.find("not calibrated"), std::string::npos);
    Calibration cal;
    cal.seconds = {{"quick", 0.05}, {"slow", 1.23}, {"pinned", 0.5}};
    apply_calibration(ex, cal);
    EXPECT_EQ(test(ex, "quick").limits.wall, std::chrono::seconds(2));          // 5 x 0.05 s < the floor
    EXPECT_NE(test(ex, "quick").limit_rule.find("floor"), std::string::npos);
    EXPECT_EQ(test(ex, "slow").limits.wall, std::chrono::milliseconds(6200));   // 5 x 1.23 s, up to a tenth
    EXPECT_NE(test(ex, "slow").limit_rule.find("5 × the reference solution's 1.23 s"), std::string::npos);
    EXPECT_EQ(test(ex, "pinned").limits.wall, std::chrono::seconds(30));
    EXPECT_EQ(test(ex, "pinned").limit_rule, "set for this test in exercise.yaml");
}

TEST_F(CalibrationTest, WrittenFileIsReadBackAndAppliedByTheCourse) {
    Course c = Course::load(root);
    put("exercises/ex/calibration.yaml", calibration_yaml(measured(c)));
    auto back = load_calibration(calibration_path(manifest()));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seconds.at("slow"), 1.23);
    EXPECT_EQ(back->runs, 3);
    Course again = Course::load(root);
    EXPECT_EQ(test(again.exercises.at(0), "slow").limits.wall, std::chrono::milliseconds(6200));
    EXPECT_TRUE(check_calibration(again, again.exercises.at(0)).empty());
}

TEST_F(CalibrationTest, CheckFailsWhenGraderOrReferenceChangesButNotTheStatement) {
    Course c = Course::load(root);
    put("exercises/ex/calibration.yaml", calibration_yaml(measured(c)));
    put("exercises/ex/README.md", "a reworded statement\n");
    put("exercises/ex/ex.cpp", "// the stub, edited\n");
    EXPECT_TRUE(check_calibration(c, c.exercises.at(0)).empty());
    put("graders/ex/ex_test.cpp", "// a changed test\n");
    auto problems = check_calibration(c, c.exercises.at(0));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("conclab calibrate ex"), std::string::npos) << problems[0];
    put("graders/ex/ex_test.cpp", "// test\n");
    put("reference/ex/ex.cpp", "// a faster reference\n");
    EXPECT_EQ(check_calibration(c, c.exercises.at(0)).size(), 1u);
}

TEST_F(CalibrationTest, CheckNamesMissingFileAndUntimedTests) {
    Course c = Course::load(root);
    auto missing = check_calibration(c, c.exercises.at(0));
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_NE(missing[0].find("calibration.yaml is missing"), std::string::npos) << missing[0];
    Calibration cal = measured(c);
    cal.seconds.erase("slow");
    cal.seconds["gone"] = 1;
    put("exercises/ex/calibration.yaml", calibration_yaml(cal));
    auto problems = check_calibration(c, c.exercises.at(0));
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("no time for test slow"), std::string::npos) << problems[0];
    EXPECT_NE(problems[1].find("gone"), std::string::npos) << problems[1];
}

TEST_F(CalibrationTest, BrokenFileNamesFileLineAndKey) {
    put("exercises/ex/calibration.yaml", "exercise: ex\nsources: abc\nruns: 3\nseconds:\n  quick: fast\n");
    try {
        load_calibration(calibration_path(manifest()));
        FAIL() << "a non-number time loaded";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.line(), 5);
        EXPECT_EQ(e.key(), "seconds.quick");
        EXPECT_NE(std::string(e.what()).find("calibration.yaml"), std::string::npos);
    }
    put("exercises/ex/calibration.yaml", "exercise: ex\nruns: 3\nseconds: {}\n");
    try {
        Course::load(root);
        FAIL() << "a calibration without sources loaded";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.key(), "sources");
    }
}

TEST_F(CalibrationTest, ManifestRejectsAFactorBelowOne) {
    std::string yaml = kManifest;
    yaml.replace(yaml.find("factor: 5"), 9, "factor: 0.5");
    put("exercises/ex/exercise.yaml", yaml);
    try {
        load_exercise(manifest());
        FAIL() << "factor 0.5 loaded";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.key(), "calibration.factor");
        EXPECT_EQ(e.line(), 5);
    }
}
