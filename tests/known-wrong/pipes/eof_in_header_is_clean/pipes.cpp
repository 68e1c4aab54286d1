// pipes — reference solution.
//
// Design
// - A Connection owns two file descriptors: the read end of one pipe(2) and
//   the write end of the other. make_pipe() creates both pipes and crosses
//   them, so what one end writes the other end reads.
// - A pipe is a byte stream: it keeps no message boundaries, one write() may
//   be split over several read()s and several write()s may come back in one
//   read(). So every message is framed: an 8-byte length header (native byte
//   order: both ends run on the same machine), then the payload.
// - read()/write() may move fewer bytes than asked (always for anything
//   bigger than what the pipe holds, 64 KiB on Linux) and may fail with EINTR
//   when a signal arrives: read_fully()/write_fully() loop until done.
// - EOF: read() returns 0 only when *every* copy of the pipe's write end is
//   closed. After fork() both processes hold copies of all four fds, so each
//   must close the ends it does not use, or EOF never arrives.
// - SIGPIPE: write() to a pipe without readers raises SIGPIPE, which kills the
//   process by default. send() blocks SIGPIPE in the calling thread for the
//   duration of the write, so write() fails with EPIPE instead; it then
//   discards the pending SIGPIPE and throws std::system_error. (The simpler
//   alternative, signal(SIGPIPE, SIG_IGN), changes the whole process.)
#include "pipes.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace pipes {
namespace {

using Length = std::uint64_t;                 // the frame header
constexpr Length kMaxMessage = Length{1} << 32;   // larger: a corrupt header

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) {
        // close() must not be retried on EINTR on Linux: the fd is gone anyway.
        ::close(fd);
        fd = -1;
    }
}

// Reads exactly n bytes unless EOF comes first; returns how many were read.
std::size_t read_fully(int fd, char* buf, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(fd, buf + got, n - got);
        if (r > 0) {
            got += static_cast<std::size_t>(r);
        } else if (r == 0) {
            break;                              // EOF: every writer has closed
        } else if (errno != EINTR) {
            throw_errno("pipes: read");
        }
    }
    return got;
}

// Blocks SIGPIPE in this thread while alive. If a write failed with EPIPE,
// consume() discards the SIGPIPE it raised (unless one was already pending
// before, which then stays pending), so nothing is delivered when the old
// mask comes back.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&pipe_set_);
        sigaddset(&pipe_set_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
    }
    ~SigpipeBlock() { pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

    void consume() noexcept {
        if (was_pending_) return;
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_set_, nullptr, &zero) == -1 && errno == EINTR) {
        }
    }

private:
    sigset_t pipe_set_;
    sigset_t old_mask_;
    bool was_pending_ = false;
};

void write_fully(int fd, const char* buf, std::size_t n, SigpipeBlock& block) {
    std::size_t done = 0;
    while (done < n) {
        ssize_t w = ::write(fd, buf + done, n - done);
        if (w >= 0) {
            done += static_cast<std::size_t>(w);
        } else if (errno == EINTR) {
            continue;
        } else {
            int err = errno;
            if (err == EPIPE) block.consume();
            errno = err;
            throw_errno("pipes: write");
        }
    }
}

}  // namespace

// ---------------------------------------------------------------- Connection

Connection::Connection(Connection&& other) noexcept
    : read_fd_(std::exchange(other.read_fd_, -1)), write_fd_(std::exchange(other.write_fd_, -1)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();                                // our old fds would leak otherwise
        read_fd_ = std::exchange(other.read_fd_, -1);
        write_fd_ = std::exchange(other.write_fd_, -1);
    }
    return *this;
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
    close_fd(read_fd_);
    close_fd(write_fd_);
}

void Connection::send(std::string_view message) {
    if (write_fd_ < 0) throw std::system_error(EBADF, std::generic_category(), "pipes: send on a closed connection");
    const Length length = message.size();
    char header[sizeof length];
    std::memcpy(header, &length, sizeof length);

    SigpipeBlock block;
    write_fully(write_fd_, header, sizeof header, block);
    write_fully(write_fd_, message.data(), message.size(), block);
}

