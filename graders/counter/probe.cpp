// Run-time probes for the `counter` graders: which threads the student's code
// starts, joins and detaches, and whether it ever calls a blocking primitive;
// and one injected fault, a thread start that fails (probe::fail_thread_start).
//
// HOW: this file DEFINES pthread_create, pthread_join, pthread_detach,
// syscall, pthread_mutex_lock, sem_post, ... in the test executable. The
// dynamic linker looks symbols up in the executable first, so these
// definitions are used by every caller in the process, including
// libstdc++.so (std::thread's constructor calls pthread_create from inside
// libstdc++.so, not from the student's object). Each one records what it
// needs and forwards to the real function found with dlsym(RTLD_NEXT, ...).
//
// WHY NOT `-Wl,--wrap=pthread_create`: --wrap only rewrites references in the
// objects being linked statically. std::thread's constructor is compiled into
// libstdc++.so, whose pthread_create reference is resolved at run time, so
// --wrap never sees a thread started with std::thread. Interposition does.
//
// WHY NOT A SYMBOL SCAN FOR SEMAPHORES: with g++ 12, std::counting_semaphore,
// std::binary_semaphore and atomic wait/notify are header-only; the student's
// object shows only `syscall` and `sched_yield` as undefined symbols, exactly
// like a harmless std::jthread. But a semaphore's release() makes a futex
// system call through syscall() every time it goes from 0 to 1, so counting
// futex calls made while the student's functions run finds it reliably.
//
// This file is linked only into the plain (sanitizer: none) build: under
// ThreadSanitizer the same trick works (RTLD_NEXT then finds TSan's own
// interceptors) but is not needed there.
#include "probe.hpp"

#include "kit/futex.hpp"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

// Finds the next definition of `name` after this executable (libc's). Never
// uses a function-local static: its guard may itself call syscall(SYS_futex)
// and land back here.
template <class F>
F real(std::atomic<F>& slot, const char* name) {
    F f = slot.load(std::memory_order_acquire);
    if (f == nullptr) {
        f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
        if (f == nullptr) {
            std::fprintf(stderr, "conclab probe: cannot find the real %s\n", name);
            std::abort();
        }
        slot.store(f, std::memory_order_release);
    }
    return f;
}

// ---------------------------------------------------------------- threads --
// All thread bookkeeping is under one plain pthread mutex (this is grader
// code; the lock rule is for the student's object). It is locked through the
// real function so that the blocking counter below never sees it.
using mutex_fn = int (*)(pthread_mutex_t*);
std::atomic<mutex_fn> real_mutex_lock{nullptr}, real_mutex_unlock{nullptr};

pthread_mutex_t book_lock = PTHREAD_MUTEX_INITIALIZER;
struct Guard {
    Guard() { real(real_mutex_lock, "pthread_mutex_lock")(&book_lock); }
    ~Guard() { real(real_mutex_unlock, "pthread_mutex_unlock")(&book_lock); }
};

constexpr int kMaxWatched = 4096;
struct Book {
    bool watching = false;
    int generation = 0;       // bumped by every watch_threads(): stale threads don't count
    int expected = 0;
    std::chrono::milliseconds patience{0};
    std::chrono::steady_clock::time_point first_start{};
    bool first_started = false;
    int started = 0;          // watched threads that reached their function
    int running = 0;
    probe::ThreadReport report;
    pthread_t ids[kMaxWatched];
    int n_ids = 0;
} book;

// Fault injection (probe::fail_thread_start): the number of pthread_create
// calls still to let through before one fails; -1 = off. Kept outside `book`
// so that watch_threads() does not disarm it. Guarded by book_lock.
int creates_before_failure = -1;

// Forget a thread id when it is joined or detached (ids can be reused later).
bool take_id(pthread_t id) {
    for (int i = 0; i < book.n_ids; ++i) {
        if (pthread_equal(book.ids[i], id)) {
            book.ids[i] = book.ids[--book.n_ids];
            return true;
        }
    }
    return false;
}

