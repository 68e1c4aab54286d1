// Open hold: while armed (grader::hold_opens_under), every successful
// read-only open of a file under one directory returns only after a short
// sleep, with the file already open.
//
// Why: copy_uses_at_most_n_threads measures how many source files are open at
// once (inotify, see copy_tree_test.cpp). The grader's files are small, so a
// copy lasts microseconds and a copier that runs more than n copies at once
// (e.g. submit() running the task on the caller when every worker is busy)
// overlapped them only in some gradings: 18 then 17 points for the same code.
// Holding every source file open for 10 ms makes each copy long enough that
// a second copy started while one runs is seen every time; a correct pool
// never has more than n open, however long each is held.
//
// How: the same interposition as thread_census.cpp (its comment says why a
// definition in the executable catches calls from inside libstdc++ too):
// open/openat (POSIX, std::filesystem::copy_file) and fopen (C stdio,
// std::ifstream), each in its 64-bit name too, forwarded to the next
// definition (TSan's interceptor, then libc's). A submission that opens files
// some other way (a raw syscall) is not slowed; it is then measured as before,
// without the hold.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "kit/explore.hpp"   // kit::explore_detail::next_fn: the next definition of a name
#include "pool_copy_grader.hpp"

namespace {

std::atomic<int> g_hold_ms{10};

// The armed directory, with a trailing '/'. Written only while disarmed, by
// the test's thread before copy_tree starts its workers (g_armed's release /
// acquire orders it for them).
std::string g_root;
std::atomic<bool> g_armed{false};

bool under_root(const char* path) {
    if (path == nullptr) return false;
    if (path[0] == '/') return std::strncmp(path, g_root.data(), g_root.size()) == 0;
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return false;
    return (std::string(cwd) + "/" + path).compare(0, g_root.size(), g_root) == 0;
}

// Called after the real open: `ok` is whether it succeeded.
void maybe_hold(bool ok, bool read_only, bool at_cwd, const char* path) {
    if (!ok || !read_only || !at_cwd || !g_armed.load(std::memory_order_acquire)) return;
    if (!under_root(path)) return;
    const int saved = errno;
    std::this_thread::sleep_for(std::chrono::milliseconds(g_hold_ms.load(std::memory_order_relaxed)));
    errno = saved;
}

bool reads_only(int flags) { return (flags & O_ACCMODE) == O_RDONLY && (flags & O_DIRECTORY) == 0; }

bool needs_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

using open_fn = int (*)(const char*, int, ...);
using openat_fn = int (*)(int, const char*, int, ...);
using fopen_fn = FILE* (*)(const char*, const char*);

// The real functions are looked up once, by each wrapper below (a
// function-local static): an open is a hot path for every test in the build.
template <class Fn>
Fn next(const char* name) {
    return reinterpret_cast<Fn>(kit::explore_detail::next_fn(name));
}

int do_open(open_fn real, const char* path, int flags, mode_t mode) {
    const int fd = needs_mode(flags) ? real(path, flags, mode) : real(path, flags);
    maybe_hold(fd >= 0, reads_only(flags), true, path);
    return fd;
}

int do_openat(openat_fn real, int dirfd, const char* path, int flags, mode_t mode) {
    const int fd = needs_mode(flags) ? real(dirfd, path, flags, mode) : real(dirfd, path, flags);
    // Relative to another directory: its path is unknown here, so no hold.
    maybe_hold(fd >= 0, reads_only(flags), dirfd == AT_FDCWD || (path && path[0] == '/'), path);
    return fd;
}

FILE* do_fopen(fopen_fn real, const char* path, const char* mode) {
    FILE* f = real(path, mode);
    maybe_hold(f != nullptr, mode && mode[0] == 'r' && std::strchr(mode, '+') == nullptr, true, path);
    return f;
}

mode_t mode_arg(int flags, va_list ap) { return needs_mode(flags) ? static_cast<mode_t>(va_arg(ap, int)) : 0; }

}  // namespace

extern "C" int open(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    static const auto real = next<open_fn>("open");
    return do_open(real, path, flags, mode);
}

extern "C" int open64(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    static const auto real = next<open_fn>("open64");
    return do_open(real, path, flags, mode);
}

extern "C" int openat(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    static const auto real = next<openat_fn>("openat");
    return do_openat(real, dirfd, path, flags, mode);
}

extern "C" int openat64(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    static const auto real = next<openat_fn>("openat64");
    return do_openat(real, dirfd, path, flags, mode);
}

extern "C" FILE* fopen(const char* path, const char* mode) {
    static const auto real = next<fopen_fn>("fopen");
    return do_fopen(real, path, mode);
}

extern "C" FILE* fopen64(const char* path, const char* mode) {
    static const auto real = next<fopen_fn>("fopen64");
    return do_fopen(real, path, mode);
}

namespace grader {

void hold_opens_under(const std::filesystem::path& dir, std::chrono::milliseconds hold) {
    // Disarming leaves g_root as it is: a thread the submission left running
    // may still read it.
    g_armed.store(false, std::memory_order_release);
    if (dir.empty()) return;
    g_hold_ms.store(static_cast<int>(hold.count()), std::memory_order_relaxed);
    g_root = std::filesystem::absolute(dir).lexically_normal().string();
    if (g_root.empty() || g_root.back() != '/') g_root += '/';
    g_armed.store(true, std::memory_order_release);
}

}  // namespace grader
