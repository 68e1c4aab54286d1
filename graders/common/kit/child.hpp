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

#include <dirent.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace kit {

// True if every thread of process `pid` is asleep ('S'); false if any one is
// running or runnable, or the process is gone.
inline bool every_thread_asleep(pid_t pid) {
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR* dir = opendir(tasks.c_str());
    if (!dir) return false;
    bool any = false, all = true;
    while (dirent* e = readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(tasks + "/" + e->d_name + "/stat");
        std::string line;
        if (!std::getline(in, line)) continue;   // that thread just ended
        const auto paren = line.rfind(')');
        if (paren == std::string::npos || paren + 2 >= line.size()) continue;
        any = true;
        if (line[paren + 2] != 'S') {
            all = false;
            break;
        }
    }
    closedir(dir);
    return any && all;
}

struct ChildResult {
    bool started = false;
    bool hung = false;        // every thread blocked for good (kit::watch)
    bool too_long = false;    // still busy at the hard limit
    int exit_code = -1;       // -1: killed by a signal
    int signal = 0;
    bool finished = false;    // body() returned and its report came back whole
    std::string report;       // what the body returned ("" = every check held)

    bool passed() const { return started && finished && exit_code == 0 && report.empty(); }

    // The sentence for a child that was not killed but did not finish.
    std::string ended_early() const {
        return "the program ended (exit code " + std::to_string(exit_code) +
               ") before the grader's check finished: the code under test called exit() or _exit() instead of "
               "returning or throwing.";
    }
};

// Runs body() in a child, which _exit()s right after: no destructor, no
// atexit handler and no GoogleTest code runs twice. body returns "" when its
// checks held, else the sentences to show the student; they come back
// through a pipe. The child is killed when all its threads are asleep for
// `idle` (a hang) or it is still running after `hard`.
//
// Exit code 0 and an empty pipe prove nothing: the code under test can
// _exit(0) from any thread before body() has checked anything. So the child
// writes a token first, 16 random bytes drawn in the parent just before the
// fork, and `finished` is true only when the pipe starts with it: a child
// that left early, or code that wrote into the pipe on its own, is not
// finished (tests/hostile/exits_mid_test).
inline ChildResult run_in_child(const std::function<std::string()>& body, std::chrono::milliseconds idle,
                                std::chrono::milliseconds hard) {
    ChildResult r;
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) return r;
    std::string token;
    for (unsigned char b : raw) {
        static const char* hex = "0123456789abcdef";
        token += hex[b >> 4];
        token += hex[b & 15];
    }
    token += '\n';
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
            text = token + body();
        } catch (const std::exception& e) {
            text = token + "grader error: the check itself threw: " + e.what();
        } catch (...) {
            text = token + "grader error: the check itself threw";
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
    // Not kit::watch: it judges a process by its main thread only, and here
    // the main thread usually sleeps in join() while the other threads work.
    // A hang is every thread of the child asleep for `idle` in a row.
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto asleep_since = start;
    bool asleep = false;
    for (;;) {
        siginfo_t info{};
        const int w = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if ((w == 0 && info.si_pid == pid) || (w == -1 && errno != EINTR)) break;
        const auto now = Clock::now();
        if (now - start >= hard) {
            // Every thread blocked for the last quarter of `idle` (or more)
            // is a hang that began late, not a busy run: on a loaded machine
            // the child can take a second to reach the waits, and then the
            // `idle` in a row ends after `hard` (start_failure_test.cpp, idle
            // 2 s and hard 3 s, said "busy" for a hang once in a CI-like run).
            if (asleep && now - asleep_since >= idle / 4)
                r.hung = true;
            else
                r.too_long = true;
            break;
        }
        if (!every_thread_asleep(pid)) {
            asleep = false;
        } else if (!asleep) {
            asleep = true;
            asleep_since = now;
        } else if (now - asleep_since >= idle) {
            r.hung = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (r.hung || r.too_long) kill(pid, SIGKILL);
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
    r.finished = r.report.compare(0, token.size(), token) == 0;
    r.report = r.finished ? r.report.substr(token.size()) : std::string();
    return r;
}

}  // namespace kit
