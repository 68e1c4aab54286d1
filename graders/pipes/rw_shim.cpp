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
// The mode and the random state are inherited by children made with fork().
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

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

// splitmix64 over an atomic counter: deterministic for a given seed and call order.
std::uint64_t next_random() {
    std::uint64_t z = g_state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

bool wrapped(int fd, std::size_t count) {
    if (g_mode.load(std::memory_order_relaxed) == 0 || fd <= 2 || count == 0) return false;
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
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
    g_mode.store(mode, std::memory_order_relaxed);
}

// 0: reads seen, 1: writes seen, 2: EINTRs injected (in this process).
extern "C" long conclab_shim_count(int what) {
    switch (what) {
        case 0: return g_reads.load(std::memory_order_relaxed);
        case 1: return g_writes.load(std::memory_order_relaxed);
        default: return g_eintr.load(std::memory_order_relaxed);
    }
}

extern "C" ssize_t __wrap_read(int fd, void* buf, size_t count) {
    if (!wrapped(fd, count)) return __real_read(fd, buf, count);
    return shimmed(g_reads, count, [&](std::size_t n) { return __real_read(fd, buf, n); });
}

extern "C" ssize_t __wrap_write(int fd, const void* buf, size_t count) {
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
    if (!wrapped(fd, count)) return __real_writev(fd, iov, iovcnt);
    return shimmed(g_writes, count, [&](std::size_t n) {
        struct iovec part[3];
        return __real_writev(fd, part, first_bytes(iov, iovcnt, n, part));
    });
}
