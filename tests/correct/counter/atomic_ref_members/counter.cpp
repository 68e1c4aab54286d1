// counter — correct-but-unusual case `atomic_ref_members`.
//
// The members are plain integers; every access after construction is made
// through std::atomic_ref (C++20), never directly, so there is no data race.
// increment() is fetch_add with memory_order_relaxed (only the count itself
// matters, and join() orders the final read); buy() is a compare_exchange_weak
// loop written as a do/while that re-checks the stock on every retry.
// count_with_threads() starts the threads into a fixed-size array-like vector
// and joins them in reverse order (also when a thread fails to start: then
// the ones already started, before the exception goes on).
#include "counter.hpp"

#include <memory>
#include <thread>

namespace counter {

void Counter::increment() noexcept {
    std::atomic_ref<long>(value_).fetch_add(1, std::memory_order_relaxed);
}

long Counter::value() const noexcept {
    return std::atomic_ref<long>(value_).load(std::memory_order_relaxed);
}

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    const int n = threads > 0 ? threads : 0;
    std::unique_ptr<std::thread[]> workers(new std::thread[static_cast<std::size_t>(n)]);
    int started = 0;
    try {
        for (; started < n; ++started)
            workers[static_cast<std::size_t>(started)] = std::thread([&counter, per_thread] {
                for (long k = 0; k < per_thread; ++k) counter.increment();
            });
    } catch (...) {
        // A thread that could not start (std::system_error): join the ones
        // that did, in reverse too, before the array of joinable threads dies.
        for (int i = started - 1; i >= 0; --i) workers[static_cast<std::size_t>(i)].join();
        throw;
    }
    for (int i = n - 1; i >= 0; --i) workers[static_cast<std::size_t>(i)].join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    std::atomic_ref<int> stock(left_);
    int left = stock.load(std::memory_order_relaxed);
    do {
        if (left <= 0) return false;   // checked again after every failed CAS
    } while (!stock.compare_exchange_weak(left, left - 1, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
    return true;
}

int TicketOffice::remaining() const noexcept {
    return std::atomic_ref<int>(left_).load(std::memory_order_relaxed);
}

}  // namespace counter
