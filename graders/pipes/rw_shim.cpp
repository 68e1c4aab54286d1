// Link-time wrappers of read(2), write(2), readv(2) and writev(2) for the
// `pipes` grader.
//
// The `shim` build links with -Wl,--wrap=read,--wrap=write,--wrap=readv,
// --wrap=writev: every such call in the statically linked objects (the
// student's pipes.o included) goes to the __wrap_ functions below, which reach
// the real ones through __real_. Calls made inside shared libraries (libc's
// stdio, libstdc++'s streams) are not affected. The vector forms are wrapped
// too because a correct Connection may send header and payload with one
// writev(): the grader judges what the code does, not which call it uses.
//
// Off until the test calls conclab_shim_set_mode(); then, on pipes (and FIFOs)
// other than the standard fds 0-2 only:
//   mode 1  every call moves 1-3 bytes (seeded): a pipe is a byte stream and
//           read()/write() may always move fewer bytes than asked. Code that
//           assumes one read() = one message, or ignores write()'s count,
//           fails at once, whatever the timing.
//   mode 2  about a third of the calls fail with EINTR before doing anything,
//           as when a signal handler interrupts a blocking call. Code that
//           does not retry on EINTR throws or loses data.
//   mode 3  only in the process that set it (its children inherit the mode
//           but not the pid): every "Hi" it writes to a pipe goes out as
//           "Ho", even when the 'H' and the 'i' are in two calls. Whether
//           run_demo's child really checks the answer can then be seen.
//   mode 4  the process dies once it has written `seed` bytes to pipes: the
//           write that would pass that many bytes moves only the bytes up to
//           it, then the process kills itself with SIGKILL. A child that sets
//           it with 2 and sends a message leaves a frame cut inside its
//           header, whatever the framing, so recv()'s "EOF in the middle of
//           a message" can be tested there too.
// The mode and the random state are inherited by children made with fork().
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" ssize_t __real_read(int fd, void* buf, size_t count);
extern "C" ssize_t __real_write(int fd, const void* buf, size_t count);
extern "C" ssize_t __real_readv(int fd, const struct iovec* iov, int iovcnt);
extern "C" ssize_t __real_writev(int fd, const struct iovec* iov, int iovcnt);

