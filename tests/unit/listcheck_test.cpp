// `conclab list --check` without a build: the listing parser, GoogleTest's
// filter rule, and the check itself on listings written here (one that holds
// and several that must fail). tests/list_check_fails.sh proves the same on a
// real build with a deliberately broken manifest.
#include <gtest/gtest.h>

#include <fstream>

#include "conclab/listcheck.hpp"
#include "conclab/manifest.hpp"

namespace fs = std::filesystem;
using namespace conclab;

namespace {

TEST(ParseGtestList, SuitesTestsAndComments) {
    const std::string out =
        "[ seed     ] CONCLAB_SEED=5\n"
        "CounterRaces.\n"
        "  increments_are_not_lost\n"
        "  tickets_are_never_oversold\n"
        "Typed/0.  # TypeParam = int\n"
        "  works\n"
        "Inst/Param.\n"
        "  each/0  # GetParam() = 1\n";
    EXPECT_EQ(parse_gtest_list(out),
              (std::vector<std::string>{"CounterRaces.increments_are_not_lost", "CounterRaces.tickets_are_never_oversold",
                                        "Typed/0.works", "Inst/Param.each/0"}));
}

TEST(GtestFilter, DefaultRuleMatchesAnySuite) {
    EXPECT_EQ(default_gtest_filter("never_blocks"), "*.never_blocks");
    EXPECT_TRUE(gtest_filter_matches("*.never_blocks", "NoBlocking.never_blocks"));
    EXPECT_FALSE(gtest_filter_matches("*.never_blocks", "NoBlocking.never_blocks_twice"));
    EXPECT_FALSE(gtest_filter_matches("*.never_blocks", "NoBlocking.NeverBlocks"));
}

TEST(GtestFilter, WildcardsListsAndNegatives) {
    EXPECT_TRUE(gtest_filter_matches("A.b?d", "A.bad"));
    EXPECT_TRUE(gtest_filter_matches("X.*:A.*", "A.x"));
    EXPECT_FALSE(gtest_filter_matches("A.*-A.slow", "A.slow"));
    EXPECT_TRUE(gtest_filter_matches("-A.slow", "B.fast"));
    EXPECT_TRUE(gtest_filter_matches("*", "Any.thing"));
}

class CheckNames : public ::testing::Test {
protected:
    fs::path root;
    Exercise ex;
    void SetUp() override {
        root = fs::temp_directory_path() / ("conclab-listcheck-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        fs::create_directories(root / "exercises" / "ex");
        fs::create_directories(root / "graders" / "ex");
        std::ofstream(root / "graders" / "ex" / "ex_test.cpp") << "#include <gtest/gtest.h>\n"
                                                                  "TEST(Basics, works) {}\n"
                                                                  "TEST(Races, no_race) {}\n"
                                                                  "TEST(Races, Extra) {}\n";
        std::ofstream(root / "exercises" / "ex" / "exercise.yaml") << R"(name: ex
title: An exercise
points: 3
files: [ex.hpp, ex.cpp]
builds:
  tsan:
    sources: [ex_test.cpp]
  release:
    sanitizer: none
    sources: [ex_test.cpp]
tests:
  - name: works
    points: 1
    build: tsan
  - name: no_race
    points: 1
    build: tsan
  - name: fast
    points: 1
    build: release
    gtest: Races.no_race
)";
        ex = load_exercise(root / "exercises" / "ex" / "exercise.yaml");
    }
    void TearDown() override { fs::remove_all(root); }
    std::vector<std::string> check(std::map<std::string, std::vector<std::string>> listed) {
        return check_test_names(ex, root / "graders" / "ex", listed);
    }
};

TEST_F(CheckNames, HoldsWhenEveryNameMatchesOnce) {
    const std::vector<std::string> all = {"Basics.works", "Races.no_race"};
    EXPECT_EQ(check({{"tsan", all}, {"release", all}}), std::vector<std::string>{});
}

TEST_F(CheckNames, ManifestTestWithoutATest) {
    auto problems = check({{"tsan", {"Basics.works"}}, {"release", {"Basics.works", "Races.no_race"}}});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("exercises/ex/exercise.yaml: test no_race"), std::string::npos) << problems[0];
    EXPECT_NE(problems[0].find("matches no GoogleTest test"), std::string::npos) << problems[0];
}

TEST_F(CheckNames, TestNoManifestClaimsNamesFileAndLine) {
    const std::vector<std::string> all = {"Basics.works", "Races.no_race", "Races.Extra"};
    auto problems = check({{"tsan", all}, {"release", all}});
    ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems[0].find("graders/ex/ex_test.cpp:4: TEST Races.Extra is claimed by no test"), std::string::npos)
        << problems[0];
}

TEST_F(CheckNames, OneFilterMatchingTwoTests) {
    const std::vector<std::string> all = {"Basics.works", "Races.no_race", "Other.works"};
    auto problems = check({{"tsan", all}, {"release", {"Basics.works", "Races.no_race"}}});
    ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems[0].find("test works (filter *.works) matches 2 GoogleTest tests"), std::string::npos)
        << problems[0];
}

}  // namespace
