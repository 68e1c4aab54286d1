// `conclab handout`: what goes in, what stays out, and verify_handout's checks,
// on a small synthetic course with hidden tests and builds.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "conclab/handout.hpp"
#include "conclab/manifest.hpp"

namespace fs = std::filesystem;

namespace conclab {
namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/conclab-handout-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string get(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const char* kManifest = R"(name: demo
title: A demo exercise
points: 10
files: [demo.hpp, demo.cpp]
limits:
  wall: 5s
builds:
  tsan:
    sanitizer: thread
    sources: [visible_test.cpp, shared_shim.cpp]
  secret:                      # the hidden graders
    sanitizer: thread
    hidden: true
    sources: [hidden_test.cpp, shared_shim.cpp]
  prog:
    sanitizer: thread
    main: main.cpp
    link: ["-Wl,--wrap=read"]
tests:
  - name: counts_once
    points: 3
    build: tsan
    gtest: Demo.CountsOnce
    hint: >
      Read about std::atomic
      and fetch_add.
  - name: secret_stress
    points: 4
    build: secret
    gtest: Secret.Stress
  - name: prints_hello
    points: 2
    build: prog
    stdin: "5\n"
    stdout:
      - exact: "hello: \"x\"\n"
  - name: hidden_by_flag
    points: 1
    build: prog
    hidden: true
    args: ['--big']
)";

const char* kReference = R"(#include "demo.hpp"
#include <atomic>

namespace demo {
std::atomic<long> the_secret_counter_value{0};
void Counter::increment() { the_secret_counter_value.fetch_add(1, std::memory_order_relaxed); }
}  // namespace demo
)";

// A course tree with one of everything the handout must keep or leave out.
fs::path make_course(const fs::path& root) {
    put(root / "CMakeLists.txt", "cmake_minimum_required(VERSION 3.22)\n");
    put(root / "Makefile", "check:\n\ttrue\n");
    put(root / "README.md", "# course\n");
    put(root / "harness/src/engine.cpp", "int engine() { return 0; }\n");
    put(root / "ci/setup.sh", "#!/bin/sh\n");
    put(root / "ci/github/grade.yml", "name: grade\n");
    put(root / "docs/manifest.md", "# manifest\n");
    put(root / "exercises/demo/exercise.yaml", kManifest);
    put(root / "exercises/demo/README.md", "Make the counter count.\n");
    put(root / "exercises/demo/demo.hpp", "#pragma once\nnamespace demo { struct Counter { void increment(); }; }\n");
    put(root / "exercises/demo/demo.cpp",
        "#include \"demo.hpp\"\n\nnamespace demo {\nvoid Counter::increment() { /* TODO */ }\n}  // namespace demo\n");
    put(root / "exercises/demo/main.cpp", "int main() {}\n");
    put(root / "exercises/wip/notes.txt", "an exercise without a manifest is not handed out\n");
    put(root / "graders/demo/visible_test.cpp", "// TEST(Demo, CountsOnce)\n");
    put(root / "graders/demo/shared_shim.cpp", "// used by both builds\n");
    put(root / "graders/demo/hidden_test.cpp", "// TEST(Secret, Stress)\n");
    put(root / "graders/demo/probe.hpp", "// a header the visible test includes\n");
    put(root / "graders/demo/hidden/inputs.txt", "secret data\n");
    put(root / "graders/demo/hidden_inputs.txt", "secret data\n");
    put(root / "reference/demo/demo.cpp", kReference);
    put(root / "tests/known-wrong/demo/plain/demo.cpp", "wrong\n");
    put(root / "tests/hostile/fork_bomb/demo.cpp", "hostile\n");
    put(root / "tests/unit/x_test.cpp", "\n");
    put(root / "bench/batch.sh", "#!/bin/sh\n");
    put(root / "demo/run.sh", "#!/bin/sh\n");
    put(root / ".git/config", "[core]\n");
    put(root / "build/bin/conclab", "binary\n");
    put(root / "harness/build/stale.o", "object\n");
    fs::create_directory_symlink(root / "reference", root / "exercises/demo/ref_link");
    return root;
}

TEST(Handout, KeepsTheStudentFilesAndLeavesOutTheRest) {
    TempDir tmp;
    auto course_root = make_course(tmp.path / "course");
    Course course = Course::load(course_root);
    ASSERT_EQ(course.exercises.size(), 1u);
    auto out = tmp.path / "handout";
    write_handout(course, out);

    for (const char* keep : {"CMakeLists.txt", "Makefile", "README.md", "harness/src/engine.cpp", "ci/setup.sh",
                             "docs/manifest.md", "exercises/demo/exercise.yaml", "exercises/demo/README.md",
                             "exercises/demo/demo.hpp", "exercises/demo/demo.cpp", "exercises/demo/main.cpp",
                             "graders/demo/visible_test.cpp", "graders/demo/shared_shim.cpp",
                             "graders/demo/probe.hpp", ".github/workflows/grade.yml"})
        EXPECT_TRUE(fs::exists(out / keep)) << keep;
    for (const char* leave : {"reference", "tests", "bench", "demo", ".git", "build", "harness/build",
                              "exercises/wip", "graders/demo/hidden_test.cpp", "graders/demo/hidden",
                              "graders/demo/hidden_inputs.txt", "exercises/demo/ref_link"})
        EXPECT_FALSE(fs::exists(fs::symlink_status(out / leave))) << leave;
    EXPECT_EQ(get(out / "exercises/demo/demo.cpp"), get(course_root / "exercises/demo/demo.cpp"));

    EXPECT_EQ(verify_handout(course, out), std::vector<std::string>{});
}

