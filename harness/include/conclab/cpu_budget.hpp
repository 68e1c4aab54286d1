// One CPU budget for every conclab process of this user on this machine.
//
// Each grading schedules its own tests (grade.cpp) and compiles (build.cpp),
// but gradings also run beside each other: `batch --jobs`, `make test`'s
// parallel ctest, a student's `make check` while a batch runs. Without a
// shared budget two gradings on a 2-core machine start four TSan programs at
// once, and a test that needs the CPU to itself (manifest `exclusive: true`)
// shares it anyway: verdicts changed with the load (docs/design.md, "One CPU
// budget").
//
// The budget is a directory of lock files, one per usable core, plus a gate;
// flock(2) locks are released by the kernel when a process dies, so a killed
// grading never leaks a slot. Directory: $CONCLAB_CPU_SLOTS, else
// /tmp/conclab-cpu-<uid>. Without a usable directory every take succeeds at
// once (the budget is then per process, as before).
#pragma once

#include <vector>

namespace conclab {

// What a run holds while it runs: one slot, or every slot. Movable; the
// slots are given back when it is destroyed.
class CpuHold {
public:
    CpuHold() = default;
    explicit CpuHold(std::vector<int> fds) : fds_(std::move(fds)) {}
    CpuHold(CpuHold&& o) noexcept : fds_(std::move(o.fds_)) { o.fds_.clear(); }
    CpuHold& operator=(CpuHold&& o) noexcept;
    CpuHold(const CpuHold&) = delete;
    CpuHold& operator=(const CpuHold&) = delete;
    ~CpuHold();

private:
    std::vector<int> fds_;
};

// The cores this process may run on (sched_getaffinity), 1 to 64.
int usable_cores();

// Waits for one free core of the machine-wide budget.
CpuHold take_cpu();

// Waits for every core of the budget, and for every waiting test (below) to
// end: what an exclusive test runs with. Deadlock-free: a caller holds
// nothing while it waits for the gate, and the gate's holder takes the slots
// in ascending order, then the waiters' lock.
CpuHold take_all_cpus();

// What a test that mostly waits (manifest `waits: true`) runs with: no core,
// a shared hold that only an exclusive test excludes. Any number run at once,
// beside tests that hold a core; an exclusive test waits until they have
// ended, and new ones wait behind it at the gate, so it is never starved.
CpuHold take_waiting_share();

}  // namespace conclab
