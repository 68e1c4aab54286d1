#pragma once
// Yield injection for the ThreadSanitizer build (implemented in interleave.cpp).
//
// While a thread is inside an interleave::Scope, every atomic operation it
// performs in instrumented code (the student's std::atomic loads, stores,
// fetch_add, fetch_sub, compare_exchange, ...) is followed by
// sched_yield(). Other threads then run between any two atomic steps of
// the student's code, so a check-then-act made of two atomic operations
// ("if (left.load() > 0) left.fetch_sub(1)") is interleaved almost every
// time, on any machine, instead of once in a million at full speed.
namespace interleave {

class Scope {
public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
};

// Yields injected so far by threads that have left their outermost Scope;
// the graders use it to check that injection works in this build.
long yields();

// Atomic writes (stores, exchange, fetch_add, fetch_sub, ..., compare-
// exchange, failed ones too) made so far by instrumented code on any thread,
// inside a Scope or not. While count_with_threads runs, only the student's
// code is instrumented (libstdc++'s thread code is not), so the difference
// across the call is what its threads did: counting with increment() on a
// shared Counter takes threads * per_thread times what one increment() takes.
long atomic_writes();

}  // namespace interleave
