// Link-time wrappers of fork(2), vfork(2) and _Fork(3) for the `pipes`
// grader's `shim` build (exercise.yaml links it with -Wl,--wrap=fork,
// --wrap=vfork, --wrap=_Fork).
//
// Why: when the user's process limit is reached (RLIMIT_NPROC, a cgroup's
// pids.max), fork() fails with EAGAIN. That never happens on a quiet grading
// machine, so the grader makes it happen, to check that spawn() then throws
// and leaves nothing behind. All three calls are wrapped because a correct
// spawn() may create its child with any of them: the grader judges what the
// code does, not which call it uses. (clone(2) and posix_spawn(3) are not
// wrapped: neither fits an exercise whose child runs a C++ function.)
//
// ThreadSanitizer: --wrap renames only the references in our objects, so
// __real_fork is the plain symbol `fork`, which the dynamic linker binds to
// TSan's interceptor: a fork we let through is the one TSan prepares for, as
// without the wrapper. TSan also replaces vfork() with fork(), so passing
// vfork through a wrapper function is safe here. A refused call returns
// before reaching TSan: no process is created, as when the kernel refuses.
//
// Off until the test calls conclab_fork_fault_arm(err); from then on every
// call fails with errno `err` (a process limit does not go away by asking
// again), until conclab_fork_fault_arm(0). The test's own fork (the probe) is
// made before arming.
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

extern "C" pid_t __real_fork();
extern "C" pid_t __real_vfork();
extern "C" pid_t __real__Fork();

namespace {

std::atomic<int> g_errno{0};    // 0: off
std::atomic<long> g_refused{0};

bool refuse() {
    const int err = g_errno.load(std::memory_order_acquire);
    if (err == 0) return false;
    g_refused.fetch_add(1, std::memory_order_relaxed);
    errno = err;
    return true;
}

}  // namespace

// Every fork(), vfork() and _Fork() fails with errno `err` from now on; 0
// switches the shim off. The count of refused calls restarts at 0.
extern "C" void conclab_fork_fault_arm(int err) {
    g_refused.store(0, std::memory_order_relaxed);
    g_errno.store(err, std::memory_order_release);
}

// Calls refused since the last conclab_fork_fault_arm().
extern "C" long conclab_fork_fault_count() { return g_refused.load(std::memory_order_relaxed); }

extern "C" pid_t __wrap_fork() {
    if (refuse()) return -1;
    return __real_fork();
}

extern "C" pid_t __wrap_vfork() {
    if (refuse()) return -1;
    return __real_vfork();
}

extern "C" pid_t __wrap__Fork() {
    if (refuse()) return -1;
    return __real__Fork();
}
