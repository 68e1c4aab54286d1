// Helpers shared by the pool_copy graders: a census of the threads the
// process creates, and building / comparing directory trees. (The seed and the
// rest of the common helpers are in the grader kit, graders/common.)
#pragma once

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kit/seed.hpp"

namespace grader {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Thread census (thread_census.cpp). The grader executable defines
// pthread_create itself; the dynamic linker prefers the executable's definition
// to libc's (and to TSan's interceptor, which it then calls), so EVERY thread
// the process starts is counted — std::thread, std::jthread, std::async or a
// raw pthread_create, whether the call is in the student's object or inside
// libstdc++. Measured with g++ 12 under TSan, ASan and -O2: exact counts.
long threads_created();
// pthread_detach calls (std::thread::detach), counted the same way.
long threads_detached();
// Fault injection: the k-th pthread_create call from now on (k >= 1) fails
// with EAGAIN, as when the process is out of threads; the others work.
// k <= 0 disarms it.
void fail_thread_start(long k);

// Open hold (open_hold.cpp): from now on every read-only open of a file under
// `dir` (open, openat, fopen; from any thread) returns `hold` late, with the
// file open, so that copies that overlap are seen overlapping every time. An
// empty path disarms it.
void hold_opens_under(const fs::path& dir, std::chrono::milliseconds hold = std::chrono::milliseconds(10));

// Mkdir census (mkdir_census.cpp): from now on, the thread (tid() below) of
// every mkdir/mkdirat call, from any thread, that makes a directory under
// `dir`. An empty path disarms it.
void watch_mkdirs_under(const fs::path& dir);
std::vector<pid_t> mkdir_tids();

// The kernel's id of the calling thread: unlike std::thread::id (a pthread_t,
// reused as soon as a thread is joined), tids are not reused quickly, so a set
// of tids counts distinct threads.
inline pid_t tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// ---------------------------------------------------------------------------
// Directory trees.

// A fresh, empty directory under the run's cwd (the engine gives each run its
// own empty writable cwd; by hand, the folder is simply replaced).
inline fs::path fresh_dir(const std::string& name) {
    fs::path dir = fs::current_path() / ("pool_copy_" + name);
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    return dir;
}

inline void write_file(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("grader: cannot write " + path.string());
}

// One bulk read: a byte-by-byte loop in grader code would be instrumented by
// TSan and take seconds for the big files.
inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return {};
    const std::streamoff size = in.tellg();
    std::string s(static_cast<std::size_t>(size > 0 ? size : 0), '\0');
    in.seekg(0);
    in.read(s.data(), static_cast<std::streamsize>(s.size()));
    s.resize(static_cast<std::size_t>(in.gcount()));
    return s;
}

// Pseudo-random bytes (all 256 values, NUL and '\n' included), reproducible
// from the seed. mt19937's raw output is fixed by the standard, so the same
// seed gives the same bytes with every compiler.
inline std::string random_bytes(std::size_t n, std::mt19937& rng) {
    std::vector<std::uint32_t> words(n / 4 + 1);
    for (auto& w : words) w = static_cast<std::uint32_t>(rng());
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((words[i / 4] >> (8 * (i % 4))) & 0xff);
    return s;
}

// What a tree holds: relative path ('/'-separated) -> "dir" or the file's bytes.
struct Entry {
    bool is_dir = false;
    std::string bytes;
};
using Tree = std::map<std::string, Entry>;

inline Tree snapshot(const fs::path& root) {
    Tree t;
    if (!fs::is_directory(root)) return t;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        std::string rel = e.path().lexically_relative(root).generic_string();
        if (e.is_directory()) t[rel] = Entry{true, {}};
        else if (e.is_regular_file()) t[rel] = Entry{false, read_file(e.path())};
    }
    return t;
}

// Writes `tree` under root (directories first, so empty ones exist too).
inline void materialize(const fs::path& root, const Tree& tree) {
    for (const auto& [rel, e] : tree)
        if (e.is_dir) fs::create_directories(root / rel);
    for (const auto& [rel, e] : tree)
        if (!e.is_dir) write_file(root / rel, e.bytes);
}

inline std::uintmax_t total_bytes(const Tree& t) {
    std::uintmax_t n = 0;
    for (const auto& [rel, e] : t) n += e.is_dir ? 0 : e.bytes.size();
    return n;
}

