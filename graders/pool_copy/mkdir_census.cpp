// Mkdir census: while armed (grader::watch_mkdirs_under), records which thread
// made each directory under one directory.
//
// Why: the statement says every directory of `dst` is made by the thread that
// called copy_tree, before or while the file tasks are submitted; only
// regular files are tasks. A copier whose file tasks make their own parent
// directories gives the same tree, so only this census sees it
// (docs/promises.md, pool_copy #21).
//
// How: the interposition of thread_census.cpp (its comment says why a
// definition in the executable catches calls from inside libstdc++ too):
// mkdir and mkdirat, which std::filesystem::create_directory(ies) and a
// student's own mkdir(2) end in, forwarded to the next definition. Only a
// call that made a directory counts: a task that asks for a directory the
// caller already made (EEXIST) made nothing, and
// std::filesystem::create_directories does not even ask (it looks first).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kit/explore.hpp"   // kit::explore_detail::next_fn: the next definition of a name
#include "pool_copy_grader.hpp"

namespace {

constexpr int kMaxRecords = 1024;

// The armed directory, with a trailing '/'. Written only while disarmed, by
// the test's thread before copy_tree starts (g_armed's release / acquire
// orders it for the workers).
std::string g_root;
std::atomic<bool> g_armed{false};
std::atomic<int> g_count{0};
std::atomic<pid_t> g_tid[kMaxRecords];

// `path` as an absolute path: relative to `dirfd` (AT_FDCWD: the cwd).
std::string absolute(int dirfd, const char* path) {
    if (path == nullptr) return {};
    if (path[0] == '/') return path;
    char base[PATH_MAX] = {0};
    if (dirfd == AT_FDCWD) {
        if (::getcwd(base, sizeof base) == nullptr) return {};
    } else {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        if (::readlink(link, base, sizeof base - 1) < 0) return {};
    }
    return std::string(base) + "/" + path;
}

void record(int rc, int dirfd, const char* path) {
    if (rc != 0 || !g_armed.load(std::memory_order_acquire)) return;
    const std::string p = absolute(dirfd, path);
    if (p.compare(0, g_root.size(), g_root) != 0) return;
    const int i = g_count.fetch_add(1, std::memory_order_relaxed);
    if (i < kMaxRecords) g_tid[i].store(grader::tid(), std::memory_order_relaxed);
}

using mkdir_fn = int (*)(const char*, mode_t);
using mkdirat_fn = int (*)(int, const char*, mode_t);

}  // namespace

extern "C" int mkdir(const char* path, mode_t mode) {
    static const auto real = reinterpret_cast<mkdir_fn>(kit::explore_detail::next_fn("mkdir"));
    const int rc = real(path, mode);
    const int saved = errno;
    record(rc, AT_FDCWD, path);
    errno = saved;
    return rc;
}

extern "C" int mkdirat(int dirfd, const char* path, mode_t mode) {
    static const auto real = reinterpret_cast<mkdirat_fn>(kit::explore_detail::next_fn("mkdirat"));
    const int rc = real(dirfd, path, mode);
    const int saved = errno;
    record(rc, dirfd, path);
    errno = saved;
    return rc;
}

namespace grader {

void watch_mkdirs_under(const std::filesystem::path& dir) {
    g_armed.store(false, std::memory_order_release);
    g_count.store(0, std::memory_order_relaxed);
    if (dir.empty()) return;
    g_root = std::filesystem::absolute(dir).lexically_normal().string();
    if (g_root.empty() || g_root.back() != '/') g_root += '/';
    g_armed.store(true, std::memory_order_release);
}

std::vector<pid_t> mkdir_tids() {
    std::vector<pid_t> out;
    const int n = std::min(g_count.load(std::memory_order_relaxed), kMaxRecords);
    for (int i = 0; i < n; ++i) out.push_back(g_tid[i].load(std::memory_order_relaxed));
    return out;
}

}  // namespace grader
