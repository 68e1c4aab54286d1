// conclab known-wrong submission (pipes/read_loop_ignores_eof): the read loop adds up what read() returns but never stops at 0 (EOF): at EOF recv() spins forever.
// Everything else is meant to be right.
#include "pipes.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace pipes {

static void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "write");
        }
        p += w;
        n -= w;
    }
}

// returns how many bytes were read before EOF
static size_t read_all(int fd, char* p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "read");
        }
        got += r;
    }
    return got;
}

Connection::Connection(Connection&& other) noexcept : rfd_(other.rfd_), wfd_(other.wfd_) {
    other.rfd_ = -1;
    other.wfd_ = -1;
}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        rfd_ = other.rfd_;
        wfd_ = other.wfd_;
        other.rfd_ = -1;
        other.wfd_ = -1;
    }
    return *this;
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
    if (rfd_ >= 0) ::close(rfd_);
    if (wfd_ >= 0) ::close(wfd_);
    rfd_ = -1;
    wfd_ = -1;
}

void Connection::send(std::string_view message) {
    uint32_t len = message.size();
    write_all(wfd_, reinterpret_cast<const char*>(&len), sizeof len);
    write_all(wfd_, message.data(), message.size());
}

std::optional<std::string> Connection::recv() {
    uint32_t len = 0;
    size_t got = read_all(rfd_, reinterpret_cast<char*>(&len), sizeof len);
    if (got == 0) return std::nullopt;
    if (got < sizeof len) throw std::runtime_error("truncated header");
    std::string msg(len, '\0');
    got = read_all(rfd_, msg.data(), len);
    if (got < len) throw std::runtime_error("truncated message");
    return msg;
}

std::pair<Connection, Connection> make_pipe() {
    signal(SIGPIPE, SIG_IGN);   // so a write to a closed pipe gives EPIPE instead of killing us
    int p1[2], p2[2];
    if (pipe(p1) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
    if (pipe(p2) < 0) {
        ::close(p1[0]);
        ::close(p1[1]);
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    return {Connection(p1[0], p2[1]), Connection(p2[0], p1[1])};
}

Child spawn(std::function<int(Connection&)> body) {
    signal(SIGPIPE, SIG_IGN);
    int down[2], up[2];         // down: parent -> child, up: child -> parent
    if (pipe(down) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
    if (pipe(up) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
    fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        ::close(down[1]);       // the child does not write down
        ::close(up[0]);         // nor read up
        int code;
        {
            Connection c(down[0], up[1]);
            code = body(c);
        }
        fflush(nullptr);
        _exit(code);
    }
    ::close(down[0]);           // the parent does not read down
    ::close(up[1]);             // nor write up
    return Child(pid, Connection(up[0], down[1]));
}

int Child::wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

int run_demo(std::ostream& out) {
    Child child = spawn([](Connection& c) {
        c.send("[42, None, 'hello']");
        auto answer = c.recv();
        return (answer && *answer == "Hi") ? 0 : 1;
    });
    auto msg = child.connection().recv();
    if (msg) out << *msg << '\n';
    child.connection().send("Hi");
    return child.wait();
}

}  // namespace pipes
