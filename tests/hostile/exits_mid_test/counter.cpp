// HOSTILE (tests/hostile/exits_mid_test): a correct counter that leaves the
// test program in the middle of a test: increment() with _exit(0), buy() with
// _exit(66) (the code ThreadSanitizer uses) and remaining() with _exit(1).
// No exit code can stand in for the sealed "done" record (docs/security.md):
// each such test fails with "ended the test program before the test finished".
#include "counter.hpp"

#include <unistd.h>

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    ::_exit(0);
}

long Counter::value() const noexcept { return value_; }

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    ::_exit(66);
}

int TicketOffice::remaining() const noexcept {
    ::_exit(1);
}

}  // namespace counter
