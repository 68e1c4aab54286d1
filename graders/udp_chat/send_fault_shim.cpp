// Link-time wrappers of the calls that can send a UDP datagram, for the
// `udp_chat` grader's `fault` build: sendto(2), send(2), sendmsg(2) and
// write(2).
//
// Why: a real send queue fills up, and the kernel then refuses a datagram
// with ENOBUFS or EAGAIN. That never happens on an idle loopback, so the
// grader makes it happen. The `fault` build links with -Wl,--wrap=sendto,
// --wrap=send, --wrap=sendmsg, --wrap=write: every such call in the
// statically linked objects (the student's udp_chat.o included) comes here
// and reaches the real one through __real_. All four are wrapped because a
// correct Endpoint may send with any of them (write() or send() on a
// connected socket): the grader judges what the code does, not which call it
// uses. Calls made inside shared libraries (libstdc++'s streams) are not
// affected.
//
// ThreadSanitizer: --wrap renames only the references in our objects, so
// __real_sendto is the plain symbol `sendto`, which the dynamic linker binds
// to TSan's interceptor (libtsan comes before libc). The chain is student ->
// __wrap_sendto -> TSan's sendto -> libc: TSan still sees every real send.
// A refused call returns before reaching TSan, like a call that fails early.
//
// Off until the test calls conclab_send_fault_arm(port, nth, err); then the
// nth call (counting from 0) that carries a datagram to 127.0.0.1:port (given
// as an address, or the connected peer of the socket) fails with errno `err`
// and sends nothing. Only datagram sockets are looked at: writes to pipes,
// files and the terminal pass straight through.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

extern "C" ssize_t __real_sendto(int fd, const void* buf, size_t len, int flags, const struct sockaddr* to,
                                 socklen_t tolen);
extern "C" ssize_t __real_send(int fd, const void* buf, size_t len, int flags);
extern "C" ssize_t __real_sendmsg(int fd, const struct msghdr* msg, int flags);
extern "C" ssize_t __real_write(int fd, const void* buf, size_t count);

namespace {

std::atomic<bool> g_armed{false};
std::atomic<int> g_port{0};       // destination port whose datagrams are counted
std::atomic<long> g_nth{-1};      // which of them fails
std::atomic<int> g_errno{0};
std::atomic<long> g_seen{0};      // datagrams to g_port seen since arming
std::atomic<long> g_refused{0};   // calls failed on purpose since arming

// The destination port of a datagram: from the address the call gives, or,
// without one, the socket's connected peer. -1: not an IPv4 datagram socket
// (a pipe, a file, a stream socket) or no destination known.
int destination_port(int fd, const struct sockaddr* to, socklen_t tolen) {
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM) return -1;
    sockaddr_in peer{};
    if (to == nullptr) {
        socklen_t plen = sizeof peer;
        if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0) return -1;
        to = reinterpret_cast<const sockaddr*>(&peer);
        tolen = plen;
    }
    if (tolen < static_cast<socklen_t>(sizeof(sockaddr_in)) || to->sa_family != AF_INET) return -1;
    return ntohs(reinterpret_cast<const sockaddr_in*>(to)->sin_port);
}

// true: this call is the one to refuse (errno is set).
bool refuse(int fd, const struct sockaddr* to, socklen_t tolen) {
    if (!g_armed.load(std::memory_order_acquire)) return false;
    const int saved = errno;   // getsockopt/getpeername must not change errno for a call we let through
    const int port = destination_port(fd, to, tolen);
    errno = saved;
    if (port < 0 || port != g_port.load(std::memory_order_relaxed)) return false;
    if (g_seen.fetch_add(1, std::memory_order_relaxed) != g_nth.load(std::memory_order_relaxed)) return false;
    g_refused.fetch_add(1, std::memory_order_relaxed);
    errno = g_errno.load(std::memory_order_relaxed);
    return true;
}

}  // namespace

// Fail the nth (from 0) call that sends a datagram to 127.0.0.1:port with
// errno `err`; nth < 0 switches the shim off. Counters restart at 0.
extern "C" void conclab_send_fault_arm(int port, long nth, int err) {
    g_armed.store(false, std::memory_order_release);
    g_port.store(port, std::memory_order_relaxed);
    g_nth.store(nth, std::memory_order_relaxed);
    g_errno.store(err, std::memory_order_relaxed);
    g_seen.store(0, std::memory_order_relaxed);
    g_refused.store(0, std::memory_order_relaxed);
    if (nth >= 0) g_armed.store(true, std::memory_order_release);
}

// 0: datagrams to the armed port seen, 1: calls refused.
extern "C" long conclab_send_fault_count(int what) {
    return what == 0 ? g_seen.load(std::memory_order_relaxed) : g_refused.load(std::memory_order_relaxed);
}

extern "C" ssize_t __wrap_sendto(int fd, const void* buf, size_t len, int flags, const struct sockaddr* to,
                                 socklen_t tolen) {
    if (refuse(fd, to, tolen)) return -1;
    return __real_sendto(fd, buf, len, flags, to, tolen);
}

extern "C" ssize_t __wrap_send(int fd, const void* buf, size_t len, int flags) {
    if (refuse(fd, nullptr, 0)) return -1;
    return __real_send(fd, buf, len, flags);
}

extern "C" ssize_t __wrap_sendmsg(int fd, const struct msghdr* msg, int flags) {
    const auto* to = msg ? static_cast<const struct sockaddr*>(msg->msg_name) : nullptr;
    if (refuse(fd, to, msg ? msg->msg_namelen : 0)) return -1;
    return __real_sendmsg(fd, msg, flags);
}

extern "C" ssize_t __wrap_write(int fd, const void* buf, size_t count) {
    if (refuse(fd, nullptr, 0)) return -1;
    return __real_write(fd, buf, count);
}
