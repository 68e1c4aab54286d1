// Schedule exploration: making the unlucky interleaving the likely one.
//
// A lost wake-up ("check the queue, unlock, then wait") or a check-then-act
// loses only when another thread runs inside a window a few instructions
// wide; at full speed that happens once in a million runs. While a
// kit::Explorer is alive, every synchronisation call of the process becomes a
// scheduling point: pthread_mutex_lock / unlock / trylock,
// pthread_cond_wait / timedwait / clockwait / signal / broadcast and
// pthread_join (std::mutex, std::condition_variable and std::thread all end
// there). At each point a seeded policy in the spirit of PCT (Burckhardt et
// al., ASPLOS 2010; docs/exploration.md) decides who goes on:
//   - every thread gets a random priority when it first reaches a point;
//   - a thread at a point waits (up to `delay`) while a thread of higher
//     priority is runnable, so the highest-priority thread runs ahead and the
//     others are held at their synchronisation calls — for example just
//     after an unlock, which is where a lost wake-up's window opens;
//   - at `depth - 1` seeded step numbers the running thread drops to the
//     lowest priority (PCT's change points), which explores the orders in
//     between.
// The seed is kit::seed() (printed once), so `CONCLAB_SEED=S` replays the
// same priorities and change points. Threads are real threads on a real
// kernel, so a replay reproduces the schedule's decisions, not every
// instruction's timing; docs/exploration.md has the measured replay rate.
//
// A second job: telling a lost wake-up from a slow run. The explorer knows
// which threads are blocked in a condition-variable wait, a mutex, a join or
// an Explorer::wait(). When every thread it has seen is blocked and no
// synchronisation call happened for `stall`, nothing can ever wake them:
// the test fails with "all threads are waiting: a lost wake-up or a
// deadlock" and where each thread waits (file:line, function), instead of
// a timeout. Then every waited-on condition variable is broadcast — POSIX
// allows spurious wake-ups, so a correct program cannot tell — which lets a
// program that lost a wake-up finish, so the test still ends on its own.
//
// HOW the calls are intercepted: this header DEFINES the pthread functions
// above, as weak symbols, in the test executable; the dynamic linker prefers
// the executable's definitions to libc's and to ThreadSanitizer's
// interceptors, which each definition then calls (dlsym(RTLD_NEXT)), so TSan
// still sees every lock and wait. Include this header in one grader source of
// a build (more is harmless). The explorer's own bookkeeping uses only
// relaxed atomics and raw system calls: it adds no happens-before edge TSan
// could see, so it hides no data race of the student's code.
#pragma once

#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cerrno>
#include <future>
#include <string>

#include "kit/futex.hpp"
#include "kit/seed.hpp"

// In the TSan build libtsan defines it (file:line from the debug info).
extern "C" __attribute__((weak)) void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out, std::size_t size);

