#pragma once
// Run-time probes for the `counter` graders (implemented in probe.cpp, linked
// into the `release` build only). See probe.cpp for how and why they work.
#include <chrono>

namespace probe {

// --- threads -----------------------------------------------------------------
// What happened to the threads created between watch_threads() and
// stop_watching_threads().
struct ThreadReport {
    int created = 0;          // pthread_create() calls (std::thread, jthread, async...)
    int joined = 0;           // of those, how many were joined
    int detached = 0;         // of those, how many were detached
    int running_at_stop = 0;  // of those, how many were still running their function
    int most_at_once = 0;     // most of them that were running at the same time
};

// Start watching threads. Every thread created from now on waits, before it
// runs its function, until `expected` watched threads have started (or until
// `patience` has passed since the first one started). So a solution that
// starts all its threads before joining them gets most_at_once == expected,
// whatever the scheduling; one that starts them one after another, or starts
// fewer, does not.
void watch_threads(int expected, std::chrono::milliseconds patience);
ThreadReport stop_watching_threads();

// Fault injection: the k-th pthread_create() call from now on (k >= 1; any
// thread of the process, std::thread, std::jthread and std::async included)
// fails with EAGAIN without starting a thread, as when the process is out of
// threads; the calls before and after it work. k <= 0 disarms it.
void fail_thread_start(int k);

// --- blocking ------------------------------------------------------------------
// Calls to blocking primitives (futex system calls, pthread mutex / rwlock /
// spinlock / condition variable, POSIX semaphores) made by threads that are
// between watch_blocking_here() and stop_watching_blocking_here().
struct BlockingReport {
    long futex = 0;        // syscall(SYS_futex, ...): C++20 semaphores, atomic wait/notify
    long mutex = 0;        // pthread_mutex_*lock, pthread_rwlock_*, pthread_spin_*
    long condvar = 0;      // pthread_cond_*wait
    long semaphore = 0;    // sem_wait / sem_trywait / sem_timedwait / sem_post
    long total() const { return futex + mutex + condvar + semaphore; }
};
void reset_blocking();
void watch_blocking_here();          // the calling thread only
void stop_watching_blocking_here();
BlockingReport blocking_report();

}  // namespace probe
