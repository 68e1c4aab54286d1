// Report formats: JSON (docs/design.md, "Results"), terminal, Gradescope, GitHub, Markdown.
#include <cstdint>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "conclab/report.hpp"
#include "sample_result.hpp"

using conclab::testing::sample_result;
using json = nlohmann::json;

namespace conclab {
namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string terminal(const SubmissionResult& r, ReportOptions opt = {}) {
    std::ostringstream out;
    write_terminal(out, r, opt);
    return out.str();
}

// ---------------------------------------------------------------- JSON

TEST(JsonReport, HasEverySpecField) {
    auto j = json::parse(to_json(sample_result()));
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.at("submission"), "alice");
    EXPECT_TRUE(j.at("score").is_number());
    EXPECT_DOUBLE_EQ(j.at("score").get<double>(), 17.5);
    EXPECT_TRUE(j.at("max_score").is_number());
    ASSERT_TRUE(j.at("exercises").is_array());
    ASSERT_EQ(j.at("exercises").size(), 3u);
    for (auto& e : j.at("exercises")) {
        for (auto key : {"name", "score", "max_score", "tests"}) EXPECT_TRUE(e.contains(key)) << key;
        EXPECT_TRUE(e.at("name").is_string());
        EXPECT_TRUE(e.at("score").is_number());
        EXPECT_TRUE(e.at("max_score").is_number());
        ASSERT_TRUE(e.at("tests").is_array());
        for (auto& t : e.at("tests")) {
            for (auto key : {"name", "status", "score", "max_score", "message", "findings"})
                EXPECT_TRUE(t.contains(key)) << key;
            EXPECT_TRUE(t.at("message").is_string());
            static const std::set<std::string> statuses{"passed", "failed", "timeout", "crashed", "error"};
            EXPECT_TRUE(statuses.count(t.at("status").get<std::string>())) << t.at("status");
            ASSERT_TRUE(t.at("findings").is_array());
            for (auto& f : t.at("findings")) {
                for (auto key : {"kind", "file", "line", "message"}) EXPECT_TRUE(f.contains(key)) << key;
                EXPECT_TRUE(f.at("line").is_number_integer());
            }
        }
    }
    auto& race = j["exercises"][0]["tests"][1];
    EXPECT_EQ(race.at("name"), "increments_are_not_lost");
    EXPECT_EQ(race.at("status"), "failed");
    EXPECT_EQ(race["findings"][0]["file"], "exercises/counter/counter.cpp");
    EXPECT_EQ(race["findings"][0]["line"], 14);
    EXPECT_EQ(race["findings"][0]["kind"], "data race");
    EXPECT_EQ(j["exercises"][0]["tests"][2]["status"], "timeout");
    EXPECT_EQ(j.at("grader_version"), "0.1.0");
    EXPECT_EQ(j.at("sandbox"), "bwrap");
}

TEST(JsonReport, IntegralScoresAreIntegers) {
    auto text = to_json(sample_result());
    auto j = json::parse(text);
    EXPECT_TRUE(j["max_score"].is_number_float());   // 50.5
    EXPECT_TRUE(j["exercises"][0]["max_score"].is_number_integer());
    EXPECT_EQ(j["exercises"][0]["max_score"].get<int>(), 20);
    EXPECT_FALSE(contains(text, "20.0"));
}

void expect_same(const SubmissionResult& a, const SubmissionResult& b) {
    EXPECT_EQ(a.submission, b.submission);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.max_score, b.max_score);
    EXPECT_EQ(a.sandbox, b.sandbox);
    EXPECT_EQ(a.grader_version, b.grader_version);
    ASSERT_EQ(a.exercises.size(), b.exercises.size());
    for (std::size_t i = 0; i < a.exercises.size(); ++i) {
        auto& x = a.exercises[i];
        auto& y = b.exercises[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.score, y.score);
        EXPECT_EQ(x.max_score, y.max_score);
        EXPECT_EQ(x.message, y.message);
        ASSERT_EQ(x.tests.size(), y.tests.size());
        for (std::size_t k = 0; k < x.tests.size(); ++k) {
            auto& s = x.tests[k];
            auto& t = y.tests[k];
            EXPECT_EQ(s.name, t.name);
            EXPECT_EQ(s.status, t.status);
            EXPECT_EQ(s.score, t.score);
            EXPECT_EQ(s.max_score, t.max_score);
            EXPECT_EQ(s.message, t.message);
            EXPECT_EQ(s.hint, t.hint);
            EXPECT_EQ(s.output, t.output);
            EXPECT_EQ(s.hidden, t.hidden);
            EXPECT_EQ(s.seed, t.seed);
            EXPECT_DOUBLE_EQ(s.seconds, t.seconds);
            ASSERT_EQ(s.findings.size(), t.findings.size());
            for (std::size_t f = 0; f < s.findings.size(); ++f) {
                EXPECT_EQ(s.findings[f].kind, t.findings[f].kind);
                EXPECT_EQ(s.findings[f].file, t.findings[f].file);
                EXPECT_EQ(s.findings[f].line, t.findings[f].line);
                EXPECT_EQ(s.findings[f].message, t.findings[f].message);
            }
        }
    }
}

