// The manifest loader: good manifests load, broken ones name file, line and key.
#include <gtest/gtest.h>

#include <fstream>

#include "conclab/manifest.hpp"

namespace fs = std::filesystem;
using namespace conclab;

namespace {

// Writes a course tree with one exercise `ex` whose manifest is `yaml`.
class ManifestTest : public ::testing::Test {
protected:
    fs::path root;
    void SetUp() override {
        root = fs::temp_directory_path() / ("conclab-manifest-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        fs::create_directories(root / "exercises" / "ex");
        fs::create_directories(root / "graders" / "ex");
        std::ofstream(root / "graders" / "ex" / "ex_test.cpp") << "// test\n";
    }
    void TearDown() override { fs::remove_all(root); }
    fs::path write(const std::string& yaml) {
        fs::path p = root / "exercises" / "ex" / "exercise.yaml";
        std::ofstream(p) << yaml;
        return p;
    }
    // Loads and returns the error, failing the test if there is none.
    ManifestError error_of(const std::string& yaml) {
        try {
            load_exercise(write(yaml));
        } catch (const ManifestError& e) {
            return e;
        }
        ADD_FAILURE() << "expected a ManifestError for:\n" << yaml;
        return ManifestError("", 0, "", "");
    }
};

const char* kGood = R"(name: ex
title: An exercise
points: 10
files: [ex.hpp, ex.cpp]
limits: {wall: 5s, memory: 512MiB}
builds:
  tsan:
    sources: [ex_test.cpp]
  release:
    sanitizer: none
    optimize: -O3
    sources: [ex_test.cpp]
  prog:
    main: main.cpp
    link: ['-Wl,--wrap=read']
tests:
  - name: works
    points: 4
    build: tsan
    gtest: Ex.Works
    hint: read the docs
  - name: fast
    points: 3
    build: release
    gtest: Ex.Fast
    repeat: 10
    timeout: 500ms
    hidden: true
    exclusive: true
  - name: prints
    points: 2
    build: prog
    args: [--port, '0']
    waits: true
    stdout:
      - lines: [a, b]
      - regex: '^a'
  - name: no_locks
    points: 1
    symbols: {forbid: [pthread_mutex_]}
)";

}  // namespace

TEST_F(ManifestTest, LoadsEveryField) {
    Exercise ex = load_exercise(write(kGood));
    EXPECT_EQ(ex.name, "ex");
    EXPECT_EQ(ex.title, "An exercise");
    EXPECT_DOUBLE_EQ(ex.points, 10);
    EXPECT_EQ(ex.files, (std::vector<std::string>{"ex.hpp", "ex.cpp"}));
    ASSERT_EQ(ex.builds.size(), 3u);
    EXPECT_EQ(ex.find_build("tsan")->sanitizer, Sanitizer::thread);
    EXPECT_EQ(ex.find_build("release")->sanitizer, Sanitizer::none);
    EXPECT_EQ(ex.find_build("release")->optimize, "-O3");
    EXPECT_TRUE(ex.find_build("prog")->is_program());
    EXPECT_EQ(ex.find_build("prog")->link, (std::vector<std::string>{"-Wl,--wrap=read"}));
    ASSERT_EQ(ex.tests.size(), 4u);
    EXPECT_EQ(ex.tests[0].limits.wall, std::chrono::seconds(5));            // exercise default
    EXPECT_EQ(ex.tests[0].limits.memory, 512ull << 20);
    EXPECT_EQ(ex.tests[0].hint, "read the docs");
    EXPECT_EQ(ex.tests[1].limits.wall, std::chrono::milliseconds(500));     // timeout overrides
    EXPECT_EQ(ex.tests[1].repeat, 10);
    EXPECT_TRUE(ex.tests[1].hidden);
    EXPECT_TRUE(ex.tests[1].exclusive);
    EXPECT_FALSE(ex.tests[1].waits);
    EXPECT_TRUE(ex.tests[2].waits);
    EXPECT_FALSE(ex.tests[2].exclusive);
    EXPECT_FALSE(ex.tests[0].exit_code.has_value());                         // gtest: not checked
    EXPECT_EQ(ex.tests[2].exit_code, 0);                                     // program: 0 by default
    ASSERT_EQ(ex.tests[2].stdout_matchers.size(), 2u);
    EXPECT_EQ(ex.tests[2].stdout_matchers[0].kind, OutputMatcher::Kind::lines);
    EXPECT_EQ(ex.tests[2].stdout_matchers[1].text, "^a");
    EXPECT_TRUE(ex.tests[3].is_symbol_scan());
}