inline std::size_t file_count(const Tree& t) {
    return static_cast<std::size_t>(std::count_if(t.begin(), t.end(), [](const auto& kv) { return !kv.second.is_dir; }));
}

// "" when `actual` holds exactly `expected`, else a few lines for the student.
inline std::string compare_trees(const Tree& expected, const Tree& actual) {
    std::ostringstream out;
    int problems = 0;
    auto report = [&](const std::string& line) {
        if (++problems <= 8) out << "  " << line << "\n";
    };
    for (const auto& [rel, e] : expected) {
        auto it = actual.find(rel);
        if (it == actual.end()) {
            report((e.is_dir ? "missing directory: \"" : "missing file: \"") + rel + "\"");
        } else if (e.is_dir != it->second.is_dir) {
            report("\"" + rel + "\" should be a " + (e.is_dir ? "directory" : "file"));
        } else if (!e.is_dir && e.bytes != it->second.bytes) {
            const std::string& a = it->second.bytes;
            std::size_t i = 0;
            while (i < a.size() && i < e.bytes.size() && a[i] == e.bytes[i]) ++i;
            std::ostringstream m;
            m << "\"" << rel << "\": " << a.size() << " bytes instead of " << e.bytes.size();
            if (a.size() == e.bytes.size()) m << ", same size";
            m << ", first difference at byte " << i;
            if (a.size() < e.bytes.size() && i == a.size()) m << " (the copy is truncated)";
            report(m.str());
        }
    }
    for (const auto& [rel, e] : actual)
        if (!expected.count(rel)) report("unexpected " + std::string(e.is_dir ? "directory" : "file") + ": \"" + rel + "\"");
    if (problems > 8) out << "  ... and " << problems - 8 << " more differences\n";
    return out.str();
}

// The tree the copy tests use: nested and empty directories, empty files, a
// file larger than any sensible fixed buffer, files whose sizes sit around
// common buffer sizes, and names with spaces, UTF-8 and leading dots/dashes.
inline Tree sample_tree(std::mt19937& rng, std::size_t big_size = 5 * 1024 * 1024 + 12345) {
    Tree t;
    auto dir = [&](const std::string& rel) { t[rel] = Entry{true, {}}; };
    auto file = [&](const std::string& rel, std::string bytes) {
        t[rel] = Entry{false, std::move(bytes)};
        // every parent directory is part of the tree too
        for (fs::path p = fs::path(rel).parent_path(); !p.empty(); p = p.parent_path()) t[p.generic_string()] = Entry{true, {}};
    };
    dir("docs");
    dir("docs/empty dir");
    dir("nested");
    dir("nested/deeper");
    dir("nested/deeper/deepest");
    dir("nested/deeper/deepest/empty");
    dir("r\xc3\xa9sum\xc3\xa9s \xc3\xbc\xc3\xb1\xc3\xaf");          // "résumés üñï"
    dir("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");                    // "日本語"
    dir("empty at top");
    file("hello.txt", "hello, pool\n");
    file("empty.txt", "");
    file("docs/with spaces in name.txt", "spaces are part of the name\n");
    file("docs/no newline at end", "last line");
    file("nested/deeper/deepest/leaf.dat", random_bytes(4097, rng));
    file("nested/deeper/zero.bin", "");
    file("nested/crlf.txt", "line one\r\nline two\r\n\r\n");
    file("r\xc3\xa9sum\xc3\xa9s \xc3\xbc\xc3\xb1\xc3\xaf/caf\xc3\xa9 \xe2\x98\x95.txt", "caf\xc3\xa9\n");
    file("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.bin", random_bytes(1000, rng));
    file(".hidden", "dot files are files too\n");
    file("-starts-with-dash", "-\n");
    file("big.bin", random_bytes(big_size, rng));
    file("sizes/4095.bin", random_bytes(4095, rng));
    file("sizes/4096.bin", random_bytes(4096, rng));
    file("sizes/65536.bin", random_bytes(65536, rng));
    file("sizes/65537.bin", random_bytes(65537, rng));
    file("sizes/nul bytes.bin", std::string(3000, '\0'));
    for (int i = 0; i < 12; ++i)
        file("many/file_" + std::to_string(i) + ".txt", random_bytes(rng() % 9000, rng));
    return t;
}

// Prints a path the way a student reads it in a message.
inline std::string quoted(const fs::path& p) { return "\"" + p.string() + "\""; }

}  // namespace grader
