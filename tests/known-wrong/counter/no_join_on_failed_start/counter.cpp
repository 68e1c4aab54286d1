// known-wrong: right in every way but one: when a thread cannot start, the
// exception leaves while `workers` holds joinable threads (std::terminate).
#include "counter.hpp"
#include <system_error>
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
    Counter c;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&c, per_thread] {
            for (long k = 0; k < per_thread; ++k) c.increment();
        });
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