std::optional<std::string> Connection::recv() {
    if (read_fd_ < 0) throw std::system_error(EBADF, std::generic_category(), "pipes: recv on a closed connection");
    char header[sizeof(Length)];
    std::size_t got = read_fully(read_fd_, header, sizeof header);
    // BUG: any EOF while reading the header counts as a clean end, even
    // after some of its bytes arrived (the frame was cut inside the header).
    if (got < sizeof header) return std::nullopt;
    Length length;
    std::memcpy(&length, header, sizeof length);
    if (length > kMaxMessage) {
        throw std::runtime_error("pipes: corrupt frame: header announces " + std::to_string(length) + " bytes");
    }
    std::string message(static_cast<std::size_t>(length), '\0');
    got = read_fully(read_fd_, message.data(), message.size());
    if (got < message.size()) {
        throw std::runtime_error("pipes: truncated frame: EOF after " + std::to_string(got) + " of " +
                                 std::to_string(message.size()) + " payload bytes");
    }
    return message;
}

std::pair<Connection, Connection> make_pipe() {
    int a_to_b[2];
    int b_to_a[2];
    // O_CLOEXEC: a program started with exec() from either process must not
    // inherit our ends (it would keep the pipe open and EOF would never come).
    if (::pipe2(a_to_b, O_CLOEXEC) == -1) throw_errno("pipes: pipe2");
    if (::pipe2(b_to_a, O_CLOEXEC) == -1) {
        int err = errno;
        ::close(a_to_b[0]);
        ::close(a_to_b[1]);
        errno = err;
        throw_errno("pipes: pipe2");
    }
    // fd[0] is the read end, fd[1] the write end.
    return {Connection(b_to_a[0], a_to_b[1]), Connection(a_to_b[0], b_to_a[1])};
}

// --------------------------------------------------------------------- Child

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      connection_(std::move(other.connection_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        reap_if_needed();
        pid_ = std::exchange(other.pid_, -1);
        connection_ = std::move(other.connection_);
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

Child::~Child() { reap_if_needed(); }

void Child::reap_if_needed() noexcept {
    connection_.close();
    if (pid_ > 0 && !status_) {
        int raw;
        while (::waitpid(pid_, &raw, 0) == -1 && errno == EINTR) {
        }
    }
}

Connection& Child::connection() { return connection_; }

pid_t Child::pid() const noexcept { return pid_; }

int Child::wait() {
    if (status_) return *status_;               // already reaped: same answer again
    if (pid_ <= 0) throw std::logic_error("pipes: wait() on a Child without a process");
    int raw = 0;
    // waitpid() blocks until the child ends and removes it from the process
    // table: without it the child would stay a zombie.
    while (::waitpid(pid_, &raw, 0) == -1) {
        if (errno != EINTR) throw_errno("pipes: waitpid");
    }
    if (WIFEXITED(raw)) {
        status_ = WEXITSTATUS(raw);
    } else if (WIFSIGNALED(raw)) {
        status_ = 128 + WTERMSIG(raw);          // the shell's convention
    } else {
        status_ = 255;                          // cannot happen without WUNTRACED
    }
    return *status_;
}

Child spawn(std::function<int(Connection&)> body) {
    auto [parent_end, child_end] = make_pipe();

    // Anything still buffered in stdio would be copied into the child and
    // written twice (once by each process): flush it before forking.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);

    pid_t pid = ::fork();
    if (pid == -1) throw_errno("pipes: fork");

    if (pid == 0) {
        // The child. It must never return into the caller's code (it would
        // run the parent's program a second time), so every path ends in
        // _exit(), which also skips the parent's atexit handlers and static
        // destructors.
        parent_end.close();                     // else the child never sees EOF
        int code = 1;
        try {
            code = body(child_end);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "pipes: the child's body threw: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "pipes: the child's body threw an unknown exception\n");
        }
        child_end.close();
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        ::_exit(code & 0xff);
    }

    // The parent: drop the child's ends, or EOF never arrives when the child
    // exits (the parent itself would still hold a write end).
    child_end.close();
    return Child(pid, std::move(parent_end));
}

int run_demo(std::ostream& out) {
    Child child = spawn([](Connection& conn) {
        conn.send("[42, None, 'hello']");
        std::optional<std::string> answer = conn.recv();
        return answer && *answer == "Hi" ? 0 : 1;
    });
    std::optional<std::string> message = child.connection().recv();
    if (message) out << *message << '\n';
    out.flush();
    try {
        child.connection().send("Hi");
    } catch (const std::system_error&) {
        // the child is gone already; wait() tells how it ended
    }
    child.connection().close();
    return child.wait();
}

}  // namespace pipes
