// Tests for check_student_macros, on the real preprocessor's output of the
// course's grader translation units: the references are clean, and each
// attacking header is reported on its line.
#include "conclab/macrocheck.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "grader_compile.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;
using testing_support::ScratchCourse;
using testing_support::Variant;

std::string all(const std::vector<CodeProblem>& ps) {
    std::string s;
    for (const auto& p : ps) s += format_code_problem(p) + "\n";
    return s;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

fs::path source_dir() { return config::source_dir; }

// The student's editable files of an exercise: those the reference has.
std::vector<std::string> student_files_of(const ScratchCourse& course, const std::string& exercise) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(source_dir() / "reference" / exercise))
        out.push_back(course.rel(e.path().filename().string()));
    return out;
}

// Every translation unit of an exercise that includes the student's header:
// the grader sources, and the course's main.cpp of program builds.
class CleanGraderUnits : public ::testing::TestWithParam<const char*> {};

TEST_P(CleanGraderUnits, WithTheReference) {
    const std::string ex = GetParam();
    ScratchCourse course(ex);
    course.copy_from(source_dir() / "exercises" / ex);
    course.copy_from(source_dir() / "reference" / ex);
    const auto files = student_files_of(course, ex);
    std::vector<fs::path> units;
    for (const auto& e : fs::directory_iterator(source_dir() / "graders" / ex))
        if (e.path().extension() == ".cpp") units.push_back(e.path());
    if (fs::exists(source_dir() / "exercises" / ex / "main.cpp")) units.push_back(course.root() / course.rel("main.cpp"));
    ASSERT_FALSE(units.empty());
    for (const auto& u : units) {
        auto problems = check_student_macros(course.preprocess(u, source_dir() / "graders" / ex, Variant::tsan), files);
        EXPECT_TRUE(problems.empty()) << u << ":\n" << all(problems);
    }
}

INSTANTIATE_TEST_SUITE_P(Course, CleanGraderUnits,
                         ::testing::Values("counter", "pipes", "pool_copy", "round_robin", "udp_chat"));

// ---- counter.hpp variants in graders/counter/counter_tsan_test.cpp

// Lines marked `// <-` must each have a problem containing `piece`; no other
// line may have one.
struct Header {
    const char* name;
    const char* extra;  // appended to the reference counter.hpp
    const char* piece;  // nullptr: clean
};
void PrintTo(const Header& h, std::ostream* os) { *os << h.name; }

struct Checked {
    std::vector<CodeProblem> problems;
    std::vector<int> marked;  // lines marked in counter.hpp
};

Checked check_header(const std::string& extra, bool directives_only,
                     const fs::path& unit = source_dir() / "graders/counter/counter_tsan_test.cpp") {
    ScratchCourse course("counter");
    const std::string header = slurp(source_dir() / "reference/counter/counter.hpp") + extra;
    course.copy_from(source_dir() / "reference/counter");
    course.write("counter.hpp", header);
    Checked c;
    int line = 1;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header.compare(i, 5, "// <-") == 0) c.marked.push_back(line);
        if (header[i] == '\n') ++line;
    }
    const std::vector<std::string> files = {course.rel("counter.hpp"), course.rel("counter.cpp")};
    c.problems = check_student_macros(
        course.preprocess(unit, source_dir() / "graders/counter", Variant::tsan, directives_only), files,
        {{course.rel("counter.hpp"), header}});
    return c;
}

class CounterHeader : public ::testing::TestWithParam<Header> {};

TEST_P(CounterHeader, IsReportedOnItsLinesOrClean) {
    const Header& h = GetParam();
    Checked c = check_header(h.extra, true);
    if (!h.piece) {
        EXPECT_TRUE(c.problems.empty()) << all(c.problems);
        return;
    }
    ASSERT_FALSE(c.marked.empty());
    for (int line : c.marked) {
        bool found = false;
        for (const auto& p : c.problems)
            found = found || (p.file == "exercises/counter/counter.hpp" && p.line == line &&
                              p.what.find(h.piece) != std::string::npos);
        EXPECT_TRUE(found) << "expected `" << h.piece << "` on line " << line << ", got:\n" << all(c.problems);
    }
    for (const auto& p : c.problems)
        EXPECT_NE(std::find(c.marked.begin(), c.marked.end(), p.line), c.marked.end()) << all(c.problems);
}

