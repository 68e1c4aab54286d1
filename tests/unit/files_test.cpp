// read_file (files.hpp): whole files, capped files, missing files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "conclab/files.hpp"

namespace fs = std::filesystem;

namespace {

fs::path write_temp(const std::string& name, const std::string& bytes) {
    fs::path dir = fs::temp_directory_path() / ("conclab-files-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return dir / name;
}

TEST(ReadFile, ReturnsEveryByteIncludingNulAndNoNewlineAtTheEnd) {
    std::string bytes("line one\n\0two\r\nend", 18);
    EXPECT_EQ(conclab::read_file(write_temp("exact", bytes)), bytes);
}

TEST(ReadFile, ReadsFilesLargerThanItsBuffer) {
    std::string big(300000, 'x');
    big[123456] = 'y';
    EXPECT_EQ(conclab::read_file(write_temp("big", big)), big);
}

TEST(ReadFile, KeepsOnlyTheFirstMaxBytes) {
    std::string big(200000, 'a');
    big.replace(0, 5, "start");
    std::string got = conclab::read_file(write_temp("capped", big), 70000);
    EXPECT_EQ(got.size(), 70000u);
    EXPECT_EQ(got.substr(0, 5), "start");
    EXPECT_EQ(conclab::read_file(write_temp("small", "abc"), 70000), "abc");
    EXPECT_EQ(conclab::read_file(write_temp("zero", "abc"), 0), "");
}

TEST(ReadFile, MissingFileOrDirectoryGivesEmptyText) {
    EXPECT_EQ(conclab::read_file("/nonexistent/conclab/file"), "");
    EXPECT_EQ(conclab::read_file(fs::temp_directory_path()), "");
}

}  // namespace
