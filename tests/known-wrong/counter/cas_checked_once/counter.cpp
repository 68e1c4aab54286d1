// Known-wrong case `cas_checked_once`: the reference with ONE bug — buy() checks
// "sold out" once, before its compare_exchange_weak loop, and the loop retries
// without checking again. If another buyer takes the last ticket meanwhile, the
// failed CAS loads 0 and the retry replaces 0 by -1: oversold, stock below zero.
#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    // One indivisible read-modify-write. memory_order_relaxed is enough: the
    // only thing that matters is that the increments themselves are atomic; no
    // other data is published through this counter. Whoever reads the final
    // value after join() is ordered after every increment by the join itself.
    value_.fetch_add(1, std::memory_order_relaxed);
}

long Counter::value() const noexcept {
    return value_.load(std::memory_order_relaxed);
}

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    workers.reserve(threads > 0 ? static_cast<std::size_t>(threads) : 0);
    // Start all of them first, so that they really run at the same time ...
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    }
    // ... then wait for every one. join() also makes every increment of that
    // thread visible here (happens-before), so value() below sees them all.
    // Never detach(): the threads use `counter`, which dies when we return.
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load(std::memory_order_relaxed);
    if (left <= 0) return false;   // BUG: the only "sold out" check, outside the loop
    // A failed CAS stores the current stock in `left` (maybe 0 by now) and the
    // loop tries again to replace it by left - 1 without looking at it.
    while (!left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
    }
    return true;

}

int TicketOffice::remaining() const noexcept {
    return left_.load(std::memory_order_relaxed);
}

}  // namespace counter
