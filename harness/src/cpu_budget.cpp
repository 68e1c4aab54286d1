// The machine-wide CPU budget (conclab/cpu_budget.hpp): lock files and flock(2).
//
// Why flock and not a POSIX semaphore: a semaphore's count stays taken when
// its holder is killed (a TA's Ctrl-C, a Slurm time limit), and the next
// grading would wait forever; a flock dies with its open file. Every take
// opens its own descriptions, so threads of one process contend like
// processes do.
#include "conclab/cpu_budget.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace conclab {

namespace {

std::string budget_dir() {
    if (const char* d = std::getenv("CONCLAB_CPU_SLOTS"); d != nullptr && *d != '\0') return d;
    return "/tmp/conclab-cpu-" + std::to_string(::getuid());
}

// -1: no budget directory here (read-only /tmp, a file in its place).
int open_lock(const std::string& name) {
    static const bool dir_ok = [] {
        const std::string d = budget_dir();
        if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) return false;
        struct stat st {};
        return ::stat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }();
    if (!dir_ok) return -1;
    return ::open((budget_dir() + "/" + name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

int lock(int fd, int how) {
    if (fd < 0) return 0;
    int r;
    while ((r = ::flock(fd, how)) != 0 && errno == EINTR) {
    }
    return r;
}

// Holds the gate while it lives: one taker at a time chooses its slots.
struct Gate {
    int fd = open_lock("gate");
    Gate() { lock(fd, LOCK_EX); }
    ~Gate() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

CpuHold& CpuHold::operator=(CpuHold&& o) noexcept {
    if (this != &o) {
        for (int fd : fds_) ::close(fd);
        fds_ = std::move(o.fds_);
        o.fds_.clear();
    }
    return *this;
}

CpuHold::~CpuHold() {
    for (int fd : fds_) ::close(fd);   // closing the description releases its flock
}

int usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::clamp(CPU_COUNT(&set), 1, 64);
    return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
}

CpuHold take_cpu() {
    Gate gate;
    if (gate.fd < 0) return {};
    const int n = usable_cores();
    for (;;) {
        for (int k = 0; k < n; ++k) {
            const int fd = open_lock("slot-" + std::to_string(k));
            if (fd < 0) return {};
            if (lock(fd, LOCK_EX | LOCK_NB) == 0) return CpuHold({fd});
            ::close(fd);
        }
        // Every slot is busy: wait with the gate held, so that an exclusive
        // taker queued behind us is not overtaken by later single takers.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

CpuHold take_all_cpus() {
    Gate gate;
    if (gate.fd < 0) return {};
    std::vector<int> fds;
    const int n = usable_cores();
    for (int k = 0; k < n; ++k) {
        const int fd = open_lock("slot-" + std::to_string(k));
        if (fd < 0) break;
        lock(fd, LOCK_EX);
        fds.push_back(fd);
    }
    // Last, with every core held: the tests that wait hold this lock shared.
    if (const int fd = open_lock("waiting"); fd >= 0) {
        lock(fd, LOCK_EX);
        fds.push_back(fd);
    }
    return CpuHold(std::move(fds));
}

CpuHold take_waiting_share() {
    // Through the gate: an exclusive taker holding it (waiting for the
    // lock below) keeps new waiting tests out until it has run. flock(2)
    // has no writer preference of its own.
    Gate gate;
    if (gate.fd < 0) return {};
    const int fd = open_lock("waiting");
    if (fd < 0) return {};
    lock(fd, LOCK_SH);
    return CpuHold({fd});
}

}  // namespace conclab