TEST(JsonReport, RoundTripsEveryField) {
    auto r = sample_result();
    r.exercises[0].tests[1].seed = 18446744073709551615ull;   // uint64 max survives
    expect_same(r, from_json(to_json(r)));
    // and a second trip is byte-identical
    EXPECT_EQ(to_json(r), to_json(from_json(to_json(r))));
}

TEST(JsonReport, RoundTripsEveryStatus) {
    SubmissionResult r;
    ExerciseResult e;
    e.name = "x";
    for (auto s : {Status::passed, Status::failed, Status::timeout, Status::crashed, Status::error}) {
        TestResult t;
        t.name = "t" + std::to_string(int(s));
        t.status = s;
        e.tests.push_back(t);
    }
    r.exercises.push_back(e);
    auto back = from_json(to_json(r));
    ASSERT_EQ(back.exercises.at(0).tests.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(back.exercises[0].tests[i].status, e.tests[i].status);
}

TEST(JsonReport, ReadsTheMinimalSpecExample) {
    auto r = from_json(R"({"submission": "alice", "score": 37.5, "max_score": 100,
      "exercises": [{"name": "counter", "score": 20, "max_score": 20,
        "tests": [{"name": "increments_are_not_lost", "status": "passed",
                   "score": 5, "max_score": 5, "message": "",
                   "findings": [{"kind": "data race", "file": "exercises/counter/counter.cpp",
                                 "line": 14, "message": "..."}]}]}]})");
    EXPECT_EQ(r.submission, "alice");
    EXPECT_DOUBLE_EQ(r.score, 37.5);
    ASSERT_EQ(r.exercises.size(), 1u);
    ASSERT_EQ(r.exercises[0].tests.size(), 1u);
    EXPECT_EQ(r.exercises[0].tests[0].status, Status::passed);
    EXPECT_EQ(r.exercises[0].tests[0].findings.at(0).line, 14);
}

TEST(JsonReport, RejectsBrokenInput) {
    EXPECT_THROW(from_json("{not json"), std::runtime_error);
    EXPECT_THROW(from_json("[1,2]"), std::runtime_error);
    EXPECT_THROW(from_json(R"({"exercises":[{"name":"x","tests":[{"name":"t","status":"exploded"}]}]})"),
                 std::runtime_error);
    EXPECT_THROW(from_json(R"({"exercises":[{"tests":[]}]})"), std::runtime_error);
}

TEST(JsonReport, InvalidUtf8FromStudentOutputDoesNotThrow) {
    auto r = sample_result();
    r.exercises[0].tests[1].output = std::string("bad \xff\xfe bytes \xc3", 14);
    std::string text;
    ASSERT_NO_THROW(text = to_json(r));
    auto j = json::parse(text);   // valid JSON (and therefore valid UTF-8)
    EXPECT_TRUE(contains(j["exercises"][0]["tests"][1]["output"].get<std::string>(), "bad "));
}

TEST(JsonReport, HiddenTestsKeepOnlyNameAndScore) {
    auto text = to_json(sample_result(), /*include_hidden_details=*/false);
    EXPECT_FALSE(contains(text, "SECRET")) << text;
    auto j = json::parse(text);
    auto& hidden = j["exercises"][0]["tests"][3];
    EXPECT_EQ(hidden["name"], "hidden_stress");
    EXPECT_EQ(hidden["status"], "failed");
    EXPECT_EQ(hidden["max_score"], 3);
    EXPECT_EQ(hidden["message"], "");
    EXPECT_TRUE(hidden["findings"].empty());
    EXPECT_TRUE(hidden["hidden"].get<bool>());
    // visible tests keep their details
    EXPECT_EQ(j["exercises"][0]["tests"][1]["findings"].size(), 1u);
    // with details (TA view) everything is there
    EXPECT_TRUE(contains(to_json(sample_result(), true), "SECRET expected"));
}

TEST(JsonReport, HiddenTimeoutShowsOnlyFailed) {
    auto r = sample_result();
    r.exercises[0].tests[3].status = Status::timeout;
    auto j = json::parse(to_json(r, false));
    EXPECT_EQ(j["exercises"][0]["tests"][3]["status"], "failed");
}

// ---------------------------------------------------------------- terminal

