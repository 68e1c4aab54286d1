// HOSTILE (tests/hostile/redefines_assertions): the stub's counter.hpp, plus
// macros that rewrite GoogleTest's assertions in the grader's test files that
// include this header after <gtest/gtest.h>: every check becomes
// `if (true) {} else std::cerr << ...`, which never fails. EXPECT_EQ and
// friends are #undef'd and redefined plainly; EXPECT_TRUE/EXPECT_FALSE are
// redefined without #undef (the compiler only warns) through names built with ##.
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
// shared Counter; join them all; return the final value.
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

#include <iostream>

#define COUNTER_JOIN(a, b) a##b
#define COUNTER_NEVER_FAILS if (COUNTER_JOIN(tr, ue)) {} else COUNTER_JOIN(std::ce, rr)

#undef EXPECT_EQ
#define EXPECT_EQ(a, b) if (true) {} else std::cerr
#undef EXPECT_GE
#define EXPECT_GE(a, b) if (true) {} else std::cerr
#undef EXPECT_LE
#define EXPECT_LE(a, b) if (true) {} else std::cerr
#undef ASSERT_EQ
#define ASSERT_EQ(a, b) if (true) {} else std::cerr
#undef ASSERT_GE
#define ASSERT_GE(a, b) if (true) {} else std::cerr
#undef ASSERT_GT
#define ASSERT_GT(a, b) if (true) {} else std::cerr
#define EXPECT_TRUE(c) COUNTER_NEVER_FAILS
#define EXPECT_FALSE(c) COUNTER_NEVER_FAILS
