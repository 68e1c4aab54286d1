// Running one step of a test in a forked child process, for fault-injection
// tests: when the student's code is made to fail (a thread that cannot start),
// the wrong reactions are std::terminate (a joinable std::thread destroyed
// during unwinding), a hang (joining workers nobody told to stop) or threads
// left running. In the test process itself the first ends the whole test
// program ("crashed", with no word about why) and the others spoil the
// checks that follow; in a child each one becomes a plain sentence.
//
// Use it only where the test process has no other thread of its own (fork
// copies the calling thread only) and in builds without ThreadSanitizer (TSan
// refuses to start threads in the child of a multi-threaded process).
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>

#include "kit/watchdog.hpp"

namespace kit {

struct ChildResult {
    bool started = false;
    bool hung = false;        // every thread blocked for good (kit::watch)
    bool too_long = false;    // still busy at the hard limit
    int exit_code = -1;       // -1: killed by a signal
    int signal = 0;
    std::string report;       // what the body returned ("" = every check held)

    bool passed() const { return started && exit_code == 0 && report.empty(); }
};

// Runs body() in a child, which _exit()s right after: no destructor, no
// atexit handler and no GoogleTest code runs twice. body returns "" when its
// checks held, else the sentences to show the student; they come back
// through a pipe. The child is killed when it is asleep for `idle` (a hang)
// or still running after `hard`.
inline ChildResult run_in_child(const std::function<std::string()>& body, std::chrono::milliseconds idle,
                                std::chrono::milliseconds hard) {
    ChildResult r;
    int fds[2];
    if (pipe(fds) != 0) return r;
    std::fflush(nullptr);   // or the child's exit could print the parent's buffered output again
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    if (pid == 0) {
        close(fds[0]);
        std::string text;
        try {
            text = body();
        } catch (const std::exception& e) {
            text = std::string("grader error: the check itself threw: ") + e.what();
        } catch (...) {
            text = "grader error: the check itself threw";
        }
        std::size_t off = 0;
        while (off < text.size()) {
            const ssize_t n = write(fds[1], text.data() + off, text.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(fds[1]);
    r.started = true;
    const Watched how = watch(pid, idle, hard);
    if (how != Watched::ended) {
        kill(pid, SIGKILL);
        r.hung = how == Watched::hung;
        r.too_long = how == Watched::too_long;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    // The child has ended: the pipe holds everything it wrote (or nothing).
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        r.report.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    return r;
}

}  // namespace kit
