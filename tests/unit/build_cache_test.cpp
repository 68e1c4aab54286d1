// The whole-build cache: keys that change with any input, entries restored
// byte for byte, incomplete entries refused, least recently used evicted.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "conclab/build_cache.hpp"
#include "conclab/files.hpp"

namespace conclab {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("conclab-cache-test-" + std::to_string(::getpid()) + "-" +
                                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string key_of(std::initializer_list<std::string_view> parts) {
    ContentKey k;
    for (auto p : parts) k.add(p);
    return k.hex();
}

TEST(ContentKey, InputsAreFramedSoSplitsDiffer) {
    EXPECT_NE(key_of({"ab", "c"}), key_of({"a", "bc"}));
    EXPECT_EQ(key_of({"ab", "c"}), key_of({"ab", "c"}));
    EXPECT_EQ(key_of({}).size(), 64u);
}

TEST(ContentKey, ATreeKeyChangesWithAnyByteOrName) {
    TempDir d;
    put(d.path / "a" / "x.cpp", "int x;");
    put(d.path / "b.hpp", "#pragma once");
    auto tree = [&] {
        ContentKey k;
        k.add_tree(d.path);
        return k.hex();
    };
    const std::string before = tree();
    EXPECT_EQ(before, tree());
    put(d.path / "a" / "x.cpp", "int y;");
    EXPECT_NE(before, tree());
    put(d.path / "a" / "x.cpp", "int x;");
    EXPECT_EQ(before, tree());
    fs::rename(d.path / "b.hpp", d.path / "c.hpp");
    EXPECT_NE(before, tree());
}

TEST(BuildCache, RestoresWhatWasStoredAndNothingElse) {
    TempDir d;
    const BuildCache cache(d.path / "cache", 1 << 20);
    put(d.path / "s1" / "bin" / "tsan", "executable bytes");
    put(d.path / "s1" / "obj" / "thread-O1-counter.o", "object bytes");
    const std::vector<fs::path> files = {"bin/tsan", "obj/thread-O1-counter.o"};
    EXPECT_FALSE(cache.restore("k1", d.path / "s2", files));
    cache.store("k1", d.path / "s1", files);
    ASSERT_TRUE(cache.restore("k1", d.path / "s2", files));
    EXPECT_EQ(read_file(d.path / "s2" / "bin" / "tsan"), "executable bytes");
    EXPECT_EQ(read_file(d.path / "s2" / "obj" / "thread-O1-counter.o"), "object bytes");
    EXPECT_FALSE(cache.restore("k2", d.path / "s3", files));
    // An entry lacking a file the grading needs is a miss, not half a build.
    EXPECT_FALSE(cache.restore("k1", d.path / "s3", {"bin/tsan", "bin/release"}));
}

TEST(BuildCache, StoringAgainKeepsTheFirstEntry) {
    TempDir d;
    const BuildCache cache(d.path / "cache", 1 << 20);
    put(d.path / "s1" / "bin" / "tsan", "first");
    put(d.path / "s2" / "bin" / "tsan", "second");
    cache.store("k", d.path / "s1", {"bin/tsan"});
    cache.store("k", d.path / "s2", {"bin/tsan"});
    ASSERT_TRUE(cache.restore("k", d.path / "s3", {"bin/tsan"}));
    EXPECT_EQ(read_file(d.path / "s3" / "bin" / "tsan"), "first");
    for (const auto& e : fs::directory_iterator(d.path / "cache"))
        EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos) << "temporary entry left";
}

TEST(BuildCache, EvictsTheLeastRecentlyUsedBeyondItsSize) {
    TempDir d;
    const BuildCache cache(d.path / "cache", 2500);   // room for two 1000-byte entries
    put(d.path / "s" / "bin" / "x", std::string(1000, 'x'));
    cache.store("old", d.path / "s", {"bin/x"});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cache.store("used", d.path / "s", {"bin/x"});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(cache.restore("old", d.path / "r", {"bin/x"}));   // "old" is now the most recent
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cache.store("new", d.path / "s", {"bin/x"});
    EXPECT_TRUE(fs::exists(d.path / "cache" / "old"));
    EXPECT_FALSE(fs::exists(d.path / "cache" / "used"));
    EXPECT_TRUE(fs::exists(d.path / "cache" / "new"));
}

}  // namespace
}  // namespace conclab
