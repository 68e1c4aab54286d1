#pragma once
// The `counter` exercise — the file you edit (with counter.cpp).
// Read README.md first.
//
// This is the seed's program, translated to C++: it is correct with one thread
// and wrong with many. Make Counter and TicketOffice safe for any number of
// threads WITHOUT a lock: no mutex, no condition variable, no semaphore.
//
// You may add private members, helpers and #includes. Do not change the
// public signatures below: the grader compiles against them.

namespace counter {

class Counter {                 // shared by many threads; no mutex, no blocking
public:
    void increment() noexcept;
    long value() const noexcept;

private:
    long value_ = 0;            // racy: a plain long shared by many threads
};

// Start `threads` threads, each calls increment() `per_thread` times on one
// shared Counter; join them all; return the final value. If a thread cannot
// start (std::system_error), join the ones already started and rethrow.
long count_with_threads(int threads, long per_thread);

class TicketOffice {            // lock-free: never oversells, never blocks
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;        // true and one ticket fewer, or false when sold out
    int remaining() const noexcept;

private:
    int left_;                  // racy: a plain int shared by many buyers
};

}  // namespace counter
