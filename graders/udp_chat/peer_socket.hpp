#pragma once
// The grader's own UDP peer on 127.0.0.1, shared by the white-box tests
// (udp_chat_test.cpp) and the black-box driver (chat_driver_test.cpp).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "kit/printable.hpp"

namespace udp_chat_grader {

// Largest payload one UDP/IPv4 datagram can carry (65,535 minus the IP and UDP headers).
constexpr std::size_t kLargestUdpPayload = 65507;

struct Received { std::string text; std::uint16_t port; };

class RawSocket {
public:
    RawSocket() {
        fd_ = ::socket(AF_INET, SOCK_CLOEXEC | SOCK_DGRAM, 0);
        if (fd_ < 0) throw std::runtime_error(std::string("peer socket: ") + std::strerror(errno));
        sockaddr_in a = addr(0);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
            throw std::runtime_error(std::string("peer bind: ") + std::strerror(errno));
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        int size = 1 << 20;   // room for everything the chat sends back during a test
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    ~RawSocket() { ::close(fd_); }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    std::uint16_t port() const { return port_; }
    void send(std::uint16_t to_port, const std::string& text) const {
        sockaddr_in a = addr(to_port);
        if (::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
            throw std::runtime_error(std::string("peer sendto: ") + std::strerror(errno));
    }
    std::optional<Received> recv(std::chrono::milliseconds timeout) const {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        std::string buf(kLargestUdpPayload + 1, '\0');
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return std::nullopt;
        buf.resize(static_cast<std::size_t>(n));
        return Received{buf, ntohs(from.sin_port)};
    }

private:
    static sockaddr_in addr(std::uint16_t port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   // 127.0.0.1 only
        return a;
    }
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// A port that was free a moment ago (bind port 0, read it, close). The graded
// runs have a private network namespace, so nothing else can take it; outside
// the sandbox the window is a few microseconds.
inline std::uint16_t free_port() {
    RawSocket s;
    return s.port();
}

// Is a UDP socket bound to `port` in this network namespace? (/proc/net/udp
// lists "local_address:PORT" in hex.) This lets a test wait until run_chat has
// bound its socket instead of sleeping an arbitrary time. nullopt: /proc is
// not readable here.
inline std::optional<bool> udp_port_bound(std::uint16_t port) {
    bool readable = false;
    for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream f(file);
        if (!f) continue;
        readable = true;
        std::string line;
        std::getline(f, line);   // header
        while (std::getline(f, line)) {
            std::istringstream fields(line);
            std::string slot, local;
            fields >> slot >> local;
            auto colon = local.rfind(':');
            if (colon != std::string::npos &&
                std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port)
                return true;
        }
    }
    if (!readable) return std::nullopt;   // no /proc: the caller waits a fixed time instead
    return false;
}

using kit::printable;

}  // namespace udp_chat_grader