TEST(TerminalReport, ShowsScoresTestsFindingsAndHints) {
    auto text = terminal(sample_result());
    EXPECT_TRUE(contains(text, "alice"));
    EXPECT_TRUE(contains(text, "counter"));
    EXPECT_TRUE(contains(text, "7 / 20"));
    EXPECT_TRUE(contains(text, "✓ single_thread_counts"));
    EXPECT_TRUE(contains(text, "✗ increments_are_not_lost"));
    EXPECT_TRUE(contains(text, "exercises/counter/counter.cpp:14: data race — two threads write value_ at once"));
    EXPECT_TRUE(contains(text, "Write of size 8 by thread T2"));
    EXPECT_TRUE(contains(text, "hint: Two threads doing value_ += 1"));
    EXPECT_TRUE(contains(text, "timeout"));
    EXPECT_TRUE(contains(text, "error: 'foo' was not declared"));   // compiler message of pipes
    EXPECT_TRUE(contains(text, "Total: 17.5 / 50.5"));
    EXPECT_FALSE(contains(text, "\033[")) << "no colour unless asked";
}

TEST(TerminalReport, CompilerErrorsAreShownOnceNotPerTest) {
    SubmissionResult r;
    ExerciseResult e;
    e.name = "pipes";
    e.max_score = 3;
    e.message = "your code does not compile:\nexercises/pipes/pipes.cpp:3:5: error: 'foo' was not declared";
    for (auto name : {"a_test", "b_test", "c_test"}) {
        TestResult t;
        t.name = name;
        t.status = Status::failed;
        t.max_score = 1;
        t.message = e.message;
        t.hint = "a hint that does not help while the code does not compile";
        e.tests.push_back(t);
    }
    r.exercises.push_back(e);
    auto text = terminal(r);
    std::size_t count = 0;
    for (auto pos = text.find("was not declared"); pos != std::string::npos; pos = text.find("was not declared", pos + 1))
        ++count;
    EXPECT_EQ(count, 1u) << text;
    EXPECT_TRUE(contains(text, "✗ b_test"));
    EXPECT_TRUE(contains(text, "(your code does not compile:)"));
    EXPECT_FALSE(contains(text, "a hint that does not help"));
}

TEST(TerminalReport, ColourWhenAsked) {
    ReportOptions opt;
    opt.color = true;
    auto text = terminal(sample_result(), opt);
    EXPECT_TRUE(contains(text, "\033[32m"));
    EXPECT_TRUE(contains(text, "\033[31m"));
}

TEST(TerminalReport, HiddenDetailsOnlyWhenAllowed) {
    ReportOptions opt;
    opt.show_hidden_details = false;
    auto text = terminal(sample_result(), opt);
    EXPECT_FALSE(contains(text, "SECRET")) << text;
    EXPECT_TRUE(contains(text, "hidden_stress (hidden)"));
    EXPECT_TRUE(contains(text, "0 / 3"));
    opt.show_hidden_details = true;
    EXPECT_TRUE(contains(terminal(sample_result(), opt), "SECRET expected"));
}

TEST(TerminalReport, StudentEscapeSequencesAreNeutralised) {
    auto r = sample_result();
    r.exercises[0].tests[1].message = "evil \033[2J\033]0;title\007 text";
    auto text = terminal(r);
    EXPECT_FALSE(contains(text, "\033")) << text;
    EXPECT_FALSE(contains(text, "\007"));
    EXPECT_TRUE(contains(text, "evil \\x1B[2J"));
}

TEST(TerminalReport, LongOutputIsCut) {
    auto r = sample_result();
    auto& t = r.exercises[0].tests[1];
    t.message.clear();
    t.findings.clear();
    for (int i = 0; i < 1000; ++i) t.output += "line " + std::to_string(i) + "\n";
    auto text = terminal(r);
    EXPECT_TRUE(contains(text, "line 999"));
    EXPECT_FALSE(contains(text, "line 10\n"));
    EXPECT_TRUE(contains(text, "earlier lines not shown"));
}

// ---------------------------------------------------------------- Gradescope

TEST(GradescopeReport, FieldNamesAndValues) {
    auto j = json::parse(to_gradescope(sample_result()));
    EXPECT_DOUBLE_EQ(j.at("score").get<double>(), 17.5);
    EXPECT_TRUE(j.contains("stdout_visibility"));
    EXPECT_TRUE(j.at("output").is_string());
    ASSERT_TRUE(j.at("tests").is_array());
    ASSERT_EQ(j["tests"].size(), 7u);
    double max = 0;
    for (auto& t : j["tests"]) {
        for (auto key : {"score", "max_score", "status", "name", "output", "visibility"})
            EXPECT_TRUE(t.contains(key)) << key;
        auto status = t["status"].get<std::string>();
        EXPECT_TRUE(status == "passed" || status == "failed") << status;
        auto vis = t["visibility"].get<std::string>();
        EXPECT_TRUE(vis == "visible" || vis == "hidden") << vis;
        max += t["max_score"].get<double>();
    }
    EXPECT_DOUBLE_EQ(max, 50.5);
    auto& race = j["tests"][1];
    EXPECT_EQ(race["name"], "counter: increments_are_not_lost");
    EXPECT_EQ(race["status"], "failed");
    EXPECT_EQ(race["visibility"], "visible");
    EXPECT_TRUE(contains(race["output"], "exercises/counter/counter.cpp:14: data race"));
    EXPECT_EQ(j["tests"][2]["status"], "failed");   // timeout -> failed
    EXPECT_TRUE(contains(j["tests"][2]["output"], "timeout"));
    EXPECT_EQ(j["tests"][3]["visibility"], "hidden");
    EXPECT_TRUE(contains(j["output"], "was not declared"));
}