const Header kHeaders[] = {
    {"reference", "", nullptr},
    {"guard_and_own_helpers", R"(
#ifndef COUNTER_EXTRA_GUARD
#define COUNTER_EXTRA_GUARD
#define COUNTER_BATCH 64
#define COUNTER_TWICE(x) ((x) * 2)
namespace counter { inline constexpr int kBatch = COUNTER_TWICE(COUNTER_BATCH); }
#endif
)",
     nullptr},
    {"undef_and_redefine", R"(
#undef EXPECT_EQ  // <-
#define EXPECT_EQ(a, b) ::testing::AssertionSuccess()  // <-
)",
     "EXPECT_EQ"},
    {"redefine_without_undef", R"(
#define EXPECT_TRUE(c) if (true) ; else std::cerr  // <-
)",
     "also defined in gtest/gtest.h"},
    {"macro_built_replacement", R"(
#define MAKE_NAME(a, b) a##b
#define EXPECT_FALSE(x) MAKE_NAME(vo, id)(0)  // <-
)",
     "also defined in gtest/gtest.h"},
    {"keyword", R"(
#define private public  // <-
)",
     "C++ keyword `private`"},
    {"reserved_name", R"(
#define _Count_impl 1  // <-
)",
     "belong to the compiler"},
    {"replaces_a_grader_name", R"(
#define StartLine StartLineThatNeverWaits  // <-
)",
     "also occurs in the grader's code"},
    {"pragma_push_macro", R"h(
#pragma push_macro("EXPECT_EQ")  // <-
_Pragma("pop_macro(\"EXPECT_EQ\")")  // <-
)h",
     "_macro` saves or restores"},
    {"pragma_pack", R"(
#pragma pack(push, 1)  // <-
)",
     "changes how the grader's code"},
};

INSTANTIATE_TEST_SUITE_P(Attacks, CounterHeader, ::testing::ValuesIn(kHeaders),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MacroCheck, PlainPreprocessorOutputWorksToo) {
    EXPECT_TRUE(check_header("", false).problems.empty());
    Checked c = check_header("\n#undef EXPECT_EQ  // <-\n#define EXPECT_EQ(a, b) (void)0  // <-\n", false);
    ASSERT_EQ(c.problems.size(), 2u) << all(c.problems);
    EXPECT_EQ(c.problems[0].line, c.marked[0]);
    EXPECT_EQ(c.problems[1].line, c.marked[1]);
}

TEST(MacroCheck, GoogleTestConfigMacroBeforeGoogleTest) {
    ScratchCourse course("counter");
    course.copy_from(source_dir() / "reference/counter");
    course.write("counter.hpp", slurp(source_dir() / "reference/counter/counter.hpp") + "#define GTEST_DONT_DEFINE_TEST 1\n");
    // A grader unit that includes the student's header first.
    course.write("early_test.cpp", "#include \"counter.hpp\"\n#include <gtest/gtest.h>\nTEST(A, B) {}\n");
    const std::vector<std::string> files = {course.rel("counter.hpp"), course.rel("counter.cpp")};
    auto problems = check_student_macros(
        course.preprocess(course.root() / course.rel("early_test.cpp"), source_dir() / "graders/counter", Variant::tsan),
        files);
    const std::string reference = slurp(source_dir() / "reference/counter/counter.hpp");
    const int line = static_cast<int>(std::count(reference.begin(), reference.end(), '\n')) + 1;  // the appended one
    ASSERT_EQ(problems.size(), 1u) << all(problems);
    EXPECT_EQ(problems[0].file, "exercises/counter/counter.hpp");
    EXPECT_EQ(problems[0].line, line);
    EXPECT_NE(problems[0].what.find("belong to GoogleTest and the grader"), std::string::npos) << all(problems);
}

TEST(MacroCheck, LinesAreCountedThroughMultiLineDefinesAndComments) {
    const std::string text =
        "# 0 \"<built-in>\"\n#define __GNUC__ 12\n"
        "# 1 \"/tmp/x/exercises/counter/counter.hpp\" 1\n"
        "/* a comment\n#define NOT_A_DIRECTIVE 1\n*/\n"
        "const char* s = R\"(\n#undef EXPECT_EQ\n)\";\n"
        "#undef __GNUC__\n"
        "# 2 \"graders/counter/counter_tsan_test.cpp\" 2\n"
        "int uses_helper_name = HELPER;\n";
    auto problems = check_student_macros(text, {"exercises/counter/counter.hpp"});
    ASSERT_EQ(problems.size(), 1u) << all(problems);
    EXPECT_EQ(problems[0].line, 7);
    EXPECT_NE(problems[0].what.find("#undef __GNUC__"), std::string::npos);
    EXPECT_NE(problems[0].what.find("the compiler's predefined macros"), std::string::npos);
}

}  // namespace
}  // namespace conclab
