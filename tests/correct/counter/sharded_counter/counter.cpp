// counter — correct-but-unusual case `sharded_counter` (see counter.hpp).
#include "counter.hpp"

#include <functional>
#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    // Threads mostly land on different shards, so they rarely share a cache
    // line; any shard works, since value() adds them all.
    static thread_local const std::size_t shard =
        std::hash<std::thread::id>{}(std::this_thread::get_id()) % kShards;
    shards_[shard].n.fetch_add(1, std::memory_order_relaxed);
}

long Counter::value() const noexcept {
    long sum = 0;
    for (const Shard& s : shards_) sum += s.n.load(std::memory_order_relaxed);
    return sum;
}

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    workers.reserve(threads > 0 ? static_cast<std::size_t>(threads) : 0);
    // Start all of them first, so that they really run at the same time ...
    try {
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back([&counter, per_thread] {
                for (long k = 0; k < per_thread; ++k) counter.increment();
            });
        }
    } catch (...) {
        // Starting a thread can fail (std::system_error when the system is out
        // of threads). The ones already started use `counter` and are still
        // joinable: destroying them would call std::terminate. Join them, then
        // let the caller see the failure.
        for (std::thread& worker : workers) worker.join();
        throw;
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
    // Retry until we either take one ticket or see that none is left.
    while (left > 0) {
        // Succeeds only if the stock is still `left`; then it becomes left - 1
        // in one indivisible step. If another buyer changed it meanwhile, the
        // CAS fails, stores the current stock in `left`, and we try again.
        if (left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed))
            return true;
    }
    return false;  // sold out: the stock is untouched, it never goes below 0
}

int TicketOffice::remaining() const noexcept {
    return left_.load(std::memory_order_relaxed);
}

}  // namespace counter