namespace {

std::atomic<int> g_mode{0};
std::atomic<std::uint64_t> g_state{0};
std::atomic<long> g_reads{0};
std::atomic<long> g_writes{0};
std::atomic<long> g_eintr{0};
std::atomic<long> g_rewrites{0};
std::atomic<pid_t> g_mode3_pid{0};
std::atomic<bool> g_last_was_H{false};   // the last byte this process wrote to a pipe (mode 3)
std::atomic<long> g_bytes_to_live{0};     // mode 4: bytes this process may still write to pipes

// splitmix64 over an atomic counter: deterministic for a given seed and call order.
std::uint64_t next_random() {
    std::uint64_t z = g_state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

bool is_pipe(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

bool wrapped(int fd, std::size_t count) {
    const int mode = g_mode.load(std::memory_order_relaxed);
    if (mode == 0 || mode == 3 || fd <= 2 || count == 0) return false;
    return is_pipe(fd);
}

// Mode 3: does this write go out with "Hi" turned into "Ho"?
bool rewrites(int fd, std::size_t count) {
    return g_mode.load(std::memory_order_relaxed) == 3 && fd > 2 && count > 0 &&
           g_mode3_pid.load(std::memory_order_relaxed) == getpid() && is_pipe(fd);
}

// The bytes of one write, with every 'i' that follows an 'H' made an 'o'
// (the 'H' may have ended the previous write). Nothing is cut: the call that
// sends the copy moves as many bytes as the student asked for, so a short
// count means the same as without the rewrite.
std::vector<char> rewritten(const struct iovec* iov, int iovcnt) {
    std::vector<char> out;
    for (int i = 0; i < iovcnt; ++i) {
        const char* p = static_cast<const char*>(iov[i].iov_base);
        out.insert(out.end(), p, p + iov[i].iov_len);
    }
    bool last_was_H = g_last_was_H.load(std::memory_order_relaxed);
    for (char& c : out) {
        if (c == 'i' && last_was_H) {
            c = 'o';
            g_rewrites.fetch_add(1, std::memory_order_relaxed);
        }
        last_was_H = c == 'H';
    }
    return out;
}

// Sends the rewritten copy; remembers the last byte that really went out.
ssize_t write_rewritten(int fd, const struct iovec* iov, int iovcnt) {
    std::vector<char> bytes = rewritten(iov, iovcnt);
    const ssize_t n = __real_write(fd, bytes.data(), bytes.size());
    if (n > 0) g_last_was_H.store(bytes[static_cast<std::size_t>(n) - 1] == 'H', std::memory_order_relaxed);
    return n;
}

// How many bytes this call may move, or -1 for an injected EINTR.
long plan(std::size_t count) {
    const std::uint64_t r = next_random();
    if (g_mode.load(std::memory_order_relaxed) == 2) {
        if (r % 3 == 0) {
            g_eintr.fetch_add(1, std::memory_order_relaxed);
            return -1;
        }
        return static_cast<long>(count);
    }
    const std::size_t n = 1 + r % 3;
    return static_cast<long>(n < count ? n : count);
}

std::size_t total(const struct iovec* iov, int iovcnt) {
    std::size_t n = 0;
    for (int i = 0; i < iovcnt; ++i) n += iov[i].iov_len;
    return n;
}

// The first n bytes of iov as a new vector (at most 3 entries: n <= 3 and
// zero-length entries are skipped), so a vector call moves n bytes too.
int first_bytes(const struct iovec* iov, int iovcnt, std::size_t n, struct iovec (&out)[3]) {
    int used = 0;
    for (int i = 0; i < iovcnt && n > 0 && used < 3; ++i) {
        if (iov[i].iov_len == 0) continue;
        const std::size_t take = iov[i].iov_len < n ? iov[i].iov_len : n;
        out[used++] = {iov[i].iov_base, take};
        n -= take;
    }
    return used;
}

// Mode 4: does this write reach the pipe bytes this process may write?
bool cut_short(int fd, std::size_t count) {
    return g_mode.load(std::memory_order_relaxed) == 4 && fd > 2 && count > 0 && is_pipe(fd);
}

// Mode 4: writes what is left of the budget (all of it when the call is
// within it), and kills the process when the budget is spent.
ssize_t write_or_die(int fd, const struct iovec* iov, int iovcnt) {
    const std::size_t count = total(iov, iovcnt);
    const long left = g_bytes_to_live.load(std::memory_order_relaxed);
    if (left > 0 && static_cast<std::size_t>(left) > count) {
        const ssize_t n = __real_writev(fd, iov, iovcnt);
        if (n > 0) g_bytes_to_live.fetch_sub(n, std::memory_order_relaxed);
        return n;
    }
    std::vector<char> bytes;
    for (int i = 0; i < iovcnt && bytes.size() < static_cast<std::size_t>(left); ++i) {
        const char* p = static_cast<const char*>(iov[i].iov_base);
        const std::size_t take = std::min(iov[i].iov_len, static_cast<std::size_t>(left) - bytes.size());
        bytes.insert(bytes.end(), p, p + take);
    }
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t w = __real_write(fd, bytes.data() + done, bytes.size() - done);
        if (w > 0) done += static_cast<std::size_t>(w);
        else if (errno != EINTR) break;
    }
    ::kill(::getpid(), SIGKILL);
    for (;;) ::pause();
}

// One wrapped call: counted, then failed with EINTR or let `move(n)` move at
// most the n bytes plan() allows.
template <class Move>
ssize_t shimmed(std::atomic<long>& calls, std::size_t count, Move move) {
    calls.fetch_add(1, std::memory_order_relaxed);
    const long n = plan(count);
    if (n < 0) {
        errno = EINTR;
        return -1;
    }
    return move(static_cast<std::size_t>(n));
}

}  // namespace

extern "C" void conclab_shim_set_mode(int mode, std::uint64_t seed) {
    g_state.store(seed, std::memory_order_relaxed);
    g_reads.store(0, std::memory_order_relaxed);
    g_writes.store(0, std::memory_order_relaxed);
    g_eintr.store(0, std::memory_order_relaxed);
    g_rewrites.store(0, std::memory_order_relaxed);
    g_last_was_H.store(false, std::memory_order_relaxed);
    g_mode3_pid.store(mode == 3 ? getpid() : 0, std::memory_order_relaxed);
    g_bytes_to_live.store(mode == 4 ? static_cast<long>(seed) : 0, std::memory_order_relaxed);
    g_mode.store(mode, std::memory_order_relaxed);
}

// 0: reads seen, 1: writes seen, 2: EINTRs injected, 3: "Hi" turned into
// "Ho" (in this process).
extern "C" long conclab_shim_count(int what) {
    switch (what) {
        case 0: return g_reads.load(std::memory_order_relaxed);
        case 1: return g_writes.load(std::memory_order_relaxed);
        case 2: return g_eintr.load(std::memory_order_relaxed);
        default: return g_rewrites.load(std::memory_order_relaxed);
    }
}

extern "C" ssize_t __wrap_read(int fd, void* buf, size_t count) {
    if (!wrapped(fd, count)) return __real_read(fd, buf, count);
    return shimmed(g_reads, count, [&](std::size_t n) { return __real_read(fd, buf, n); });
}

extern "C" ssize_t __wrap_write(int fd, const void* buf, size_t count) {
    if (cut_short(fd, count)) {
        const struct iovec one = {const_cast<void*>(buf), count};
        return write_or_die(fd, &one, 1);
    }
    if (rewrites(fd, count)) {
        const struct iovec one = {const_cast<void*>(buf), count};
        return write_rewritten(fd, &one, 1);
    }
    if (!wrapped(fd, count)) return __real_write(fd, buf, count);
    return shimmed(g_writes, count, [&](std::size_t n) { return __real_write(fd, buf, n); });
}

extern "C" ssize_t __wrap_readv(int fd, const struct iovec* iov, int iovcnt) {
    const std::size_t count = iovcnt > 0 ? total(iov, iovcnt) : 0;
    if (!wrapped(fd, count)) return __real_readv(fd, iov, iovcnt);
    return shimmed(g_reads, count, [&](std::size_t n) {
        struct iovec part[3];
        return __real_readv(fd, part, first_bytes(iov, iovcnt, n, part));
    });
}

extern "C" ssize_t __wrap_writev(int fd, const struct iovec* iov, int iovcnt) {
    const std::size_t count = iovcnt > 0 ? total(iov, iovcnt) : 0;
    if (cut_short(fd, count)) return write_or_die(fd, iov, iovcnt);
    if (rewrites(fd, count)) return write_rewritten(fd, iov, iovcnt);
    if (!wrapped(fd, count)) return __real_writev(fd, iov, iovcnt);
    return shimmed(g_writes, count, [&](std::size_t n) {
        struct iovec part[3];
        return __real_writev(fd, part, first_bytes(iov, iovcnt, n, part));
    });
}
