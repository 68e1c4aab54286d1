// Yield injection for the ThreadSanitizer build: see interleave.hpp.
//
// HOW: with -fsanitize=thread the compiler turns every atomic operation into
// a call such as __tsan_atomic32_fetch_sub(ptr, value, order). This file
// DEFINES those functions in the test executable; the linker binds the
// student's calls to them instead of to libtsan.so's. Each one forwards to
// libtsan's own function (found with dlsym(RTLD_NEXT, ...)), so TSan still
// sees every atomic and its verdicts are unchanged, and then, if the calling
// thread is inside an interleave::Scope, calls sched_yield().
//
// This file must not use std::atomic itself (it would call itself): the real
// function pointers are plain globals written once at start-up, before any
// thread exists, and the "inside a Scope" flag is thread_local.
#include "interleave.hpp"

#include "kit/futex.hpp"

#include <dlfcn.h>
#include <sched.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace {

thread_local int depth = 0;   // > 0: this thread is inside a Scope
thread_local long my_yields = 0;

// Yields injected by threads that have left their outermost Scope. Updated
// and read only through libtsan's atomic functions (see Scope::~Scope).
long total_yields_by_finished_scopes[1] = {0};

void* find_real(const char* name) {
    void* f = dlsym(RTLD_NEXT, name);
    if (f == nullptr) {
        std::fprintf(stderr, "conclab interleave: cannot find %s in libtsan\n", name);
        std::abort();
    }
    return f;
}

// Atomic writes (stores, read-modify-writes, compare-exchanges) of
// instrumented code, every thread. Updated through libtsan's own fetch_add
// (declared below), never through an interposed function, so counting
// neither yields nor counts itself.
long writes_total[1] = {0};
void count_write();

inline void after_atomic() {
    if (depth > 0) {
        ++my_yields;
        sched_yield();
    }
}

}  // namespace

// ---------------------------------------------------------------------------
// The types and names of TSan's atomic interface (compiler-rt's
// tsan_interface_atomic.h, which g++ does not install). The memory orders are
// passed through unchanged.
typedef char __tsan_atomic8;
typedef short __tsan_atomic16;
typedef int __tsan_atomic32;
typedef long __tsan_atomic64;
typedef int __tsan_memory_order;

#define CONCLAB_ATOMIC_FUNCTIONS(bits)                                                             \
    namespace {                                                                                  \
    using load##bits##_fn = __tsan_atomic##bits (*)(const volatile __tsan_atomic##bits*, __tsan_memory_order); \
    using store##bits##_fn = void (*)(volatile __tsan_atomic##bits*, __tsan_atomic##bits, __tsan_memory_order); \
    using rmw##bits##_fn = __tsan_atomic##bits (*)(volatile __tsan_atomic##bits*, __tsan_atomic##bits, \
                                                   __tsan_memory_order);                         \
    using cas##bits##_fn = int (*)(volatile __tsan_atomic##bits*, __tsan_atomic##bits*, __tsan_atomic##bits, \
                                   __tsan_memory_order, __tsan_memory_order);                    \
    using casv##bits##_fn = __tsan_atomic##bits (*)(volatile __tsan_atomic##bits*, __tsan_atomic##bits, \
                                                    __tsan_atomic##bits, __tsan_memory_order, __tsan_memory_order); \
    load##bits##_fn real_load##bits;                                                             \
    store##bits##_fn real_store##bits;                                                           \
    rmw##bits##_fn real_exchange##bits, real_fetch_add##bits, real_fetch_sub##bits,              \
        real_fetch_and##bits, real_fetch_or##bits, real_fetch_xor##bits, real_fetch_nand##bits;   \
    cas##bits##_fn real_cas_strong##bits, real_cas_weak##bits;                                   \
    casv##bits##_fn real_cas_val##bits;                                                          \
    template <class F>                                                                           \
    F get##bits(F& slot, const char* name) {                                                     \
        if (slot == nullptr) slot = reinterpret_cast<F>(find_real(name));                        \
        return slot;                                                                             \
    }                                                                                            \
    }                                                                                            \
    extern "C" __tsan_atomic##bits __tsan_atomic##bits##_load(const volatile __tsan_atomic##bits* a, \
                                                              __tsan_memory_order mo) {          \
        __tsan_atomic##bits r = get##bits(real_load##bits, "__tsan_atomic" #bits "_load")(a, mo); \
        after_atomic();                                                                          \
        return r;                                                                                \
    }                                                                                            \
    extern "C" void __tsan_atomic##bits##_store(volatile __tsan_atomic##bits* a, __tsan_atomic##bits v, \
                                                __tsan_memory_order mo) {                        \
        get##bits(real_store##bits, "__tsan_atomic" #bits "_store")(a, v, mo);                   \
        count_write();                                                                           \
        after_atomic();                                                                          \
    }                                                                                            \
    CONCLAB_RMW(bits, exchange)                                                                  \
    CONCLAB_RMW(bits, fetch_add)                                                                 \
    CONCLAB_RMW(bits, fetch_sub)                                                                 \
    CONCLAB_RMW(bits, fetch_and)                                                                 \
    CONCLAB_RMW(bits, fetch_or)                                                                  \
    CONCLAB_RMW(bits, fetch_xor)                                                                 \
    CONCLAB_RMW(bits, fetch_nand)                                                                \
    CONCLAB_CAS(bits, compare_exchange_strong, real_cas_strong)                                  \
    CONCLAB_CAS(bits, compare_exchange_weak, real_cas_weak)                                      \
    extern "C" __tsan_atomic##bits __tsan_atomic##bits##_compare_exchange_val(                  \
        volatile __tsan_atomic##bits* a, __tsan_atomic##bits c, __tsan_atomic##bits v,           \
        __tsan_memory_order mo, __tsan_memory_order fmo) {                                       \
        __tsan_atomic##bits r = get##bits(real_cas_val##bits,                                    \
                                          "__tsan_atomic" #bits "_compare_exchange_val")(a, c, v, mo, fmo); \
        count_write();                                                                             \
        after_atomic();                                                                          \
        return r;                                                                                \
    }