TEST(Handout, ManifestListsOnlyVisibleTestsAndTheirPoints) {
    TempDir tmp;
    Course course = Course::load(make_course(tmp.path / "course"));
    auto out = tmp.path / "handout";
    write_handout(course, out);
    auto text = get(out / "exercises/demo/exercise.yaml");
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;
    EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
    EXPECT_EQ(text.find("--big"), std::string::npos) << text;

    Exercise h = load_exercise(out / "exercises/demo/exercise.yaml");   // the loader checks points add up
    EXPECT_DOUBLE_EQ(h.points, 5);
    ASSERT_EQ(h.tests.size(), 2u);
    EXPECT_EQ(h.tests[0].name, "counts_once");
    EXPECT_EQ(h.tests[0].hint, "Read about std::atomic and fetch_add.\n");
    EXPECT_EQ(h.tests[1].name, "prints_hello");
    EXPECT_EQ(h.tests[1].stdin_data, "5\n");
    ASSERT_EQ(h.tests[1].stdout_matchers.size(), 1u);
    EXPECT_EQ(h.tests[1].stdout_matchers[0].text, "hello: \"x\"\n");
    EXPECT_EQ(h.builds.size(), 2u);
    ASSERT_NE(h.find_build("prog"), nullptr);
    EXPECT_EQ(h.find_build("prog")->link, std::vector<std::string>{"-Wl,--wrap=read"});
    EXPECT_EQ(h.find_build("secret"), nullptr);
    EXPECT_EQ(h.limits.wall, std::chrono::seconds(5));
}

TEST(Handout, RefusesANonEmptyTarget) {
    TempDir tmp;
    Course course = Course::load(make_course(tmp.path / "course"));
    put(tmp.path / "handout/x", "x");
    EXPECT_THROW(write_handout(course, tmp.path / "handout"), std::runtime_error);
    EXPECT_THROW(write_handout(course, tmp.path / "course/inside"), std::runtime_error);
}

TEST(Handout, VerifyCatchesReferenceLinesHiddenFilesAndReference) {
    TempDir tmp;
    auto course_root = make_course(tmp.path / "course");
    Course course = Course::load(course_root);
    auto out = tmp.path / "handout";
    write_handout(course, out);
    ASSERT_TRUE(verify_handout(course, out).empty());

    auto has = [](const std::vector<std::string>& problems, const std::string& what) {
        for (auto& p : problems)
            if (p.find(what) != std::string::npos) return true;
        return false;
    };
    // a reference line (re-indented) in the statement
    put(out / "exercises/demo/README.md",
        "Hint:\n        void Counter::increment() {   the_secret_counter_value.fetch_add(1, std::memory_order_relaxed); }\n");
    auto problems = verify_handout(course, out);
    EXPECT_TRUE(has(problems, "exercises/demo/README.md:2: has line 6 of reference/demo/demo.cpp")) << ::testing::PrintToString(problems);

    // short lines, braces, #include and lines the stub has too are not evidence
    put(out / "exercises/demo/README.md", "#include <atomic>\n}  // namespace demo\nnamespace demo {\n");
    EXPECT_TRUE(verify_handout(course, out).empty()) << ::testing::PrintToString(verify_handout(course, out));

    put(out / "graders/demo/hidden_test.cpp", "// TEST(Secret, Stress)\n");
    EXPECT_TRUE(has(verify_handout(course, out), "graders/demo/hidden_test.cpp"));
    fs::remove(out / "graders/demo/hidden_test.cpp");

    put(out / "reference/demo/demo.cpp", kReference);
    EXPECT_TRUE(has(verify_handout(course, out), "reference/ is in the handout"));
    fs::remove_all(out / "reference");

    put(out / "tests/known-wrong/demo/plain/demo.cpp", "wrong\n");
    EXPECT_TRUE(has(verify_handout(course, out), "tests/known-wrong/ is in the handout"));
    fs::remove_all(out / "tests");

    // a manifest that still lists a hidden test
    fs::copy_file(course_root / "exercises/demo/exercise.yaml", out / "exercises/demo/exercise.yaml",
                  fs::copy_options::overwrite_existing);
    put(out / "graders/demo/hidden_test.cpp", "x\n");   // so that the manifest loads
    problems = verify_handout(course, out);
    EXPECT_TRUE(has(problems, "hidden test secret_stress is listed")) << ::testing::PrintToString(problems);
    EXPECT_TRUE(has(problems, "hidden build secret is listed"));
}

TEST(Handout, VerifyCatchesAHiddenGtestInAVisibleSource) {
    TempDir tmp;
    auto root = make_course(tmp.path / "course");
    // a hidden test that runs a GoogleTest case from the visible build
    auto manifest = get(root / "exercises/demo/exercise.yaml");
    manifest.replace(manifest.find("args: ['--big']"), std::string("args: ['--big']").size(), "args: ['--big']\n  - name: sneaky\n    points: 0\n    build: tsan\n    hidden: true\n    gtest: Demo.SneakyCase");
    put(root / "exercises/demo/exercise.yaml", manifest);
    put(root / "graders/demo/visible_test.cpp", "// TEST(Demo, CountsOnce)\n// TEST(Demo, SneakyCase)\n");
    Course course = Course::load(root);
    auto out = tmp.path / "handout";
    write_handout(course, out);
    auto problems = verify_handout(course, out);
    ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems[0].find("hidden test demo/sneaky"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace conclab
