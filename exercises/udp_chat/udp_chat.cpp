// udp_chat — the starting point: the seed chat, done in ONE thread.
//
// It compiles and it chats, after a fashion: a message from the peer shows up
// only after you press Enter, and long messages are cut. The graders fail it.
// Your task (README.md):
//   - a receiving thread that prints every datagram as soon as it arrives,
//     while the main thread waits for the keyboard;
//   - stop that thread on "/quit" and at the end of input, and join it;
//   - whole datagrams (up to 65,507 bytes; empty and binary ones too);
//   - no data race on anything the two threads share.
#include "udp_chat.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace udp_chat {
namespace {

sockaddr_in make_address(const std::string& host, std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
        throw std::invalid_argument("not an IPv4 address: '" + host + "'");
    return addr;
}

// "--port P --peer HOST:PORT" (this part is fine as it is).
bool parse_args(int argc, char** argv, std::uint16_t& port, std::string& peer_host,
                std::uint16_t& peer_port) {
    bool have_port = false, have_peer = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        try {
            if (key == "--port") {
                port = static_cast<std::uint16_t>(std::stoul(value));
                have_port = true;
            } else if (key == "--peer") {
                auto colon = value.rfind(':');
                if (colon == std::string::npos) return false;
                peer_host = value.substr(0, colon);
                peer_port = static_cast<std::uint16_t>(std::stoul(value.substr(colon + 1)));
                have_peer = true;
            } else {
                return false;
            }
        } catch (const std::exception&) {
            return false;
        }
    }
    return have_port && have_peer;
}

}  // namespace

Endpoint::Endpoint(std::uint16_t port, const std::string& host) {
    sockaddr_in addr = make_address(host, port);
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
        int saved = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::system_error(saved, std::generic_category(), "bind");
    }
}

Endpoint::~Endpoint() { close(); }

std::uint16_t Endpoint::port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

void Endpoint::send_to(const std::string& host, std::uint16_t port, std::string_view text) {
    sockaddr_in to = make_address(host, port);
    if (::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        throw std::system_error(errno, std::generic_category(), "sendto");
}

std::optional<Datagram> Endpoint::receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buffer[1024];   // the seed's recvfrom(1024)
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "recvfrom");
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    return Datagram{std::string(buffer, static_cast<std::size_t>(n)), host, ntohs(from.sin_port)};
}

void Endpoint::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

int run_chat(int argc, char** argv, std::istream& in, std::ostream& out) {
    std::uint16_t port = 0, peer_port = 0;
    std::string peer_host;
    if (!parse_args(argc, argv, port, peer_host, peer_port)) {
        std::cerr << "usage: udp_chat --port P --peer HOST:PORT\n";
        return 2;
    }
    Endpoint socket(port);

    // One thread does everything: while it waits in getline(), nobody
    // receives, and whatever arrives is shown only after the next Enter.
    std::string line;
    while (std::getline(in, line)) {
        if (line == "/quit") break;
        socket.send_to(peer_host, peer_port, line);
        while (auto d = socket.receive(std::chrono::milliseconds(0)))
            out << "[" << d->host << ":" << d->port << "] " << d->text << std::endl;
    }
    return 0;
}

}  // namespace udp_chat
