// Tests for normalize_output and check_output (docs/manifest.md, output matchers).
#include "conclab/matchers.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace conclab {
namespace {

using Kind = OutputMatcher::Kind;

OutputMatcher text_matcher(Kind k, std::string text) {
    OutputMatcher m{};
    m.kind = k;
    m.text = std::move(text);
    return m;
}

OutputMatcher lines_matcher(Kind k, std::vector<std::string> lines) {
    OutputMatcher m{};
    m.kind = k;
    m.lines = std::move(lines);
    return m;
}

bool has(const std::optional<std::string>& msg, const std::string& piece) {
    return msg && msg->find(piece) != std::string::npos;
}

const char* kSeedLog =
    "Task1 need: 12 slice: 6\n"
    "Task2 need: 11 slice: 5\n"
    "Task1 need: 6\n"
    "Task2 need: 6\n"
    "Task1 need: 0\n"
    "Task1 finished\n"
    "Task2 need: 1\n"
    "Task2 need: 0\n"
    "Task2 finished\n"
    "All finished!\n";

// ---- normalisation

TEST(NormalizeOutput, LineEndsAndTrailingBlanks) {
    EXPECT_EQ(normalize_output("a  \r\nb\t\r\n\r\n\n  \n"), "a\nb");
    EXPECT_EQ(normalize_output("  indented\n\nafter blank\n"), "  indented\n\nafter blank");
    EXPECT_EQ(normalize_output(""), "");
    EXPECT_EQ(normalize_output("\n\n"), "");
    EXPECT_EQ(normalize_output("no newline"), "no newline");
    EXPECT_EQ(normalize_output("x\ry\n"), "x\ry") << "a lone \\r inside a line is kept";
}

// ---- exact

TEST(ExactMatcher, PassesDespiteLineEndsAndTrailingBlanks) {
    std::string printed = "Task1 need: 12 slice: 6 \r\nTask2 need: 11 slice: 5\t\r\n\r\n";
    EXPECT_EQ(check_output(text_matcher(Kind::exact, "Task1 need: 12 slice: 6\nTask2 need: 11 slice: 5\n"), printed),
              std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::exact, kSeedLog), kSeedLog), std::nullopt);
}

TEST(ExactMatcher, NamesTheFirstDifferentLine) {
    std::string printed = kSeedLog;
    printed.replace(printed.find("Task1 need: 6"), 13, "Task2 need: 6");
    auto msg = check_output(text_matcher(Kind::exact, kSeedLog), printed);
    ASSERT_TRUE(msg);
    EXPECT_EQ(*msg, "line 3: expected `Task1 need: 6` but your program printed `Task2 need: 6`");
}

TEST(ExactMatcher, MissingAndExtraLines) {
    auto missing = check_output(text_matcher(Kind::exact, "a\nb\nc\n"), "a\n");
    EXPECT_TRUE(has(missing, "line 2: missing line `b` (your output has only 1 line)")) << *missing;
    EXPECT_TRUE(has(missing, "(1 more line differ)")) << *missing;
    auto extra = check_output(text_matcher(Kind::exact, "a\n"), "a\nb\n");
    EXPECT_TRUE(has(extra, "line 2: unexpected line `b` (expected only 1 line)")) << *extra;
    auto nothing = check_output(text_matcher(Kind::exact, "[42, None, 'hello']\n"), "");
    EXPECT_TRUE(has(nothing, "line 1: missing line `[42, None, 'hello']` (your output has only 0 lines)")) << *nothing;
}

TEST(ExactMatcher, ShowsAtMostThreeDifferences) {
    auto msg = check_output(text_matcher(Kind::exact, "1\n2\n3\n4\n5\n6\n"), "a\nb\nc\nd\ne\nf\n");
    ASSERT_TRUE(msg);
    EXPECT_TRUE(has(msg, "line 1: expected `1`"));
    EXPECT_TRUE(has(msg, "line 3: expected `3`"));
    EXPECT_FALSE(has(msg, "line 4:"));
    EXPECT_TRUE(has(msg, "(3 more lines differ)")) << *msg;
}

// ---- lines