struct Start {
    void* (*fn)(void*);
    void* arg;
    int generation;
};

void* trampoline(void* p) {
    Start start = *static_cast<Start*>(p);
    delete static_cast<Start*>(p);
    {
        Guard g;
        if (book.generation == start.generation) {
            ++book.started;
            ++book.running;
            if (book.running > book.report.most_at_once) book.report.most_at_once = book.running;
            if (!book.first_started) {
                book.first_started = true;
                book.first_start = std::chrono::steady_clock::now();
            }
        }
    }
    // The rendezvous: wait until every expected thread has started, or until
    // the patience runs out (a solution that starts fewer threads, or joins
    // each one before starting the next, never gets there).
    for (;;) {
        {
            Guard g;
            if (book.generation != start.generation || !book.watching) break;
            if (book.started >= book.expected) break;
            if (std::chrono::steady_clock::now() - book.first_start > book.patience) break;
        }
        timespec ts{0, 200'000};  // 0.2 ms
        nanosleep(&ts, nullptr);
    }
    void* result = start.fn(start.arg);
    {
        Guard g;
        if (book.generation == start.generation) --book.running;
    }
    return result;
}

// ---------------------------------------------------------------- blocking --
thread_local bool watch_blocking = false;
std::atomic<long> n_futex{0}, n_mutex{0}, n_condvar{0}, n_semaphore{0};

inline void note(std::atomic<long>& counter) {
    if (watch_blocking) counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

// ======================================================= the interposers ==
extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*fn)(void*), void* arg) {
    using F = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
    static std::atomic<F> slot{nullptr};
    F create = real(slot, "pthread_create");
    int generation;
    {
        Guard g;
        // The injected failure comes before anything is recorded: for the
        // caller it is exactly what glibc answers when the process has reached
        // its thread limit (std::thread's constructor then throws
        // std::system_error).
        if (creates_before_failure == 0) {
            creates_before_failure = -1;
            return EAGAIN;
        }
        if (creates_before_failure > 0) --creates_before_failure;
        if (!book.watching) return create(thread, attr, fn, arg);
        generation = book.generation;
    }
    auto* start = new Start{fn, arg, generation};
    // Hold the lock across the real call so that a fast thread cannot be
    // joined or detached before its id is recorded.
    Guard g;
    int rc = create(thread, attr, &trampoline, start);
    if (rc != 0) {
        delete start;
        return rc;
    }
    if (book.generation == generation) {
        ++book.report.created;
        if (book.n_ids < kMaxWatched) book.ids[book.n_ids++] = *thread;
    }
    return rc;
}

int pthread_join(pthread_t thread, void** result) {
    using F = int (*)(pthread_t, void**);
    static std::atomic<F> slot{nullptr};
    int rc = real(slot, "pthread_join")(thread, result);
    if (rc == 0) {
        Guard g;
        if (take_id(thread)) ++book.report.joined;
    }
    return rc;
}

int pthread_detach(pthread_t thread) {
    using F = int (*)(pthread_t);
    static std::atomic<F> slot{nullptr};
    {
        Guard g;
        if (take_id(thread)) ++book.report.detached;
    }
    return real(slot, "pthread_detach")(thread);
}

