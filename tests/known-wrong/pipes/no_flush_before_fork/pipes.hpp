// pipes — framed messages over pipe(2) between a parent and a forked child.
//
// Reference solution (never part of the handout).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace pipes {

class Child;

// One end of a duplex pipe: it reads from one pipe(2) and writes to the other.
// Messages are framed: an 8-byte length header, then that many payload bytes.
class Connection {
public:
    Connection() = default;
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();              // closes its fds

    // the whole message, however long; EINTR and partial writes handled; a
    // gone peer -> std::system_error (EPIPE), never death by SIGPIPE
    void send(std::string_view message);
    // the next whole message; std::nullopt on clean EOF; a truncated frame -> std::runtime_error
    std::optional<std::string> recv();
    void close() noexcept;

private:
    Connection(int read_fd, int write_fd) noexcept : read_fd_(read_fd), write_fd_(write_fd) {}
    friend std::pair<Connection, Connection> make_pipe();

    int read_fd_ = -1;          // -1: closed (or moved from)
    int write_fd_ = -1;
};

std::pair<Connection, Connection> make_pipe();

class Child {
public:
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    // A Child that was never waited for is reaped here (after closing the
    // connection, so that a child blocked in recv() sees EOF and can end).
    ~Child();

    Connection& connection();   // the parent's end
    pid_t pid() const noexcept;
    int wait();                 // reaps; exit code, or 128 + signal number

private:
    Child(pid_t pid, Connection connection) noexcept : pid_(pid), connection_(std::move(connection)) {}
    friend Child spawn(std::function<int(Connection&)> body);
    void reap_if_needed() noexcept;

    pid_t pid_ = -1;
    Connection connection_;
    std::optional<int> status_; // set once reaped; wait() again returns it
};

// fork; the child runs body(its end) and exits with its return value; each
// process closes the other's ends
Child spawn(std::function<int(Connection&)> body);

// the seed's exchange: the child sends "[42, None, 'hello']"; the parent writes
// that message and '\n' to `out` (exactly that one line), sends "Hi" and waits;
// the child exits 0 if it received exactly "Hi", else 1; returns child's wait()
int run_demo(std::ostream& out);

}  // namespace pipes