TEST(LinesMatcher, ExactlyTheseLinesInOrder) {
    auto m = lines_matcher(Kind::lines, {"Task1 finished", "Task2 finished"});
    EXPECT_EQ(check_output(m, "Task1 finished\r\nTask2 finished  \n"), std::nullopt);
    auto swapped = check_output(m, "Task2 finished\nTask1 finished\n");
    EXPECT_TRUE(has(swapped, "line 1: expected `Task1 finished` but your program printed `Task2 finished`")) << *swapped;
    auto more = check_output(m, "Task1 finished\nTask2 finished\nAll finished!\n");
    EXPECT_TRUE(has(more, "line 3: unexpected line `All finished!`")) << *more;
}

// ---- unordered

TEST(UnorderedMatcher, AnyOrderButEveryLineAsOftenAsExpected) {
    auto m = lines_matcher(Kind::unordered, {"[127.0.0.1:4000] hi", "[127.0.0.1:4000] hi", "[127.0.0.1:4000] bye"});
    EXPECT_EQ(check_output(m, "[127.0.0.1:4000] bye\n[127.0.0.1:4000] hi\n[127.0.0.1:4000] hi\n"), std::nullopt);
    auto once = check_output(m, "[127.0.0.1:4000] bye\n[127.0.0.1:4000] hi\n");
    ASSERT_TRUE(once);
    EXPECT_TRUE(has(once, "missing line `[127.0.0.1:4000] hi`")) << *once;
    EXPECT_FALSE(has(once, "unexpected")) << *once;
    auto wrong = check_output(m, "[127.0.0.1:4000] hi\n[127.0.0.1:4000] hi\n[127.0.0.1:4000] bye\nhello?\n");
    EXPECT_TRUE(has(wrong, "unexpected line `hello?`")) << *wrong;
    EXPECT_FALSE(has(wrong, "missing")) << *wrong;
}

TEST(UnorderedMatcher, ListsAFewAndCountsTheRest) {
    std::vector<std::string> want;
    std::string got;
    for (int i = 0; i < 10; ++i) {
        want.push_back("want " + std::to_string(i));
        got += "got " + std::to_string(i) + "\n";
    }
    auto msg = check_output(lines_matcher(Kind::unordered, want), got);
    ASSERT_TRUE(msg);
    EXPECT_TRUE(has(msg, "missing line `want 0`"));
    EXPECT_TRUE(has(msg, "(7 more missing lines)")) << *msg;
    EXPECT_TRUE(has(msg, "(7 more unexpected lines)")) << *msg;
    EXPECT_FALSE(has(msg, "want 5"));
}

// ---- contains

TEST(ContainsMatcher, SubstringOfTheNormalisedOutput) {
    EXPECT_EQ(check_output(text_matcher(Kind::contains, "Task1 finished\nTask2 need: 1\n"), kSeedLog), std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::contains, "All finished!\n"), "x\r\nAll finished!  \r\n"), std::nullopt);
    auto msg = check_output(text_matcher(Kind::contains, "Task3 finished"), kSeedLog);
    EXPECT_TRUE(has(msg, "expected the output to contain `Task3 finished`")) << *msg;
    EXPECT_TRUE(has(msg, "your program printed 10 lines, starting with `Task1 need: 12 slice: 6`")) << *msg;
    EXPECT_TRUE(has(check_output(text_matcher(Kind::contains, "x"), ""), "your program printed nothing"));
}

// ---- regex / full_regex / forbid

TEST(RegexMatcher, MatchesSomewhere) {
    EXPECT_EQ(check_output(text_matcher(Kind::regex, R"(copied \d+ files)"), "pool_copy: copied 12 files, 3 MiB\n"),
              std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::regex, R"((?m)^Task2 finished$)"), kSeedLog), std::nullopt);
    auto msg = check_output(text_matcher(Kind::regex, R"((?m)^Task3 finished$)"), kSeedLog);
    EXPECT_TRUE(has(msg, "no part of the output matches the pattern `(?m)^Task3 finished$`")) << *msg;
}

TEST(FullRegexMatcher, MustMatchTheWholeOutput) {
    EXPECT_EQ(check_output(text_matcher(Kind::full_regex, R"((?s)Task1.*All finished!)"), kSeedLog), std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::full_regex, R"(\[42, None, 'hello'\])"), "[42, None, 'hello']\n"),
              std::nullopt);
    auto msg = check_output(text_matcher(Kind::full_regex, R"(Task1.*)"), kSeedLog);  // '.' stops at '\n'
    EXPECT_TRUE(has(msg, "the output as a whole does not match the pattern `Task1.*`")) << *msg;
}