namespace kit {

namespace explore_detail {

constexpr int kSlots = 128;
constexpr int kFrames = 20;
constexpr int kChangePoints = 8;
constexpr std::uint64_t kPreemptOneIn = 8;

enum State : int { kUnused = 0, kRunning, kWaitCond, kWaitMutex, kWaitJoin, kWaitOther };

// One per thread the explorer has seen. Every field is read and written with
// relaxed __atomic builtins only (see the header comment).
struct Slot {
    long tid;
    int state;
    long priority;
    void* cond;                 // the condition variable waited on (kWaitCond)
    std::uint64_t rng;          // this thread's own stream of choices (only it touches it)
    int frames;
    void* frame[kFrames];       // where the thread blocked
};

struct Global {
    int active;
    std::uint64_t seed;
    long delay_us;
    long stall_ms;
    long steps;
    int change_points;
    long change_at[kChangePoints];
    int next_slot;
    int stalls;                 // stall reports made in this Explorer's life
    long spurious_ms;           // > 0 while a SpuriousWakeups lives: the longest untimed cond wait
    Slot slot[kSlots];
};

inline Global g;                // zero-initialised before any constructor runs
inline thread_local int my_slot = -1;
inline thread_local bool internal = false;   // the watchdog: never explored

template <class T>
inline T load(const T& x) { return __atomic_load_n(&x, __ATOMIC_RELAXED); }
template <class T, class U>
inline void store(T& x, U v) { __atomic_store_n(&x, static_cast<T>(v), __ATOMIC_RELAXED); }

inline thread_local long my_tid = 0;
inline long gettid_raw() { return my_tid != 0 ? my_tid : (my_tid = ::syscall(SYS_gettid)); }

inline void sleep_us(long us) {
    struct timespec ts{us / 1000000, (us % 1000000) * 1000};
    ::syscall(SYS_nanosleep, &ts, nullptr);   // raw: no interceptor, no happens-before
}

inline long now_us() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

// The next function of that name after this executable (libtsan's
// interceptor in the TSan build, libc's otherwise).
// glibc keeps two versions of pthread_cond_*; asking for the new one by
// version avoids the old one. ThreadSanitizer's interceptors carry no version,
// so with the TSan runtime loaded a versioned look-up would skip them and call
// glibc directly: TSan would not see the mutex released inside a wait and
// would report a double lock (measured). Then the plain look-up finds them.
extern "C" __attribute__((weak)) void __tsan_init();
inline void* next_fn(const char* name, const char* glibc_version = nullptr) {
    void* f = glibc_version && __tsan_init == nullptr ? ::dlvsym(RTLD_NEXT, name, glibc_version) : nullptr;
    if (f == nullptr) f = ::dlsym(RTLD_NEXT, name);
    if (f == nullptr) {
        std::fprintf(stderr, "kit/explore.hpp: cannot find %s\n", name);
        std::abort();
    }
    return f;
}

#define KIT_EXPLORE_REAL(ret, name, version, ...)                                       \
    inline ret (*real_##name())(__VA_ARGS__) {                                          \
        static ret (*fn)(__VA_ARGS__) = nullptr;                                        \
        auto f = __atomic_load_n(&fn, __ATOMIC_RELAXED);                                \
        if (f == nullptr) {                                                             \
            f = reinterpret_cast<ret (*)(__VA_ARGS__)>(next_fn(#name, version));        \
            __atomic_store_n(&fn, f, __ATOMIC_RELAXED);                                 \
        }                                                                               \
        return f;                                                                       \
    }
KIT_EXPLORE_REAL(int, pthread_mutex_lock, nullptr, pthread_mutex_t*)
KIT_EXPLORE_REAL(int, pthread_mutex_trylock, nullptr, pthread_mutex_t*)
KIT_EXPLORE_REAL(int, pthread_mutex_unlock, nullptr, pthread_mutex_t*)
KIT_EXPLORE_REAL(int, pthread_cond_wait, "GLIBC_2.3.2", pthread_cond_t*, pthread_mutex_t*)
KIT_EXPLORE_REAL(int, pthread_cond_timedwait, "GLIBC_2.3.2", pthread_cond_t*, pthread_mutex_t*, const timespec*)
KIT_EXPLORE_REAL(int, pthread_cond_clockwait, nullptr, pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*)
KIT_EXPLORE_REAL(int, pthread_cond_signal, "GLIBC_2.3.2", pthread_cond_t*)
KIT_EXPLORE_REAL(int, pthread_cond_broadcast, "GLIBC_2.3.2", pthread_cond_t*)
KIT_EXPLORE_REAL(int, pthread_join, nullptr, pthread_t, void**)
KIT_EXPLORE_REAL(long, syscall, nullptr, long, long, long, long, long, long, long)
#undef KIT_EXPLORE_REAL

inline std::uint64_t mix(std::uint64_t x) { return SplitMix(x).next(); }

// This thread's slot, claimed on its first scheduling point; -1 when not exploring.
inline int slot_of_this_thread() {
    if (internal || load(g.active) == 0) return -1;
    if (my_slot >= 0 && load(g.slot[my_slot].tid) == gettid_raw()) return my_slot;
    const int i = __atomic_fetch_add(&g.next_slot, 1, __ATOMIC_RELAXED);
    if (i >= kSlots) return my_slot = -1;   // more threads than slots: the rest run unexplored
    Slot& s = g.slot[i];
    // Priorities above kChangePoints; the order threads arrive in decides which draw each gets.
    store(s.priority, static_cast<long>(kChangePoints + 1 + (mix(load(g.seed) + 7919u * (i + 1)) >> 2) % 1000000000));
    store(s.rng, mix(load(g.seed) ^ (0x9e37ull * (i + 1))));
    store(s.state, kRunning);
    store(s.tid, gettid_raw());
    return my_slot = i;
}

// A scheduling point: count the step, apply a change point, and hold this
// thread while a thread of higher priority is runnable (at most delay_us).
inline void point() {
    const int me = slot_of_this_thread();
    if (me < 0) return;
    Slot& s = g.slot[me];
    const long step = __atomic_add_fetch(&g.steps, 1, __ATOMIC_RELAXED);
    const int cps = load(g.change_points);
    for (int c = 0; c < cps; ++c)
        if (load(g.change_at[c]) == step) store(s.priority, c + 1);   // below every initial priority
    const long mine = load(s.priority);
    const long deadline = now_us() + load(g.delay_us);
    for (;;) {
        bool higher_runnable = false;
        const int n = std::min(load(g.next_slot), kSlots);
        for (int i = 0; i < n && !higher_runnable; ++i)
            higher_runnable = i != me && load(g.slot[i].state) == kRunning && load(g.slot[i].priority) > mine;
        if (!higher_runnable || now_us() >= deadline) break;
        sleep_us(50);
    }
    // A preemption: one point in kPreemptOneIn holds the thread for the whole
    // delay whatever the others do. A thread that another has just woken (a
    // future made ready, a notify) is still marked blocked for some
    // microseconds, so priorities alone would let the waker run through a
    // window that the woken thread is about to race with.
    const std::uint64_t r = mix(load(s.rng));
    store(s.rng, r);
    if (r % kPreemptOneIn == 0) {
        const long left = deadline - now_us();
        if (left > 0) sleep_us(left);
    }
}

inline void block(State st, void* cond = nullptr) {
    const int me = slot_of_this_thread();
    if (me < 0) return;
    Slot& s = g.slot[me];
    void* frames[kFrames];
    const int n = ::backtrace(frames, kFrames);
    for (int i = 0; i < n; ++i) store(s.frame[i], frames[i]);
    store(s.frames, n);
    store(s.cond, cond);
    store(s.state, st);
}

inline void unblock() {
    if (my_slot >= 0 && load(g.slot[my_slot].tid) == gettid_raw()) store(g.slot[my_slot].state, kRunning);
}

// "file:line in function" for a return address; file is "" when unknown.
struct Place {
    std::string file, line, function;
};

inline Place symbolize(void* pc) {
    Place p;
    void* at = static_cast<char*>(pc) - 1;   // inside the call, not after it
    if (__sanitizer_symbolize_pc != nullptr) {
        char buf[1024] = {0};
        __sanitizer_symbolize_pc(at, "%s|%l|%f", buf, sizeof buf);
        std::string t(buf);
        const auto a = t.find('|'), b = t.find('|', a + 1);
        if (a != std::string::npos && b != std::string::npos) {
            p.file = t.substr(0, a);
            p.line = t.substr(a + 1, b - a - 1);
            p.function = t.substr(b + 1);
        }
        if (p.file == "??") p.file.clear();
        return p;
    }
    // No sanitizer runtime: ask addr2line (binutils) about the executable.
    Dl_info info{};
    if (::dladdr(at, &info) == 0 || info.dli_fname == nullptr) return p;
    char cmd[1400];
    std::snprintf(cmd, sizeof cmd, "addr2line -C -f -e '%s' %#lx 2>/dev/null", info.dli_fname,
                  static_cast<unsigned long>(static_cast<char*>(at) - static_cast<char*>(info.dli_fbase)));
    if (FILE* pipe = ::popen(cmd, "r")) {
        char fn[512] = {0}, where[1024] = {0};
        if (std::fgets(fn, sizeof fn, pipe) && std::fgets(where, sizeof where, pipe)) {
            p.function = fn;
            std::string w = where;
            while (!p.function.empty() && p.function.back() == '\n') p.function.pop_back();
            while (!w.empty() && (w.back() == '\n' || w.back() == ')')) w.pop_back();
            if (auto d = w.find(" (discriminator"); d != std::string::npos) w.erase(d);
            const auto c = w.rfind(':');
            if (c != std::string::npos && w.compare(0, 2, "??") != 0) {
                p.file = w.substr(0, c);
                p.line = w.substr(c + 1);
            }
        }
        ::pclose(pipe);
    }
    return p;
}

// How a report names a file: "exercises/<ex>/<name>" for the student's files
// (the engine then shows the line), the bare name otherwise.
inline std::string shown_name(const std::string& path, bool student) {
    const auto slash = path.rfind('/');
    const std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
    const char* ex = std::getenv("CONCLAB_EXERCISE");
    return student && ex && *ex ? "exercises/" + std::string(ex) + "/" + base : base;
}

// The most useful frame of a blocked thread: the first in code that is
// neither a system header nor a grader's (that is the student's file), else
// the first outside system headers. `student` says which one it is.
inline Place where_blocked(const Slot& s, bool& student) {
    const int n = std::min(load(s.frames), kFrames);
    Place fallback;
    student = false;
    for (int i = 1; i < n; ++i) {   // frame 0 is block() itself
        Place p = symbolize(load(s.frame[i]));
        if (p.file.empty() || p.file.rfind("/usr/", 0) == 0 || p.file.find("/kit/") != std::string::npos) continue;
        if (p.file.find("/graders/") == std::string::npos) {
            student = true;
            p.file = shown_name(p.file, true);
            return p;
        }
        if (fallback.file.empty()) fallback = p;
    }
    fallback.file = fallback.file.empty() ? "" : shown_name(fallback.file, false);
    return fallback;
}

inline const char* what_waits(int state) {
    switch (state) {
        case kWaitCond: return "waits on a condition variable";
        case kWaitMutex: return "waits for a mutex";
        case kWaitJoin: return "waits in join() for another thread";
        default: return "waits for a task's result";
    }
}

inline bool alive(long tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%ld", tid);
    return ::access(path, F_OK) == 0;
}

}  // namespace explore_detail

struct ExploreOptions {
    int depth = 3;                          // PCT's d: depth - 1 change points
    long expected_steps = 2000;             // PCT's k: change points fall in [1, k]
    std::chrono::microseconds delay{400};   // longest hold at one point
    std::chrono::milliseconds stall{1500};  // every thread blocked this long: a stall
};

// One exploration at a time, for the duration of a test (or a part of one).
class Explorer {
public:
    Explorer() : Explorer(ExploreOptions{}) {}
    explicit Explorer(const ExploreOptions& o) {
        using namespace explore_detail;
        std::memset(static_cast<void*>(&g.slot), 0, sizeof g.slot);
        const std::uint64_t s = mix(kit::seed() ^ (0x5eedull + ++generation_));
        SplitMix rng(s);
        store(g.seed, s);
        store(g.delay_us, static_cast<long>(o.delay.count()));
        store(g.stall_ms, static_cast<long>(o.stall.count()));
        store(g.steps, 0);
        store(g.next_slot, 0);
        store(g.stalls, 0);
        const int cps = std::max(0, std::min(o.depth - 1, kChangePoints));
        for (int c = 0; c < cps; ++c) store(g.change_at[c], 1 + static_cast<long>(rng.next() % o.expected_steps));
        store(g.change_points, cps);
        store(g.active, 1);
        point();   // the test's thread takes its slot (and priority) now
        stop_ = false;
        // The real pthread_create: a census of the student's threads that a
        // grader keeps by defining pthread_create must not count this one.
        using create_fn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
        reinterpret_cast<create_fn>(next_fn("pthread_create"))(&watchdog_, nullptr, &Explorer::watchdog_main, this);
    }

    ~Explorer() {
        using namespace explore_detail;
        __atomic_store_n(&stop_, true, __ATOMIC_RELAXED);
        real_pthread_join()(watchdog_, nullptr);
        store(g.active, 0);
        my_slot = -1;
    }

    Explorer(const Explorer&) = delete;
    Explorer& operator=(const Explorer&) = delete;

    // Waits for a task's future as a blocked thread, so that a stall is seen.
    template <class T>
    std::future_status wait(std::future<T>& f, std::chrono::milliseconds limit) {
        explore_detail::point();
        explore_detail::block(explore_detail::kWaitOther);
        const auto status = f.wait_for(limit);
        explore_detail::unblock();
        return status;
    }

    // Stall reports so far ("all threads are waiting").
    int stalls() const { return explore_detail::load(explore_detail::g.stalls); }

private:
    static void* watchdog_main(void* self) {
        explore_detail::internal = true;
        static_cast<Explorer*>(self)->watch();
        return nullptr;
    }

    // Every 2 ms: is every thread the explorer has seen blocked, with no
    // scheduling point since the last look? For `stall` in a row: report.
    void watch() {
        using namespace explore_detail;
        long last_steps = -1, still_since = 0;
        while (!__atomic_load_n(&stop_, __ATOMIC_RELAXED)) {
            sleep_us(2000);   // short: the destructor waits for this thread to notice `stop_`
            const long steps = load(g.steps);
            bool all_blocked = true;
            int seen = 0;
            const int n = std::min(load(g.next_slot), kSlots);
            for (int i = 0; i < n; ++i) {
                const Slot& s = g.slot[i];
                if (load(s.tid) == 0 || !alive(load(s.tid))) continue;
                ++seen;
                if (load(s.state) == kRunning) all_blocked = false;
            }
            if (!all_blocked || seen == 0 || steps != last_steps) {
                last_steps = steps;
                still_since = now_us();
                continue;
            }
            if (now_us() - still_since < load(g.stall_ms) * 1000) continue;
            report_stall(n);
            still_since = now_us();
        }
    }

    void report_stall(int n) {
        using namespace explore_detail;
        std::string text =
            "all threads are waiting: a lost wake-up or a deadlock. For " + std::to_string(load(g.stall_ms)) +
            " ms no thread could go on:\n";
        Place first;
        for (int i = 0, k = 1; i < n; ++i) {
            const Slot& s = g.slot[i];
            if (load(s.tid) == 0 || !alive(load(s.tid))) continue;
            bool student = false;
            const Place p = where_blocked(s, student);
            text += "  thread " + std::to_string(k++) + " " + what_waits(load(s.state));
            text += p.file.empty() ? " (no debug information says where)"
                                   : " in " + p.function + (student ? "" : " (the grader's code)") + ", at " + p.file +
                                         ":" + p.line;
            text += "\n";
            if (student && first.file.empty()) first = p;
        }
        text += "A thread that waits on a condition variable must re-check, under the same mutex, the condition it "
                "waits for (use wait(lock, predicate)); the thread that changes that condition must change it under "
                "that mutex and then notify.";
        __atomic_add_fetch(&g.stalls, 1, __ATOMIC_RELAXED);
        std::fprintf(stderr, "\n[ explore  ] %s\n", text.c_str());
        if (first.file.empty())
            ADD_FAILURE() << text;
        else
            ADD_FAILURE_AT(first.file.c_str(), std::atoi(first.line.c_str())) << text;
        // Spurious wake-ups are allowed: a correct program cannot tell.
        for (int i = 0; i < n; ++i)
            if (load(g.slot[i].state) == kWaitCond)
                if (void* c = load(g.slot[i].cond)) real_pthread_cond_broadcast()(static_cast<pthread_cond_t*>(c));
    }

    static inline int generation_ = 0;
    pthread_t watchdog_{};
    bool stop_ = false;
};

// Spurious wake-ups on purpose, so that a lost wake-up costs milliseconds
// instead of a hang that only some schedules produce. While one lives, every
// untimed condition-variable wait of the process (pthread_cond_wait:
// std::condition_variable::wait, with or without a predicate) returns after
// at most `period` even when nobody notified. POSIX allows that, so a correct
// program cannot tell; a program that waits without re-checking its
// condition, or whose notify came too early or went to one thread of many,
// finds the work on its next look. The tests that judge something else
// (exceptions, copying, parallelism) use it, so that a pool with a lost
// wake-up loses the same points in every grading: the points of the tests
// that judge wake-ups (with the Explorer, or with every worker asleep on
// purpose) and no others (docs/exploration.md, "Wake-up neutral tests").
class SpuriousWakeups {
public:
    explicit SpuriousWakeups(std::chrono::milliseconds period = std::chrono::milliseconds(20)) {
        explore_detail::store(explore_detail::g.spurious_ms, static_cast<long>(period.count()));
    }
    ~SpuriousWakeups() { explore_detail::store(explore_detail::g.spurious_ms, 0); }
    SpuriousWakeups(const SpuriousWakeups&) = delete;
    SpuriousWakeups& operator=(const SpuriousWakeups&) = delete;
};

}  // namespace kit

// ---------------------------------------------------------------------------
// The interposed functions (see the header comment). Weak: any number of
// grader sources may include this header.
extern "C" {

__attribute__((weak)) int pthread_mutex_lock(pthread_mutex_t* m) {
    using namespace kit::explore_detail;
    point();
    if (slot_of_this_thread() < 0) return real_pthread_mutex_lock()(m);
    if (real_pthread_mutex_trylock()(m) == 0) return 0;
    block(kWaitMutex);
    const int r = real_pthread_mutex_lock()(m);
    unblock();
    return r;
}

__attribute__((weak)) int pthread_mutex_trylock(pthread_mutex_t* m) {
    kit::explore_detail::point();
    return kit::explore_detail::real_pthread_mutex_trylock()(m);
}

__attribute__((weak)) int pthread_mutex_unlock(pthread_mutex_t* m) {
    const int r = kit::explore_detail::real_pthread_mutex_unlock()(m);
    kit::explore_detail::point();   // after: the window between an unlock and what follows
    return r;
}

__attribute__((weak)) int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
    using namespace kit::explore_detail;
    point();
    if (const long period = load(g.spurious_ms); period > 0) {
        // kit::SpuriousWakeups: a wait of at most `period` that reports no
        // timeout. CLOCK_MONOTONIC whatever clock the variable was made with.
        struct timespec until;
        ::clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (period % 1000) * 1000000L;
        until.tv_sec += period / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        const int r = real_pthread_cond_clockwait()(c, m, CLOCK_MONOTONIC, &until);
        return r == ETIMEDOUT ? 0 : r;
    }
    block(kWaitCond, c);
    const int r = real_pthread_cond_wait()(c, m);
    unblock();
    return r;
}

// A timed wait ends on its own: never part of a stall.
__attribute__((weak)) int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* t) {
    kit::explore_detail::point();
    return kit::explore_detail::real_pthread_cond_timedwait()(c, m, t);
}

__attribute__((weak)) int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock,
                                                 const struct timespec* t) {
    kit::explore_detail::point();
    return kit::explore_detail::real_pthread_cond_clockwait()(c, m, clock, t);
}

__attribute__((weak)) int pthread_cond_signal(pthread_cond_t* c) {
    kit::explore_detail::point();
    return kit::explore_detail::real_pthread_cond_signal()(c);
}

__attribute__((weak)) int pthread_cond_broadcast(pthread_cond_t* c) {
    kit::explore_detail::point();
    return kit::explore_detail::real_pthread_cond_broadcast()(c);
}

// libstdc++'s semaphores and atomic waits: futex waits bounded, whether or
// not an Explorer lives (kit/futex.hpp: the library's lost wake-up is not the
// student's). Other system calls go straight on.
__attribute__((weak)) long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (long& x : a) x = va_arg(ap, long);   // as glibc's syscall() does: always 6
    va_end(ap);
    const auto real = kit::explore_detail::real_syscall();
    if (number == SYS_futex) return kit::bounded_futex(real, a);
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

__attribute__((weak)) int pthread_join(pthread_t t, void** ret) {
    using namespace kit::explore_detail;
    point();
    block(kWaitJoin);
    const int r = real_pthread_join()(t, ret);
    unblock();
    return r;
}

}  // extern "C"
