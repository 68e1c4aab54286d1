#pragma once
// The three steps of one execute() (run.cpp), for the engine's own files only:
//   launch (run_launch.cpp)  pipes, fork/exec of the sandbox (or the bare
//                            tier's supervisor) under its limits -> a Launched
//   pump   (run_pump.cpp)    the poll loop: stdin, stdout/stderr/status/result
//                            channel, wall/CPU/memory limits, kill, reap, drain
//                            -> the raw facts (Pumped)
//   decode (run_decode.cpp)  wait status, bwrap's JSON status or the
//                            supervisor's report, cgroup counters -> RunResult
// The runner records facts; what they mean for a test is the judge's.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "run_internal.hpp"

namespace conclab::detail {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- fds

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
private:
    int fd_ = -1;
};

inline std::string errno_text(int err) { return std::strerror(err); }

// ---------------------------------------------------------------- supervisor status
// What the bare tier's supervisor (run_launch.cpp) writes on its status fd
// once, at the end of the run; decode reads it.

struct SupStatus {
    std::int32_t kind;   // 1 = program could not be started, 2 = program ended
    std::int32_t value;  // errno or wait status
    std::int32_t step;   // kind 1: which setup step failed (index into kSteps)
};
inline constexpr const char* kSteps[] = {"exec", "fork", "setsid", "chdir", "personality(ADDR_NO_RANDOMIZE)",
                                         "setrlimit", "setgroups", "setresgid", "setresuid", "no_new_privs",
                                         "pdeathsig", "moving fds", "joining the run cgroup"};
inline constexpr int kStepCount = static_cast<int>(sizeof kSteps / sizeof *kSteps);

// ---------------------------------------------------------------- the steps

// A started run: our ends of its pipes (non-blocking, O_CLOEXEC) and its pid.
struct Launched {
    pid_t pid = -1;                 // bwrap, the supervisor, or the program itself
    Fd pidfd;                       // may be missing (no pidfd_open): the pump polls waitid
    Fd in_w;                        // the program's stdin (spec.stdin_data), else closed
    Fd out_r, err_r;                // its stdout and stderr
    Fd st_r;                        // bwrap's --json-status-fd or the supervisor's status
    Fd ctl_w;                       // supervised: closing it asks the supervisor to end the run
    Fd res_r;                       // the result channel (spec.channel_key set)
    Clock::time_point start;        // just before fork: the wall limit counts from here
};

// Starts it, or says why it could not ("" never): pipes, cgroup files, fork and exec.
std::optional<Launched> launch(const Launch& launch, const RunSpec& spec, std::string& start_error);

// What the pump saw, uninterpreted.
struct Pumped {
    int wstatus = 0;                          // waitpid's status of Launched::pid
    bool killed = false;                      // the pump killed the tree (a limit was reached)
    bool timed_out = false;                   // ...because of the wall limit
    bool cpu_exceeded = false;                // ...because of the CPU limit
    bool out_of_memory = false;               // ...because of the polled RSS (poll_memory)
    std::uint64_t memory_when_stopped = 0;    // anonymous bytes held when the pump stopped it (0: unknown)
    std::uint64_t memory_growth_per_s = 0;    // their growth over about the last second before it (0: none/unknown)
    std::string status;                       // bytes of the status fd (about the first 64 KiB)
    Captured out, err, channel;
    std::chrono::milliseconds wall{0};        // start to reaped
};

// Runs it to the end under spec.limits, reaps it, kills what is left of its
// tree and drains the pipes; every fd of `run` is closed when it returns.
Pumped pump(const Launch& launch, const RunSpec& spec, Launched run);

// The facts as a RunResult: exit code or signal, which limit, started or not.
RunResult decode(const Launch& launch, const RunSpec& spec, Pumped facts);

}  // namespace conclab::detail