TEST(ForbidMatcher, NoLineMayMatch) {
    auto m = text_matcher(Kind::forbid, R"(need: -\d)");
    EXPECT_EQ(check_output(m, kSeedLog), std::nullopt);
    EXPECT_EQ(check_output(m, ""), std::nullopt);
    auto msg = check_output(m, "Task1 need: 2\nTask1 need: -4\nok\nTask2 need: -1\n");
    ASSERT_TRUE(msg);
    EXPECT_TRUE(has(msg, "line 2: `Task1 need: -4` matches the forbidden pattern `need: -\\d`")) << *msg;
    EXPECT_TRUE(has(msg, "line 4: `Task2 need: -1`")) << *msg;
    EXPECT_FALSE(has(msg, "line 1:"));
}

TEST(RegexMatchers, AnInvalidPatternIsTheManifestsFault) {
    for (Kind k : {Kind::regex, Kind::full_regex, Kind::forbid}) {
        try {
            check_output(text_matcher(k, "Task(1"), kSeedLog);
            ADD_FAILURE() << "no exception";
        } catch (const std::invalid_argument& e) {
            std::string what = e.what();
            EXPECT_NE(what.find("manifest"), std::string::npos) << what;
            EXPECT_NE(what.find("`Task(1`"), std::string::npos) << what;
        }
    }
    EXPECT_THROW(check_output(text_matcher(Kind::forbid, "x**"), ""), std::invalid_argument)
        << "checked even when there is no output to match";
}

// ---- hostile output

TEST(Matchers, TenMegabytesOnOneLineAreLinearAndSafe) {
    const std::string big(10 << 20, 'a');
    const std::string out = big + "\n";
    auto t0 = std::chrono::steady_clock::now();
    // patterns that make a backtracking engine explode or recurse once per character
    EXPECT_EQ(check_output(text_matcher(Kind::forbid, R"((a+a+)+b)"), out), std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::full_regex, R"((a|aa)*)"), out), std::nullopt);
    EXPECT_EQ(check_output(text_matcher(Kind::regex, R"((?:a)*c)"), out).has_value(), true);
    EXPECT_EQ(check_output(text_matcher(Kind::contains, "aaab"), out).has_value(), true);
    auto exact = check_output(text_matcher(Kind::exact, "short\n"), out);
    auto forbid = check_output(text_matcher(Kind::forbid, R"(^a*$)"), out);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(seconds, 30.0);  // generous: ASan build, slow CI machine
    ASSERT_TRUE(exact);
    EXPECT_LT(exact->size(), 600u) << "messages stay short";
    EXPECT_TRUE(has(exact, "more bytes)")) << *exact;
    ASSERT_TRUE(forbid);
    EXPECT_LT(forbid->size(), 600u);
}

TEST(Matchers, BinaryAndLongLinesArePrintable) {
    std::string line = std::string("ok \x01\x02\xff\xfe tab\there caf\xc3\xa9 ") + std::string(300, 'z');
    auto msg = check_output(text_matcher(Kind::exact, "expected\n"), line + "\n");
    ASSERT_TRUE(msg);
    EXPECT_TRUE(has(msg, "ok \\x01\\x02\\xff\\xfe tab\\there caf\xc3\xa9 zzz")) << *msg;
    EXPECT_TRUE(has(msg, "more bytes)")) << *msg;
    for (char c : *msg) {
        unsigned char u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 || c == '\n') << "control byte " << int(u) << " in message";
    }
    EXPECT_FALSE(has(msg, "\xff"));
}

TEST(Matchers, ManyOutputLinesAreFine) {
    std::string out;
    std::vector<std::string> want;
    for (int i = 0; i < 100000; ++i) {
        out += "line " + std::to_string(i) + "\n";
        want.push_back("line " + std::to_string(99999 - i));
    }
    EXPECT_EQ(check_output(lines_matcher(Kind::unordered, want), out), std::nullopt);
    auto msg = check_output(lines_matcher(Kind::lines, want), out);
    ASSERT_TRUE(msg);
    EXPECT_TRUE(has(msg, "line 1: expected `line 99999` but your program printed `line 0`")) << *msg;
}

}  // namespace
}  // namespace conclab
