// Telling a hang from a slow run, for tests that fork.
//
// A test whose processes all wait on each other (a pipe end nobody closes, so
// EOF never comes; a child nobody reaps) can never finish. A wall-clock
// deadline alone cannot tell that from a slow but correct run on a loaded
// machine; the scheduler can: a slow run is runnable ('R'), a hung one is
// asleep ('S') in every process, for good. kit::watch() waits for a process
// and says which of the two it saw; the caller then kills the process group
// and turns the outcome into a message.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace kit {

// The state letter of a process in /proc/PID/stat (R, S, D, Z, ...), or 0 if gone.
inline char proc_state(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    const auto paren = line.rfind(')');   // the command name may hold spaces and ')'
    if (paren == std::string::npos || paren + 2 >= line.size()) return 0;
    return line[paren + 2];
}

// True if `root` and every descendant still attached to it are blocked ('S':
// waiting for a pipe, a child, a timer...).
inline bool all_asleep(pid_t root) {
    std::vector<pid_t> todo{root};
    bool any = false;
    while (!todo.empty()) {
        const pid_t p = todo.back();
        todo.pop_back();
        const char state = proc_state(p);
        if (state == 0 || state == 'Z' || state == 'X') continue;   // gone, or dead and not reaped
        if (state != 'S') return false;
        any = true;
        const std::string tasks = "/proc/" + std::to_string(p) + "/task";
        DIR* dir = opendir(tasks.c_str());
        if (!dir) continue;                 // just ended
        while (dirent* e = readdir(dir)) {
            if (e->d_name[0] == '.') continue;
            std::ifstream children(tasks + "/" + e->d_name + "/children");
            if (!children.is_open() && access((tasks + "/" + e->d_name).c_str(), F_OK) == 0) {
                // A kernel without /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN):
                // the children cannot be seen, so never call it a hang; the hard limit still applies.
                closedir(dir);
                return false;
            }
            pid_t c;
            while (children >> c) todo.push_back(c);
        }
        closedir(dir);
    }
    return any;
}

enum class Watched {
    ended,      // the process ended (it is NOT reaped: the caller waits for it)
    hung,       // every process of its tree was blocked for `idle` in a row
    too_long,   // still running (busy) after `hard`
};

// Waits for the child `pid` to end, looking at its tree every 20 ms.
inline Watched watch(pid_t pid, std::chrono::duration<double> idle, std::chrono::duration<double> hard) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto hard_deadline = start + std::chrono::duration_cast<Clock::duration>(hard);
    bool asleep = false;                // every process blocked at the last look
    Clock::time_point asleep_since = start;
    auto next_look = start;
    for (;;) {
        siginfo_t info{};
        const int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (r == 0 && info.si_pid == pid) return Watched::ended;
        if (r == -1 && errno != EINTR) return Watched::ended;    // not our child any more: nothing to watch
        const auto now = Clock::now();
        if (now >= hard_deadline) {
            // Every process blocked for the last quarter of `idle` or more is
            // a hang that started late (a loaded machine), not a busy run: the
            // rule of kit::run_in_child (docs/notes.md, "A hang that starts late").
            if (asleep && now - asleep_since >= idle / 4) return Watched::hung;
            return Watched::too_long;
        }
        if (now >= next_look) {
            next_look = now + std::chrono::milliseconds(20);
            if (!all_asleep(pid)) {
                asleep = false;
            } else if (!asleep) {
                asleep = true;
                asleep_since = now;
            } else if (now - asleep_since >= idle) {
                return Watched::hung;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

}  // namespace kit
