// The `counter` exercise — the file you edit (with counter.hpp).
//
// The seed, in Python:
//     cnt = 0
//     def inc(): global cnt; cnt += 1          # a hundred threads run this
// and a ticket office whose sell() checks "tickets left > 0" and then takes one.
// Both lose or oversell when threads interleave between the read and the
// write. `make check EX=counter` shows where.
#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    value_ += 1;                // read, add, write: another thread can slip in between
}

long Counter::value() const noexcept {
    return value_;
}

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    }
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    if (left_ > 0) {            // check ...
        --left_;                // ... then act: two buyers can both see the last ticket
        return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept {
    return left_;
}

}  // namespace counter
