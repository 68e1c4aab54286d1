// Source snippets (snippet.hpp) on recorded sanitizer reports and sample
// messages, and how every format shows them (report.hpp, report_html.hpp).
// The places in a report are untrusted: these tests also prove that only the
// submission's own editable files are read and that the text is made safe.
#include "conclab/snippet.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "conclab/gradebook.hpp"
#include "conclab/report.hpp"
#include "conclab/report_html.hpp"
#include "conclab/sanitizers.hpp"

#ifndef CONCLAB_TEST_DATA
#error "CONCLAB_TEST_DATA must name tests/unit/data"
#endif

namespace conclab {
namespace {
namespace fs = std::filesystem;

std::string data(const std::string& name) {
    std::ifstream in(std::string(CONCLAB_TEST_DATA) + "/sanitizers/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::vector<std::string> kCounterFiles = {"exercises/counter/counter.hpp", "exercises/counter/counter.cpp"};

// The counter stub's shape: line 9 is the racy `value_ += 1;`.
const char* kCounterCpp =
    "#include \"counter.hpp\"\n"             // 1
    "#include <thread>\n"                    // 2
    "#include <vector>\n"                    // 3
    "\n"                                     // 4
    "namespace counter {\n"                  // 5
    "\n"                                     // 6
    "void Counter::increment() noexcept {\n" // 7
    "    // one more\n"                      // 8
    "    value_ += 1;\n"                     // 9
    "}\n"                                    // 10
    "\n"                                     // 11
    "}  // namespace counter\n";             // 12

struct TempSubmission {
    fs::path root;
    Course course;
    TempSubmission() {
        root = fs::temp_directory_path() / ("conclab-snippet-test-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root);
        fs::create_directories(root / "sub" / "exercises" / "counter");
        fs::create_directories(root / "course" / "exercises" / "counter");
        write("sub/exercises/counter/counter.cpp", kCounterCpp);
        write("sub/exercises/counter/counter.hpp", "#pragma once\n");
        write("secret.txt", "TOP SECRET reference line\nTOP SECRET 2\nTOP SECRET 3\n");
        course.root = root / "course";
        Exercise ex;
        ex.name = "counter";
        ex.files = {"counter.hpp", "counter.cpp"};
        course.exercises.push_back(ex);
    }
    ~TempSubmission() { fs::remove_all(root); }
    void write(const std::string& rel, const std::string& text) {
        std::ofstream(root / rel, std::ios::binary) << text;
    }
    Submission sub() const { return Submission::handout(root / "sub", "alice"); }
};

SubmissionResult one_finding_result(const Finding& f) {
    SubmissionResult r;
    r.submission = "alice";
    ExerciseResult e;
    e.name = "counter";
    e.max_score = 20;
    TestResult t;
    t.name = "increments_are_not_lost";
    t.status = Status::failed;
    t.max_score = 4;
    t.message = "a sanitizer found a bug in your code";
    t.findings.push_back(f);
    e.tests.push_back(t);
    r.exercises.push_back(e);
    r.max_score = 20;
    return r;
}

TEST(Snippet, VisibleSourceLineShowsWhatCannotBeSeen) {
    EXPECT_EQ(visible_source_line("a\tb"), "a   b");
    EXPECT_EQ(visible_source_line(std::string("x\x01y\x7f", 4)), "x\\x01y\\x7F");
    EXPECT_EQ(visible_source_line("\x1b[2J"), "\\x1B[2J");   // no terminal escapes
    // Trojan Source: a right-to-left override is shown, not obeyed
    EXPECT_EQ(visible_source_line("if (a) \u202E } \u2066"), "if (a) <U+202E> } <U+2066>");
    EXPECT_EQ(visible_source_line("zero\u200Bwidth"), "zero<U+200B>width");
    EXPECT_EQ(visible_source_line("bad \xff byte"), "bad \uFFFD byte");
    std::string longline(5000, 'a');
    std::string shown = visible_source_line(longline);
    EXPECT_LE(shown.size(), kSnippetLineBytes + 3);
    EXPECT_EQ(shown.substr(shown.size() - 3), "…");
}

TEST(Snippet, FillTakesTwoLinesEitherSideAndPlacesTheCaret) {
    Snippet s;
    s.line = 9;
    s.column = 5;
    fill_snippet(s, kCounterCpp);
    EXPECT_EQ(s.first_line, 7);
    ASSERT_EQ(s.lines.size(), 5u);
    EXPECT_EQ(s.lines[2], "    value_ += 1;");
    EXPECT_EQ(s.column, 5);
    auto text = snippet_text(s);
    ASSERT_GE(text.size(), 7u);
    EXPECT_EQ(text[3], ">  9 |     value_ += 1;");
    EXPECT_EQ(text[4], "     |     ^");

    Snippet first;   // near the top: no line 0 or -1
    first.line = 1;
    fill_snippet(first, kCounterCpp);
    EXPECT_EQ(first.first_line, 1);
    EXPECT_EQ(first.lines.size(), 3u);

    Snippet past;   // a report naming a line the file does not have
    past.line = 400;
    past.column = 3;
    fill_snippet(past, kCounterCpp);
    EXPECT_TRUE(past.lines.empty());
    EXPECT_EQ(past.column, 0);

    Snippet tab;   // the caret follows tab expansion
    tab.line = 1;
    tab.column = 2;
    fill_snippet(tab, "\tx = 1;\n");
    EXPECT_EQ(tab.column, 5);
}

TEST(Snippet, RaceShowsBothAccessesWithTheirThreads) {
    SanitizerScan scan = scan_sanitizer_output(data("tsan_race_member.txt"), kCounterFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    const Finding& f = scan.findings[0];
    ASSERT_EQ(f.snippets.size(), 2u);
    EXPECT_EQ(f.snippets[0].file, "exercises/counter/counter.cpp");
    EXPECT_EQ(f.snippets[0].line, 9);
    EXPECT_EQ(f.snippets[0].label, "read by thread T2");
    EXPECT_EQ(f.snippets[1].label, "previous write by thread T1");
    // the student wrote no local variable: the object came from the test
    EXPECT_EQ(f.message.find("local variable of the main thread"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("object the test created and passed to your code"), std::string::npos) << f.message;
}

TEST(Snippet, AttachReadsTheSubmissionAndNamesTheMember) {
    TempSubmission tmp;
    SanitizerScan scan = scan_sanitizer_output(data("tsan_race_member.txt"), kCounterFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    SubmissionResult r = one_finding_result(scan.findings[0]);
    attach_snippets(r, tmp.course, tmp.sub());
    const Finding& f = r.exercises[0].tests[0].findings[0];
    ASSERT_EQ(f.snippets.size(), 2u);
    ASSERT_EQ(f.snippets[0].lines.size(), 5u);
    EXPECT_EQ(f.snippets[0].lines[2], "    value_ += 1;");
    EXPECT_NE(f.message.find("data race on `value_`, a member of the `counter::Counter` object the test created"),
              std::string::npos)
        << f.message;

    // every format shows the marked line
    std::ostringstream term;
    write_terminal(term, r);
    EXPECT_NE(term.str().find(">  9 |     value_ += 1;"), std::string::npos) << term.str();
    EXPECT_NE(term.str().find("previous write by thread T1 (the same line) — exercises/counter/counter.cpp:9"), std::string::npos);
    EXPECT_NE(to_junit(r).find("&gt;  9 |     value_ += 1;"), std::string::npos);   // XML-escaped
    EXPECT_NE(to_gradescope(r).find(">  9 |     value_ += 1;"), std::string::npos);
    std::string html = to_html(r);
    EXPECT_NE(html.find("value_ += 1;"), std::string::npos);
    EXPECT_NE(html.find("previous write by thread T1"), std::string::npos);

    // and JSON keeps them (a batch's report.html is written from results.json)
    SubmissionResult back = from_json(to_json(r));
    ASSERT_EQ(back.exercises[0].tests[0].findings[0].snippets.size(), 2u);
    EXPECT_EQ(back.exercises[0].tests[0].findings[0].snippets[1].lines, f.snippets[1].lines);
}

TEST(Snippet, OnlyTheSubmissionsOwnFilesAreRead) {
    TempSubmission tmp;
    Finding f;
    f.kind = "data race";
    for (std::string file : {"../../secret.txt", "exercises/counter/../../../secret.txt", "/etc/passwd",
                             "exercises/other/x.cpp", "exercises/counter/counter.cpp"}) {
        Snippet s;
        s.file = file;
        s.line = 1;
        f.snippets.push_back(s);
    }
    // the editable file is a symlink to something outside: not read either
    fs::remove(tmp.root / "sub/exercises/counter/counter.hpp");
    fs::create_symlink(tmp.root / "secret.txt", tmp.root / "sub/exercises/counter/counter.hpp");
    Snippet link;
    link.file = "exercises/counter/counter.hpp";
    link.line = 1;
    f.snippets.push_back(link);
    SubmissionResult r = one_finding_result(f);
    r.exercises[0].tests[0].findings[0].snippets.resize(6);
    attach_snippets(r, tmp.course, tmp.sub());
    const auto& got = r.exercises[0].tests[0].findings[0].snippets;
    for (std::size_t i = 0; i < got.size(); ++i) {
        for (auto& l : got[i].lines) EXPECT_EQ(l.find("SECRET"), std::string::npos) << got[i].file;
        if (got[i].file == "exercises/counter/counter.cpp") EXPECT_FALSE(got[i].lines.empty());
        else EXPECT_TRUE(got[i].lines.empty()) << got[i].file;
    }

    // a whole exercise directory that is a symlink to elsewhere
    fs::remove_all(tmp.root / "sub/exercises/counter");
    fs::create_directories(tmp.root / "elsewhere");
    tmp.write("elsewhere/counter.cpp", "TOP SECRET\n");
    tmp.write("elsewhere/counter.hpp", "TOP SECRET\n");
    fs::create_directory_symlink(tmp.root / "elsewhere", tmp.root / "sub/exercises/counter");
    SubmissionResult r2 = one_finding_result(f);
    attach_snippets(r2, tmp.course, tmp.sub());
    for (auto& s : r2.exercises[0].tests[0].findings[0].snippets) EXPECT_TRUE(s.lines.empty()) << s.file;
}

TEST(Snippet, CompilerErrorsInTheExerciseMessageGetACaret) {
    TempSubmission tmp;
    SubmissionResult r;
    ExerciseResult e;
    e.name = "counter";
    e.message = "does not compile:\n/tmp/conclab-x/exercises/counter/counter.cpp:9:12: error: expected ';' before '}' token\n"
                "graders/counter/counter_test.cpp:3:1: error: not yours\n";
    r.exercises.push_back(e);
    attach_snippets(r, tmp.course, tmp.sub());
    ASSERT_EQ(r.exercises[0].snippets.size(), 1u);
    const Snippet& s = r.exercises[0].snippets[0];
    EXPECT_EQ(s.file, "exercises/counter/counter.cpp");
    EXPECT_EQ(s.line, 9);
    EXPECT_EQ(s.column, 12);
    EXPECT_EQ(s.label, "error: expected ';' before '}' token");
    EXPECT_EQ(s.lines.size(), 5u);
    std::ostringstream term;
    write_terminal(term, r);
    EXPECT_NE(term.str().find("|            ^"), std::string::npos) << term.str();
}

TEST(Snippet, HtmlEscapesEverythingAndHidesHiddenTests) {
    Finding f;
    f.kind = "data race";
    f.file = "exercises/counter/counter.cpp";
    f.line = 2;
    f.message = "data race <img src=x onerror=alert(1)>";
    Snippet s;
    s.file = f.file;
    s.line = 2;
    s.label = "write by <b>thread</b>";
    s.first_line = 1;
    s.lines = {"// </script><script>alert(1)</script>", "x = \"&\";"};
    f.snippets.push_back(s);
    SubmissionResult r = one_finding_result(f);
    TestResult hidden;
    hidden.name = "hidden_stress";
    hidden.hidden = true;
    hidden.status = Status::timeout;
    hidden.message = "SECRET-HIDDEN-MESSAGE";
    hidden.hint = "SECRET-HINT";
    hidden.seed = 4242;
    hidden.max_score = 2;
    r.exercises[0].tests.push_back(hidden);
    r.exercises[0].tests[0].output = "tab\there \r\ntrailing   \n";
    std::string html = to_html(r);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>thread"), std::string::npos);
    EXPECT_EQ(html.find("</script><script>alert"), std::string::npos);
    EXPECT_NE(html.find("&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(html.find("SECRET-"), std::string::npos);
    EXPECT_EQ(html.find("4242"), std::string::npos);
    EXPECT_NE(html.find("hidden_stress"), std::string::npos);
    EXPECT_NE(html.find(">hidden<"), std::string::npos);
    EXPECT_NE(html.find("title=\"carriage return\""), std::string::npos);
    EXPECT_NE(html.find("title=\"trailing space\""), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);   // self-contained
    EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(Snippet, HtmlShowsExpectedAgainstActual) {
    TestResult t;
    t.name = "seed_log";
    t.status = Status::failed;
    t.message = "output differs:\nline 3: expected `Task1 need: 6` but your program printed `Task1  need: <6>`";
    SubmissionResult r;
    ExerciseResult e;
    e.name = "round_robin";
    e.tests.push_back(t);
    r.exercises.push_back(e);
    std::string html = to_html(r);
    EXPECT_NE(html.find("<table class=\"diff\">"), std::string::npos) << html;
    EXPECT_NE(html.find("<td>Task1 need: 6</td><td>Task1  need: &lt;6&gt;</td>"), std::string::npos) << html;
}

}  // namespace
}  // namespace conclab

namespace conclab {
namespace {

// The dashboard from a gradebook: per-student reports written and linked,
// hostile student ids (they are directory names) escaped and percent-encoded.
TEST(Dashboard, WritesEveryReportAndEscapesStudentIds) {
    fs::path dir = fs::temp_directory_path() / ("conclab-dashboard-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        Gradebook gb(dir);
        auto run = gb.begin_run("test");
        for (std::string id : {"ada", "<img src=x onerror=alert(1)> & \"co\""}) {
            SubmissionResult r;
            r.submission = id;
            ExerciseResult e;
            e.name = "counter";
            e.max_score = 20;
            e.score = id == "ada" ? 20 : 5;
            TestResult t;
            t.name = "increments_are_not_lost";
            t.status = id == "ada" ? Status::passed : Status::failed;
            t.max_score = 4;
            t.score = id == "ada" ? 4 : 0;
            e.tests.push_back(t);
            r.exercises.push_back(e);
            r.score = e.score;
            r.max_score = 20;
            gb.record(run, id, "hash-" + id, r);
            fs::create_directories(dir / id);
            std::ofstream(dir / id / "results.json") << to_json(r);
        }
        gb.end_run(run, "finished");
    }
    fs::path index = write_dashboard(dir, {"counter"});
    std::ifstream in(index);
    std::string html((std::istreambuf_iterator<char>(in)), {});
    EXPECT_TRUE(fs::exists(dir / "ada" / "report.html"));
    EXPECT_TRUE(fs::exists(dir / "<img src=x onerror=alert(1)> & \"co\"" / "report.html"));
    EXPECT_NE(html.find("<a href=\"ada/report.html\">ada</a>"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_NE(html.find("href=\"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%20%26%20%22co%22/report.html\""),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;"), std::string::npos);
    // one of two failed the test: 50 %
    EXPECT_NE(html.find("<tr data-test=\"counter/increments_are_not_lost\">"), std::string::npos);
    EXPECT_NE(html.find("> 50%</td>"), std::string::npos) << html;
    fs::remove_all(dir);
    EXPECT_THROW(write_dashboard(dir), std::runtime_error);   // no gradebook: said, not created
    EXPECT_FALSE(fs::exists(dir / "gradebook.sqlite"));
}

}  // namespace
}  // namespace conclab
