#include "counter.hpp"
#include <algorithm>
#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    value_.fetch_add(1);
}

long Counter::value() const noexcept {
    return value_.load();
}

long count_with_threads(int threads, long per_thread) {
    // no point in more threads than cores
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int n = std::min(threads, cores);
    long total = threads * per_thread;
    Counter c;
    std::vector<std::thread> workers;
    for (int i = 0; i < n; ++i) {
        long mine = total / n + (i < total % n ? 1 : 0);
        workers.emplace_back([&c, mine] {
            for (long k = 0; k < mine; ++k) c.increment();
        });
    }
    for (auto& w : workers) w.join();
    return c.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load();
    while (left > 0) {
        if (left_.compare_exchange_weak(left, left - 1)) return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept {
    return left_.load();
}

}  // namespace counter
