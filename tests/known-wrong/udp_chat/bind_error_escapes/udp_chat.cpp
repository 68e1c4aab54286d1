// udp_chat — known-wrong case `bind_error_escapes` (see expect.yaml).
//
// The seed chat (one thread blocked on the keyboard, one blocked on the
// socket) has four classic traps, and this file avoids each of them:
//
//  1. One thread cannot wait for the keyboard and the network at once: while
//     it sits in getline() nothing that arrives is shown. So a second thread
//     does nothing but receive and print.
//  2. That receiving thread must be able to stop. A thread blocked forever in
//     recvfrom() never notices that the user typed /quit, and join() then
//     waits forever. So it waits with poll() and a short timeout and checks a
//     std::atomic<bool> between waits.
//  3. The flag is shared by two threads, so it is a std::atomic, never a plain
//     bool (a data race is undefined behaviour, and ThreadSanitizer reports it).
//     Only the receiving thread ever writes to `out`, so `out` needs no lock.
//  4. A datagram is read whole into a 64 KiB buffer (the IPv4 maximum is
//     65,507 bytes) and kept as (pointer, length): it may be empty, and it may
//     contain '\0' or any other byte, so it is never treated as a C string.
#include "udp_chat.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace udp_chat {
namespace {

// The largest UDP payload over IPv4: 65,535 - 8 (UDP header) - 20 (IP header).
constexpr std::size_t kMaxDatagram = 65507;

// How long the receiving thread waits before it looks at the stop flag again.
// It bounds how late the program ends after /quit (well under a second).
constexpr std::chrono::milliseconds kPollInterval{50};

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

sockaddr_in make_address(const std::string& host, std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
        throw std::invalid_argument("not an IPv4 address: '" + host + "'");
    return addr;
}

// Parses a port number "0".."65535"; false if `text` is anything else.
bool parse_port(std::string_view text, std::uint16_t& port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value > 65535)
        return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

struct Options {
    std::uint16_t port = 0;
    std::string peer_host;
    std::uint16_t peer_port = 0;
};

// --port P --peer HOST:PORT, in any order. false (and a reason) on anything else.
bool parse_args(int argc, char** argv, Options& opt, std::string& error) {
    bool have_port = false, have_peer = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if ((arg == "--port" || arg == "--peer") && i + 1 >= argc) {
            error = std::string(arg) + " needs a value";
            return false;
        }
        if (arg == "--port") {
            if (!parse_port(argv[++i], opt.port)) {
                error = std::string("bad port '") + argv[i] + "'";
                return false;
            }
            have_port = true;
        } else if (arg == "--peer") {
            std::string_view peer = argv[++i];
            auto colon = peer.rfind(':');
            if (colon == std::string_view::npos || !parse_port(peer.substr(colon + 1), opt.peer_port) ||
                opt.peer_port == 0) {
                error = "bad peer '" + std::string(peer) + "' (expected HOST:PORT)";
                return false;
            }
            opt.peer_host = std::string(peer.substr(0, colon));
            in_addr unused{};
            if (::inet_pton(AF_INET, opt.peer_host.c_str(), &unused) != 1) {
                error = "bad peer host '" + opt.peer_host + "' (expected an IPv4 address)";
                return false;
            }
            have_peer = true;
        } else {
            error = "unknown argument '" + std::string(arg) + "'";
            return false;
        }
    }
    if (!have_port || !have_peer) {
        error = "both --port and --peer are required";
        return false;
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------- Endpoint

Endpoint::Endpoint(std::uint16_t port, const std::string& host) {
    sockaddr_in addr = make_address(host, port);   // may throw before we own an fd
    // SOCK_CLOEXEC: a child process started later must not inherit the socket.
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw_errno("socket");
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
        int saved = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::system_error(saved, std::generic_category(),
                                "bind " + host + ":" + std::to_string(port));
    }
}

Endpoint::~Endpoint() { close(); }

std::uint16_t Endpoint::port() const {
    // With port 0 the kernel chose the port at bind(); getsockname() tells which.
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) < 0) throw_errno("getsockname");
    return ntohs(addr.sin_port);
}

