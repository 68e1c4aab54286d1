// The supervisor's side of the result channel (docs/security.md): only
// records sealed under the run's key, in order, count.
#include <gtest/gtest.h>

#include <string>

#include "conclab/channel.hpp"
#include "conclab/channel_record.hpp"

namespace conclab {
namespace {

std::string sealed(const std::string& payload, const std::string& key) {
    return channel::seal(payload, reinterpret_cast<const unsigned char*>(key.data()));
}

Captured arrived(const std::string& text) {
    Captured c;
    c.text = text;
    c.total = text.size();
    return c;
}

const std::string kPassed = R"({"failures":[],"name":"S.T","result":"passed","seq":0,"type":"test"})";
const std::string kDone = R"({"failed":0,"seq":1,"tests":1,"type":"done"})";

TEST(Channel, KeysAreFreshAndFullSize) {
    const std::string a = make_channel_key(), b = make_channel_key();
    EXPECT_EQ(a.size(), channel::kKeyBytes);
    EXPECT_NE(a, b);
}

TEST(Channel, SealedRecordsInOrderAreAccepted) {
    const std::string key = make_channel_key();
    auto r = read_channel(arrived(sealed(kPassed, key) + sealed(kDone, key)), key);
    EXPECT_TRUE(r.forged.empty()) << r.forged;
    EXPECT_TRUE(r.done);
    EXPECT_FALSE(r.repeated);
    ASSERT_EQ(r.tests.size(), 1u);
    EXPECT_EQ(r.tests[0].name, "S.T");
    EXPECT_EQ(r.tests[0].result, "passed");
}

TEST(Channel, FailuresTravelWithTheirText) {
    const std::string key = make_channel_key();
    const std::string failed =
        R"({"failures":["graders/x.cpp:12\nExpected 3, got 2"],"more_failures":4,"name":"S.T","result":"failed","seq":0,"type":"test"})";
    auto r = read_channel(arrived(sealed(failed, key) + sealed(kDone, key)), key);
    ASSERT_EQ(r.tests.size(), 1u);
    EXPECT_EQ(r.tests[0].result, "failed");
    ASSERT_EQ(r.tests[0].failures.size(), 1u);
    EXPECT_EQ(r.tests[0].failures[0], "graders/x.cpp:12\nExpected 3, got 2");
    EXPECT_EQ(r.tests[0].more_failures, 4);
}

TEST(Channel, ARecordUnderAnotherKeyIsForgedAndNeverDone) {
    const std::string key = make_channel_key(), other = make_channel_key();
    auto r = read_channel(arrived(sealed(kPassed, other) + sealed(kDone, other)), key);
    EXPECT_FALSE(r.done);
    EXPECT_TRUE(r.tests.empty());
    EXPECT_NE(r.forged.find("bad MAC"), std::string::npos) << r.forged;
}

TEST(Channel, AMadeUpMacIsForged) {
    const std::string key = make_channel_key();
    auto r = read_channel(arrived(std::string(64, 'a') + " " + kPassed + "\n" + sealed(kDone, key)), key);
    EXPECT_FALSE(r.forged.empty());
    EXPECT_TRUE(r.tests.empty());
}

TEST(Channel, GarbageBetweenRecordsIsEvidenceEvenWhenTheRecordsAreGood) {
    const std::string key = make_channel_key();
    auto r = read_channel(arrived(sealed(kPassed, key) + "hello\x01\n" + sealed(kDone, key)), key);
    EXPECT_TRUE(r.done);
    EXPECT_NE(r.forged.find("hello\\x01"), std::string::npos) << r.forged;
}

TEST(Channel, AMissingRecordMeansSomeoneReadTheChannel) {
    const std::string key = make_channel_key();
    auto r = read_channel(arrived(sealed(kDone, key)), key);   // seq 0 never arrived
    EXPECT_NE(r.forged.find("never arrived"), std::string::npos) << r.forged;
}

TEST(Channel, RecordsTwiceAreRepeatedNotForged) {
    const std::string key = make_channel_key();
    const std::string once = sealed(kPassed, key) + sealed(kDone, key);
    auto r = read_channel(arrived(once + once), key);
    EXPECT_TRUE(r.forged.empty()) << r.forged;
    EXPECT_TRUE(r.repeated);
    EXPECT_EQ(r.tests.size(), 1u);
}

TEST(Channel, AnUnfinishedLastLineIsNotARecord) {
    const std::string key = make_channel_key();
    std::string done = sealed(kDone, key);
    done.pop_back();   // no '\n': the writer died mid-record
    auto r = read_channel(arrived(sealed(kPassed, key) + done), key);
    EXPECT_FALSE(r.done);
    EXPECT_FALSE(r.forged.empty());
}

TEST(Channel, AFloodIsEvidence) {
    const std::string key = make_channel_key();
    Captured c = arrived(sealed(kPassed, key) + sealed(kDone, key));
    c.total = 64u << 20;   // the capture kept head and tail of 64 MiB
    auto r = read_channel(c, key);
    EXPECT_NE(r.forged.find("bytes were written"), std::string::npos) << r.forged;
}

}  // namespace
}  // namespace conclab
