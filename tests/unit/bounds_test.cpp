// Reports stay bounded whatever a program prints (docs/security.md).
#include <gtest/gtest.h>

#include <string>

#include "conclab/bounds.hpp"
#include "conclab/report.hpp"

namespace conclab {
namespace {

TEST(Bounds, ShortTextIsUntouched) { EXPECT_EQ(bounded("hello", 64), "hello"); }

TEST(Bounds, LongTextKeepsHeadAndTailAndSaysWhatWasCut) {
    std::string text = std::string(1000, 'h') + std::string(100000, 'm') + std::string(1000, 't');
    std::string b = bounded(text, 4096);
    EXPECT_LE(b.size(), 4096u);
    EXPECT_EQ(b.substr(0, 1000), std::string(1000, 'h'));
    EXPECT_EQ(b.substr(b.size() - 1000), std::string(1000, 't'));
    EXPECT_NE(b.find(" bytes cut ...]"), std::string::npos);
}

TEST(Bounds, NeverSplitsAUtf8Character) {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "\xe4\xbd\xa0";   // 你
    std::string b = bounded(text, 1001);
    EXPECT_LE(b.size(), 1001u);
    // every lead byte is followed by its two continuation bytes
    for (std::size_t i = 0; i < b.size(); ++i)
        if (static_cast<unsigned char>(b[i]) == 0xe4) {
            ASSERT_LT(i + 2, b.size());
            EXPECT_EQ(static_cast<unsigned char>(b[i + 1]) & 0xC0, 0x80);
        }
}

TEST(Bounds, AResultOfManyFloodedTestsFitsInOneMebibyte) {
    SubmissionResult r;
    r.submission = "flood";
    ExerciseResult e;
    e.name = "counter";
    for (int i = 0; i < 60; ++i) {
        TestResult t;
        t.name = "t" + std::to_string(i);
        t.status = Status::failed;
        t.output = std::string(1 << 20, 'x');
        t.message = std::string(100000, 'y');
        e.tests.push_back(t);
    }
    r.exercises.push_back(e);
    bound_result(r);
    EXPECT_LE(to_json(r).size(), kResultJsonBytes);
    for (const auto& t : r.exercises[0].tests) EXPECT_LE(t.output.size(), kTestOutputBytes);
}

}  // namespace
}  // namespace conclab
