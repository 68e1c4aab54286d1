// pipes — framed messages over pipe(2) between a parent and a forked child.
//
// You edit this file and pipes.cpp. Keep the public API below exactly as it is
// (the grader compiles against it); add private members and helpers freely.
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

class Connection {              // one end of a duplex pipe (two pipe(2)s); framed messages
public:
    Connection() = default;
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
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
    friend Child spawn(std::function<int(Connection&)> body);

    int read_fd_ = -1;          // the pipe this end reads from
    int write_fd_ = -1;         // the pipe this end writes to
};

std::pair<Connection, Connection> make_pipe();

class Child {
public:
    Connection& connection();   // the parent's end
    pid_t pid() const noexcept;
    int wait();                 // reaps; exit code, or 128 + signal number

private:
    Child(pid_t pid, Connection connection) noexcept : pid_(pid), connection_(std::move(connection)) {}
    friend Child spawn(std::function<int(Connection&)> body);

    pid_t pid_ = -1;
    Connection connection_;
};

// fork; the child runs body(its end) and exits with its return value; each
// process closes the other's ends
Child spawn(std::function<int(Connection&)> body);

// the seed's exchange: the child sends "[42, None, 'hello']"; the parent writes
// that message and '\n' to `out` (exactly that one line), sends "Hi" and waits;
// the child exits 0 if it received exactly "Hi", else 1; returns child's wait()
int run_demo(std::ostream& out);

}  // namespace pipes
