#pragma once
// udp_chat — a two-thread UDP chat (reference solution).
//
// One thread receives datagrams and prints them; the other (the caller of
// run_chat) reads lines and sends them. Both share one bound UDP socket.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace udp_chat {

// One received datagram: its bytes (any bytes, possibly none) and who sent it.
struct Datagram {
    std::string text;
    std::string host;            // dotted IPv4 address of the sender, e.g. "127.0.0.1"
    std::uint16_t port;          // the sender's port
};

// A bound IPv4 UDP socket. It owns its file descriptor: not copyable.
// send_to() and receive() may be called by two different threads at the same
// time (the kernel socket is thread-safe, and the object is not modified by
// them); close() must not race with them.
class Endpoint {
public:
    // Binds host:port; port 0 = any free port. Throws std::invalid_argument if
    // host is not a dotted IPv4 address, std::system_error if the socket cannot
    // be created or bound (e.g. the port is in use).
    explicit Endpoint(std::uint16_t port, const std::string& host = "127.0.0.1");
    ~Endpoint();
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    // The port actually bound (never 0 once constructed).
    std::uint16_t port() const;
    // Sends `text` as one datagram (0 to 65507 bytes). Throws std::system_error.
    void send_to(const std::string& host, std::uint16_t port, std::string_view text);
    // Waits at most `timeout` for one datagram and returns all of it;
    // std::nullopt if none arrived in time. Throws std::system_error.
    std::optional<Datagram> receive(std::chrono::milliseconds timeout);
    // Closes the socket (idempotent; the destructor calls it).
    void close();

private:
    int fd_ = -1;
};

// udp_chat --port P --peer HOST:PORT
// A receiver thread writes "[HOST:PORT] TEXT\n" to `out` for every datagram;
// the calling thread sends each line of `in` to the peer; "/quit" or end of
// input stops both threads. Returns 0; 2 on bad arguments; 1 if the port
// cannot be bound.
int run_chat(int argc, char** argv, std::istream& in, std::ostream& out);

}  // namespace udp_chat
