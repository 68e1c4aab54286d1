// correct, unusual: count_with_threads owns its threads through a small RAII
// guard whose destructor joins every joinable thread. The guard runs on a
// normal return and during unwinding alike, so a thread start that throws
// std::system_error leaves no joinable std::thread behind (no std::terminate)
// and the exception goes on by itself: no try/catch anywhere.
#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {

namespace {

struct JoinAll {
    std::vector<std::thread>& threads;
    ~JoinAll() {
        for (std::thread& t : threads)
            if (t.joinable()) t.join();
    }
};

}  // namespace

void Counter::increment() noexcept { value_.fetch_add(1, std::memory_order_relaxed); }

long Counter::value() const noexcept { return value_.load(std::memory_order_relaxed); }

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    {
        // Declared after `workers` and `counter`, so it is destroyed first:
        // the threads are joined while what they use still exists.
        JoinAll join_all{workers};
        for (int i = 0; i < threads; ++i)
            workers.emplace_back([&counter, per_thread] {
                for (long k = 0; k < per_thread; ++k) counter.increment();
            });
    }
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load(std::memory_order_relaxed);
    while (left > 0)
        if (left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) return true;
    return false;
}

int TicketOffice::remaining() const noexcept { return left_.load(std::memory_order_relaxed); }

}  // namespace counter
