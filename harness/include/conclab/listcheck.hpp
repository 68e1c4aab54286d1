#pragma once
// `conclab list --check`: every manifest test names exactly one GoogleTest
// test, and every GoogleTest test is claimed by a manifest test
// (docs/manifest.md, "One name per test").
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/run.hpp"

namespace conclab {

// The full names ("Suite.test") in the output of `--gtest_list_tests`.
std::vector<std::string> parse_gtest_list(const std::string& output);

// GoogleTest's --gtest_filter: patterns with `*` and `?`, joined by `:`; the
// ones after the first `-` exclude. An empty positive part means "*".
bool gtest_filter_matches(const std::string& filter, const std::string& full_name);

// Where a TEST is written: "graders/<ex>/file.cpp:LINE", or the build's
// sources when it cannot be found. `grader_dir` is graders/<ex>/.
std::string find_test_source(const std::filesystem::path& grader_dir, const std::vector<std::string>& sources,
                             const std::string& full_name);

// The problems of one exercise, given what each GoogleTest build lists
// (build name -> full test names). One message per problem, naming the
// manifest test or the grader file and line.
std::vector<std::string> check_test_names(const Exercise& ex, const std::filesystem::path& grader_dir,
                                          const std::map<std::string, std::vector<std::string>>& listed);

// Builds every variant of `ex` with the course's own stub (in `runner`'s
// sandbox), lists each GoogleTest build's tests and checks them. Throws
// std::runtime_error when it cannot build or list (a problem of the course,
// said as such).
std::vector<std::string> list_check(const Course& course, const Exercise& ex, Runner& runner, const Toolchain& tc,
                                    const std::filesystem::path& scratch);

}  // namespace conclab