TEST_F(ManifestTest, YamlSyntaxErrorNamesTheLine) {
    ManifestError e = error_of("name: ex\npoints: 10\nfiles: [a.cpp\nbuilds: x\n");
    EXPECT_GE(e.line(), 3);
    EXPECT_NE(std::string(e.what()).find("exercise.yaml"), std::string::npos);
}

TEST_F(ManifestTest, UnknownKeyIsNamedWithItsLine) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("    repeat: 10"), 14, "    repaet: 10");
    ManifestError e = error_of(yaml);
    EXPECT_EQ(e.key(), "tests[1].repaet");
    EXPECT_EQ(e.line(), 26);
}

TEST_F(ManifestTest, PointsMustAddUp) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("points: 10"), 10, "points: 12");
    ManifestError e = error_of(yaml);
    EXPECT_EQ(e.key(), "points");
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(std::string(e.what()).find("add up to"), std::string::npos);
}

TEST_F(ManifestTest, UnknownBuildIsNamed) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("build: tsan"), 11, "build: tasn");
    ManifestError e = error_of(yaml);
    EXPECT_EQ(e.key(), "tests.works.build");
    EXPECT_NE(std::string(e.what()).find("no build named 'tasn'"), std::string::npos);
}

TEST_F(ManifestTest, MissingGraderSourceIsNamed) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("sources: [ex_test.cpp]"), 22, "sources: [nope.cpp]");
    ManifestError e = error_of(yaml);
    EXPECT_EQ(e.key(), "builds.tsan.sources");
    EXPECT_NE(std::string(e.what()).find("nope.cpp"), std::string::npos);
}

TEST_F(ManifestTest, BadValuesAreNamed) {
    struct Case {
        std::string from, to, key;
    } cases[] = {
        {"timeout: 500ms", "timeout: 5 parsecs", "tests.fast.timeout"},
        {"memory: 512MiB", "memory: lots", "limits.memory"},
        {"repeat: 10", "repeat: 0", "tests.fast.repeat"},
        {"sanitizer: none", "sanitizer: memory", "builds.release.sanitizer"},
        {"name: works", "name: Works", "tests.Works"},
        {"name: ex\n", "name: other\n", "name"},
        {"link: ['-Wl,--wrap=read']", "link: [-Wl,--wrap=read]", "builds.prog.link"},
        {"waits: true", "waits: maybe", "tests.prints.waits"},
        // Needs the CPU to itself and needs almost none: one or the other.
        {"waits: true", "waits: true\n    exclusive: true", "tests.prints.waits"},
    };
    for (const auto& c : cases) {
        std::string yaml = kGood;
        ASSERT_NE(yaml.find(c.from), std::string::npos) << c.from;
        yaml.replace(yaml.find(c.from), c.from.size(), c.to);
        ManifestError e = error_of(yaml);
        EXPECT_EQ(e.key(), c.key) << "replacing '" << c.from << "': " << e.what();
        EXPECT_GT(e.line(), 0) << e.what();
    }
}

// One name per test (docs/manifest.md): without `gtest:` the test runs the
// TEST whose name is its own, in any suite.
TEST_F(ManifestTest, GtestFilterDefaultsToTheTestsName) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("    gtest: Ex.Works\n"), std::string("    gtest: Ex.Works\n").size(), "");
    Exercise ex = load_exercise(write(yaml));
    EXPECT_EQ(ex.tests[0].name, "works");
    EXPECT_EQ(ex.tests[0].gtest, "*.works");
    EXPECT_EQ(ex.tests[1].gtest, "Ex.Fast");   // an explicit `gtest:` still wins
}

TEST_F(ManifestTest, DuplicateTestName) {
    std::string yaml = kGood;
    yaml.replace(yaml.find("name: fast"), 10, "name: works");
    EXPECT_NE(std::string(error_of(yaml).what()).find("duplicate"), std::string::npos);
}

TEST(ParseUnits, SizesAndDurations) {
    EXPECT_EQ(parse_size("1MiB"), 1u << 20);
    EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_duration("250ms"), std::chrono::milliseconds(250));
    EXPECT_EQ(parse_duration("2m"), std::chrono::minutes(2));
    EXPECT_EQ(parse_duration("1.5s"), std::chrono::milliseconds(1500));
    EXPECT_THROW(parse_size("MiB"), std::invalid_argument);
    EXPECT_THROW(parse_duration("5h"), std::invalid_argument);
}