void Endpoint::send_to(const std::string& host, std::uint16_t port, std::string_view text) {
    if (fd_ < 0) throw std::logic_error("send_to on a closed Endpoint");
    sockaddr_in to = make_address(host, port);
    for (;;) {
        // One sendto() = one datagram: UDP never sends part of one.
        ssize_t n = ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                             sizeof to);
        if (n >= 0) return;
        if (errno == EINTR) continue;   // interrupted by a signal before anything was sent
        throw_errno("sendto " + host + ":" + std::to_string(port));
    }
}

std::optional<Datagram> Endpoint::receive(std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    if (fd_ < 0) throw std::logic_error("receive on a closed Endpoint");
    const auto deadline = clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() < 0) left = std::chrono::milliseconds(0);
        pollfd p{fd_, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (ready == 0) return std::nullopt;        // timed out

        // A buffer as large as the largest datagram: recvfrom() silently drops
        // whatever does not fit. On this thread's stack, so two threads calling
        // receive() never share it.
        std::array<char, kMaxDatagram + 1> buffer;
        sockaddr_in from{};
        socklen_t from_len = sizeof from;
        // MSG_DONTWAIT: poll() said "readable", but never block here anyway.
        ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
                continue;                            // nothing after all: wait again
            throw_errno("recvfrom");
        }
        // n == 0 is a real, empty datagram (UDP has no "connection closed").
        Datagram d;
        d.text.assign(buffer.data(), static_cast<std::size_t>(n));   // length, not strlen
        char host[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
        d.host = host;
        d.port = ntohs(from.sin_port);
        return d;
    }
}

void Endpoint::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

// ---------------------------------------------------------------- the chat

int run_chat(int argc, char** argv, std::istream& in, std::ostream& out) {
    Options opt;
    std::string error;
    if (!parse_args(argc, argv, opt, error)) {
        std::cerr << "udp_chat: " << error << "\nusage: udp_chat --port P --peer HOST:PORT\n";
        return 2;
    }

    // known-wrong: a port that cannot be bound is not caught: the
    // std::system_error leaves run_chat() (the program dies of it).
    std::optional<Endpoint> socket;
    socket.emplace(opt.port);

    // Written by this thread, read by the receiver: it must be atomic. The
    // default (sequentially consistent) ordering is more than enough.
    std::atomic<bool> stop{false};

    // The receiving thread. It is the only writer of `out`, so the stream is
    // never used by two threads at once. Each line is built first and written
    // with one call, then flushed: whoever reads our output (a terminal, a
    // pipe) sees it now, not when a buffer happens to fill.
    std::thread receiver([&] {
        try {
            while (!stop.load()) {
                std::optional<Datagram> d = socket->receive(kPollInterval);
                if (!d) continue;                    // timeout: look at the flag again
                std::string line;
                line.reserve(d->host.size() + d->text.size() + 16);
                line += '[';
                line += d->host;
                line += ':';
                line += std::to_string(d->port);
                line += "] ";
                line += d->text;                     // appends all bytes, '\0' included
                line += '\n';
                out.write(line.data(), static_cast<std::streamsize>(line.size()));
                out.flush();
            }
        } catch (const std::exception& e) {
            // An exception must not escape a thread (that is std::terminate).
            std::cerr << "udp_chat: receiving stopped: " << e.what() << "\n";
        }
    });

    // This thread: one datagram per input line, until "/quit" or end of input.
    std::string line;
    while (std::getline(in, line)) {
        if (line == "/quit") break;                  // a command, not a message: not sent
        try {
            socket->send_to(opt.peer_host, opt.peer_port, line);
        } catch (const std::system_error& e) {
            // e.g. a line longer than 65,507 bytes (EMSGSIZE): report, go on.
            std::cerr << "udp_chat: not sent: " << e.what() << "\n";
        }
    }

    stop.store(true);
    receiver.join();     // returns within kPollInterval
    return 0;            // `socket` closes itself here, after the thread is gone
}

}  // namespace udp_chat