#define CONCLAB_RMW(bits, op)                                                                    \
    extern "C" __tsan_atomic##bits __tsan_atomic##bits##_##op(volatile __tsan_atomic##bits* a,  \
                                                              __tsan_atomic##bits v,             \
                                                              __tsan_memory_order mo) {          \
        __tsan_atomic##bits r = get##bits(real_##op##bits, "__tsan_atomic" #bits "_" #op)(a, v, mo); \
        count_write();                                                                             \
        after_atomic();                                                                          \
        return r;                                                                                \
    }

#define CONCLAB_CAS(bits, op, slot)                                                              \
    extern "C" int __tsan_atomic##bits##_##op(volatile __tsan_atomic##bits* a, __tsan_atomic##bits* c, \
                                              __tsan_atomic##bits v, __tsan_memory_order mo,     \
                                              __tsan_memory_order fmo) {                         \
        int r = get##bits(slot##bits, "__tsan_atomic" #bits "_" #op)(a, c, v, mo, fmo);         \
        count_write();                                                                             \
        after_atomic();                                                                          \
        return r;                                                                                \
    }

CONCLAB_ATOMIC_FUNCTIONS(8)
CONCLAB_ATOMIC_FUNCTIONS(16)
CONCLAB_ATOMIC_FUNCTIONS(32)
CONCLAB_ATOMIC_FUNCTIONS(64)

namespace {
void count_write() { get64(real_fetch_add64, "__tsan_atomic64_fetch_add")(writes_total, 1, 0 /* relaxed */); }

// Resolve everything at start-up, while the process has one thread, so that
// no two threads ever write the pointers at the same time.
__attribute__((constructor(101))) void resolve_all() {
#define CONCLAB_RESOLVE(bits)                                                                    \
    get##bits(real_load##bits, "__tsan_atomic" #bits "_load");                                   \
    get##bits(real_store##bits, "__tsan_atomic" #bits "_store");                                 \
    get##bits(real_exchange##bits, "__tsan_atomic" #bits "_exchange");                           \
    get##bits(real_fetch_add##bits, "__tsan_atomic" #bits "_fetch_add");                         \
    get##bits(real_fetch_sub##bits, "__tsan_atomic" #bits "_fetch_sub");                         \
    get##bits(real_fetch_and##bits, "__tsan_atomic" #bits "_fetch_and");                         \
    get##bits(real_fetch_or##bits, "__tsan_atomic" #bits "_fetch_or");                           \
    get##bits(real_fetch_xor##bits, "__tsan_atomic" #bits "_fetch_xor");                         \
    get##bits(real_fetch_nand##bits, "__tsan_atomic" #bits "_fetch_nand");                       \
    get##bits(real_cas_strong##bits, "__tsan_atomic" #bits "_compare_exchange_strong");          \
    get##bits(real_cas_weak##bits, "__tsan_atomic" #bits "_compare_exchange_weak");              \
    get##bits(real_cas_val##bits, "__tsan_atomic" #bits "_compare_exchange_val");
    CONCLAB_RESOLVE(8)
    CONCLAB_RESOLVE(16)
    CONCLAB_RESOLVE(32)
    CONCLAB_RESOLVE(64)
}
}  // namespace

// syscall(2) as libstdc++ 12 calls it for std::counting_semaphore,
// std::binary_semaphore and std::atomic<T>::wait: futex waits are bounded
// (kit/futex.hpp: the library's lost wake-up is not the student's), every
// other call goes straight on. Looked up once, before any thread starts.
namespace {
kit::RealSyscall real_syscall = nullptr;
__attribute__((constructor(101))) void resolve_syscall() {
    real_syscall = reinterpret_cast<kit::RealSyscall>(find_real("syscall"));
}
}  // namespace

extern "C" long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (long& x : a) x = va_arg(ap, long);   // as glibc's syscall() does: always 6
    va_end(ap);
    if (number == SYS_futex) return kit::bounded_futex(real_syscall, a);
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

namespace interleave {
Scope::Scope() { ++depth; }
Scope::~Scope() {
    if (--depth == 0) {
        // Each thread adds its own count once, when it leaves its outermost
        // Scope. The add goes through libtsan directly so that it does not
        // yield and TSan sees it as atomic.
        get64(real_fetch_add64, "__tsan_atomic64_fetch_add")(total_yields_by_finished_scopes, my_yields, 5);
        my_yields = 0;
    }
}
long yields() { return get64(real_load64, "__tsan_atomic64_load")(total_yields_by_finished_scopes, 5); }
long atomic_writes() { return get64(real_load64, "__tsan_atomic64_load")(writes_total, 5); }
}  // namespace interleave
