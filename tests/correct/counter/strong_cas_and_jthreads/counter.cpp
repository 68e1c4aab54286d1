// correct, unusual: compare_exchange_strong in a do/while with the default
// (seq_cst) order for buy(), a CAS loop instead of fetch_add for increment(),
// and std::jthread (joined by its destructor) in count_with_threads.
#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    long seen = value_.load();
    while (!value_.compare_exchange_weak(seen, seen + 1)) {
    }
}

long Counter::value() const noexcept { return value_.load(); }

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    {
        std::vector<std::jthread> workers;
        for (int i = 0; i < threads; ++i)
            workers.emplace_back([&counter, per_thread] {
                for (long k = 0; k < per_thread; ++k) counter.increment();
            });
    }   // every jthread joins here
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load();
    do {
        if (left <= 0) return false;
    } while (!left_.compare_exchange_strong(left, left - 1));
    return true;
}

int TicketOffice::remaining() const noexcept { return left_.load(); }

}  // namespace counter
