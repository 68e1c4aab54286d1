// `conclab list --check` (listcheck.hpp). The names are checked on what the
// compiled graders say they contain (`--gtest_list_tests`), not on the source
// text: a TEST behind a macro, an #if or a typo in a suite is seen as
// GoogleTest sees it.
#include "conclab/listcheck.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conclab/files.hpp"
#include "conclab/sanitizers.hpp"

namespace conclab {

namespace fs = std::filesystem;

std::vector<std::string> parse_gtest_list(const std::string& output) {
    // Suite lines are flush left and end with '.'; test lines are indented by
    // two spaces. Either may carry "  # TypeParam = ..." / "  # GetParam() = ...".
    std::vector<std::string> names;
    std::istringstream in(output);
    std::string line, suite;
    auto strip = [](std::string s) {
        if (auto hash = s.find("  #"); hash != std::string::npos) s.erase(hash);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
        return s;
    };
    while (std::getline(in, line)) {
        line = strip(line);
        if (line.empty()) continue;
        if (line.rfind("  ", 0) == 0) {
            if (!suite.empty()) names.push_back(suite + line.substr(line.find_first_not_of(' ')));
        } else if (line.back() == '.' && line.find(' ') == std::string::npos) {
            suite = line;           // keeps the '.'
        } else {
            suite.clear();          // something the program printed: not a listing line
        }
    }
    return names;
}

namespace {

// '*' any run of characters, '?' one character (GoogleTest's PatternMatchesString).
bool glob(const char* p, const char* s) {
    const char* star = nullptr;
    const char* resume = nullptr;
    while (*s) {
        if (*p == '?' || (*p && *p == *s)) {
            ++p;
            ++s;
        } else if (*p == '*') {
            star = p++;
            resume = s;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*') ++p;
    return *p == '\0';
}

bool any_pattern(const std::string& patterns, const std::string& name) {
    std::istringstream in(patterns);
    std::string p;
    while (std::getline(in, p, ':'))
        if (!p.empty() && glob(p.c_str(), name.c_str())) return true;
    return false;
}

}  // namespace

bool gtest_filter_matches(const std::string& filter, const std::string& full_name) {
    const auto dash = filter.find('-');
    std::string positive = filter.substr(0, dash);
    const std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
    if (positive.empty()) positive = "*";
    return any_pattern(positive, full_name) && !any_pattern(negative, full_name);
}

std::string find_test_source(const fs::path& grader_dir, const std::vector<std::string>& sources,
                             const std::string& full_name) {
    const auto dot = full_name.find('.');
    // A parameterised test lists as Prefix/Suite.name/N: its source says Suite and name.
    std::string suite = full_name.substr(0, dot);
    std::string test = dot == std::string::npos ? "" : full_name.substr(dot + 1);
    if (auto slash = suite.rfind('/'); slash != std::string::npos) suite.erase(0, slash + 1);
    if (auto slash = test.find('/'); slash != std::string::npos) test.erase(slash);
    const std::regex def("\\bTEST(_F|_P)?\\s*\\(\\s*" + suite + "\\s*,\\s*" + test + "\\s*\\)");
    for (const auto& src : sources) {
        std::istringstream in(read_file(grader_dir / src));
        std::string line;
        for (int n = 1; std::getline(in, line); ++n)
            if (line.size() < 4000 && std::regex_search(line, def))
                return "graders/" + grader_dir.filename().string() + "/" + src + ":" + std::to_string(n);
    }
    std::string all;
    for (const auto& src : sources) all += (all.empty() ? "" : ", ") + ("graders/" + grader_dir.filename().string() + "/" + src);
    return all;
}

std::vector<std::string> check_test_names(const Exercise& ex, const fs::path& grader_dir,
                                          const std::map<std::string, std::vector<std::string>>& listed) {
    std::vector<std::string> problems;
    const std::string manifest = "exercises/" + ex.name + "/" + ex.manifest_path.filename().string();
    std::set<std::string> claimed;   // "build/Suite.test"
    for (const auto& t : ex.tests) {
        if (t.is_symbol_scan()) continue;
        const BuildSpec* b = ex.find_build(t.build);
        if (!b || b->is_program()) continue;
        auto it = listed.find(t.build);
        if (it == listed.end()) continue;   // the build was not listed (the caller said why)
        std::vector<std::string> hits;
        for (const auto& name : it->second)
            if (gtest_filter_matches(t.gtest, name)) hits.push_back(name);
        if (hits.empty()) {
            problems.push_back(manifest + ": test " + t.name + " (filter " + t.gtest + ") matches no GoogleTest test " +
                               "in build '" + t.build + "': write TEST(<Suite>, " + t.name + ") in " +
                               find_test_source(grader_dir, b->sources, ""));
        } else if (hits.size() > 1) {
            std::string list;
            for (const auto& h : hits) list += "\n    " + h + "  (" + find_test_source(grader_dir, b->sources, h) + ")";
            problems.push_back(manifest + ": test " + t.name + " (filter " + t.gtest + ") matches " +
                               std::to_string(hits.size()) + " GoogleTest tests in build '" + t.build +
                               "', one test must be one TEST:" + list);
        }
        for (const auto& h : hits) claimed.insert(h);
    }
    // A TEST compiled into several builds (one source, two builds) is claimed
    // when any manifest test runs it in any of them.
    std::set<std::string> reported;
    for (const auto& b : ex.builds) {
        auto it = listed.find(b.name);
        if (it == listed.end()) continue;
        for (const auto& name : it->second)
            if (!claimed.count(name) && reported.insert(name).second)
                problems.push_back(find_test_source(grader_dir, b.sources, name) + ": TEST " + name +
                                   " is claimed by no test in " + manifest + ", so it is never graded: add a test "
                                   "named " + name.substr(name.find('.') + 1) + " there, or remove the TEST");
    }
    return problems;
}

std::vector<std::string> list_check(const Course& course, const Exercise& ex, Runner& runner, const Toolchain& tc,
                                    const fs::path& scratch) {
    // The course's own stub: it compiles by construction, and it is what a
    // handout has, so the check runs there too.
    const Submission stub = Submission::handout(course.root, "stub");
    BuildOutcome build = build_exercise(tc, course, ex, stub, scratch, runner);
    if (!build.ok)
        throw std::runtime_error("cannot build " + ex.name + " with its stub to list its tests:\n" + build.message);
    std::map<std::string, std::vector<std::string>> listed;
    for (const auto& b : ex.builds) {
        if (b.is_program()) continue;
        const fs::path work = scratch / "run" / ("list-" + b.name);
        fs::create_directories(work);
        fs::permissions(work.parent_path(), fs::perms::all);
        fs::permissions(work, fs::perms::all);
        fs::permissions(scratch / "bin", fs::perms::all);
        RunSpec spec;
        spec.argv = {build.executables.at(b.name).string(), "--gtest_list_tests"};
        spec.workdir = work;
        spec.readable = {scratch / "bin"};
        spec.limits = ex.limits;
        spec.env = {{"PATH", "/usr/bin:/bin"},
                    {"HOME", work.string()},
                    {"LANG", "C.UTF-8"},
                    {"TSAN_OPTIONS", tsan_options("", "")},
                    {"ASAN_OPTIONS", asan_options("")},
                    {"UBSAN_OPTIONS", ubsan_options("")}};
        RunResult r = runner.run(spec);
        if (!r.started) throw std::runtime_error("cannot start " + ex.name + "/" + b.name + ": " + r.start_error);
        if (r.exit_code.value_or(-1) != 0)
            throw std::runtime_error(ex.name + "/" + b.name + " --gtest_list_tests failed (exit " +
                                     std::to_string(r.exit_code.value_or(-1)) + "):\n" + r.err.text.substr(0, 2000));
        listed[b.name] = parse_gtest_list(r.out.text);
    }
    return check_test_names(ex, course.grader_dir(ex.name), listed);
}

}  // namespace conclab