TEST(GradescopeReport, HiddenTestsNeverShowDetails) {
    auto text = to_gradescope(sample_result());
    EXPECT_FALSE(contains(text, "SECRET")) << text;
    auto j = json::parse(text);
    EXPECT_EQ(j["tests"][3]["name"], "counter: hidden_stress");
    EXPECT_EQ(j["tests"][3]["max_score"], 3);
}

TEST(GradescopeReport, ExerciseWithoutTestsStillCountsItsPoints) {
    SubmissionResult r;
    ExerciseResult e;
    e.name = "udp_chat";
    e.max_score = 15;
    e.message = "not submitted";
    r.exercises.push_back(e);
    r.max_score = 15;
    auto j = json::parse(to_gradescope(r));
    ASSERT_EQ(j["tests"].size(), 1u);
    EXPECT_EQ(j["tests"][0]["max_score"], 15);
    EXPECT_EQ(j["tests"][0]["status"], "failed");
    EXPECT_TRUE(contains(j["tests"][0]["output"], "not submitted"));
}

// ---------------------------------------------------------------- GitHub

TEST(GithubAnnotations, FindingsBecomeFileLineErrors) {
    auto text = to_github_annotations(sample_result());
    EXPECT_TRUE(contains(text, "::error file=exercises/counter/counter.cpp,line=14,title=counter/increments_are_not_lost%3A data race::data race: two threads write value_ at once%0A"))
        << text;
    EXPECT_TRUE(contains(text, "::error file=exercises/pipes/pipes.cpp,line=3,title=pipes%3A does not compile::'foo' was not declared in this scope"))
        << text;
    EXPECT_TRUE(contains(text, "::notice title=conclab score::Score: 17.5 / 50.5"));
    // every command is one line
    std::istringstream lines(text);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        ++n;
        EXPECT_EQ(line.rfind("::", 0), 0u) << line;
    }
    EXPECT_GE(n, 4);
    EXPECT_FALSE(contains(text, "single_thread_counts"));   // passed tests are quiet
}

TEST(GithubAnnotations, EscapesDataAndProperties) {
    SubmissionResult r;
    ExerciseResult e;
    e.name = "ex";
    TestResult t;
    t.name = "t";
    t.status = Status::failed;
    t.message = "100% wrong\r\nsecond: line, really";
    t.findings.push_back({"data race", "dir,with:odd%chars.cpp", 7, "m"});
    e.tests.push_back(t);
    r.exercises.push_back(e);
    auto text = to_github_annotations(r);
    EXPECT_TRUE(contains(text, "::error file=dir%2Cwith%3Aodd%25chars.cpp,line=7,title=ex/t%3A data race::data race: m\n"))
        << text;
    t.findings.clear();
    r.exercises[0].tests[0] = t;
    text = to_github_annotations(r);
    EXPECT_TRUE(contains(text, "::error title=ex/t::failed: 100%25 wrong%0Asecond: line, really")) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(GithubAnnotations, HiddenTestsNeverShowDetails) {
    auto text = to_github_annotations(sample_result());
    EXPECT_FALSE(contains(text, "SECRET")) << text;
    EXPECT_TRUE(contains(text, "hidden_stress (hidden)"));
}

TEST(MarkdownSummary, TableAndHiddenRedaction) {
    auto r = sample_result();
    r.exercises[0].tests[1].message = "a | b <script>";
    auto md = to_markdown_summary(r);
    EXPECT_TRUE(contains(md, "| ❌ | counter | 7 / 20 | 2 / 5 |"));
    EXPECT_TRUE(contains(md, "| ✅ | round_robin | 10.5 / 10.5 | 1 / 1 |"));
    EXPECT_TRUE(contains(md, "17.5 / 50.5"));
    EXPECT_TRUE(contains(md, "a &#124; b &lt;script&gt;"));
    EXPECT_FALSE(contains(md, "<script>"));
    EXPECT_FALSE(contains(md, "SECRET")) << md;
    EXPECT_TRUE(contains(md, "hidden_stress"));
}

}  // namespace
}  // namespace conclab
