#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace pipes {

class Connection {              // one end of a duplex pipe (two pipe(2)s); framed messages
public:
    Connection() = default;
    Connection(int read_fd, int write_fd) : rfd_(read_fd), wfd_(write_fd) {}
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    ~Connection();
    void send(std::string_view message);
    std::optional<std::string> recv();
    void close() noexcept;

private:
    int rfd_ = -1;
    int wfd_ = -1;
};

std::pair<Connection, Connection> make_pipe();

class Child {
public:
    Child(pid_t pid, Connection conn) : pid_(pid), conn_(std::move(conn)) {}
    Connection& connection() { return conn_; }
    pid_t pid() const noexcept { return pid_; }
    int wait();

private:
    pid_t pid_;
    Connection conn_;
};

Child spawn(std::function<int(Connection&)> body);

int run_demo(std::ostream& out);

}  // namespace pipes