long syscall(long number, ...) {
    using F = long (*)(long, long, long, long, long, long, long);
    static std::atomic<F> slot{nullptr};
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (long& x : a) x = va_arg(ap, long);  // as glibc's syscall() does: always 6
    va_end(ap);
    if (number == SYS_futex) {
        note(n_futex);
        return kit::bounded_futex(real(slot, "syscall"), a);   // kit/futex.hpp: libstdc++ 12's semaphore bug
    }
    return real(slot, "syscall")(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// Mutexes, reader-writer locks and spinlocks.
#define CONCLAB_FORWARD(counter, ret, name, params, args)              \
    ret name params {                                                  \
        using F = ret(*) params;                                       \
        static std::atomic<F> slot{nullptr};                           \
        note(counter);                                                 \
        return real(slot, #name) args;                                 \
    }

int pthread_mutex_lock(pthread_mutex_t* m) {
    note(n_mutex);
    return real(real_mutex_lock, "pthread_mutex_lock")(m);
}
int pthread_mutex_unlock(pthread_mutex_t* m) {
    return real(real_mutex_unlock, "pthread_mutex_unlock")(m);
}
CONCLAB_FORWARD(n_mutex, int, pthread_mutex_trylock, (pthread_mutex_t* m), (m))
CONCLAB_FORWARD(n_mutex, int, pthread_mutex_timedlock, (pthread_mutex_t* m, const timespec* t), (m, t))
CONCLAB_FORWARD(n_mutex, int, pthread_mutex_clocklock, (pthread_mutex_t* m, clockid_t c, const timespec* t), (m, c, t))
CONCLAB_FORWARD(n_mutex, int, pthread_rwlock_rdlock, (pthread_rwlock_t* l), (l))
CONCLAB_FORWARD(n_mutex, int, pthread_rwlock_wrlock, (pthread_rwlock_t* l), (l))
CONCLAB_FORWARD(n_mutex, int, pthread_rwlock_tryrdlock, (pthread_rwlock_t* l), (l))
CONCLAB_FORWARD(n_mutex, int, pthread_rwlock_trywrlock, (pthread_rwlock_t* l), (l))
CONCLAB_FORWARD(n_mutex, int, pthread_spin_lock, (pthread_spinlock_t* l), (l))
CONCLAB_FORWARD(n_mutex, int, pthread_spin_trylock, (pthread_spinlock_t* l), (l))
CONCLAB_FORWARD(n_condvar, int, pthread_cond_wait, (pthread_cond_t* c, pthread_mutex_t* m), (c, m))
CONCLAB_FORWARD(n_condvar, int, pthread_cond_timedwait, (pthread_cond_t* c, pthread_mutex_t* m, const timespec* t), (c, m, t))
CONCLAB_FORWARD(n_condvar, int, pthread_cond_clockwait, (pthread_cond_t* c, pthread_mutex_t* m, clockid_t k, const timespec* t), (c, m, k, t))
CONCLAB_FORWARD(n_semaphore, int, sem_wait, (sem_t* s), (s))
CONCLAB_FORWARD(n_semaphore, int, sem_trywait, (sem_t* s), (s))
CONCLAB_FORWARD(n_semaphore, int, sem_timedwait, (sem_t* s, const timespec* t), (s, t))
CONCLAB_FORWARD(n_semaphore, int, sem_post, (sem_t* s), (s))

}  // extern "C"

// ========================================================= the probe API ==
namespace probe {

void watch_threads(int expected, std::chrono::milliseconds patience) {
    Guard g;
    int generation = book.generation + 1;
    book = Book{};
    book.generation = generation;
    book.watching = true;
    book.expected = expected;
    book.patience = patience;
}

ThreadReport stop_watching_threads() {
    Guard g;
    book.watching = false;
    book.report.running_at_stop = book.running;
    ThreadReport r = book.report;
    ++book.generation;  // threads still running no longer touch the counts
    return r;
}

void fail_thread_start(int k) {
    Guard g;
    creates_before_failure = k > 0 ? k - 1 : -1;
}

void reset_blocking() {
    n_futex = 0;
    n_mutex = 0;
    n_condvar = 0;
    n_semaphore = 0;
}
void watch_blocking_here() { watch_blocking = true; }
void stop_watching_blocking_here() { watch_blocking = false; }
BlockingReport blocking_report() {
    return BlockingReport{n_futex.load(), n_mutex.load(), n_condvar.load(), n_semaphore.load()};
}

}  // namespace probe
