#include "counter.hpp"
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
    if (left_.fetch_sub(1) > 0) return true;
    left_.fetch_add(1);  // sold out: put it back
    return false;
}

int TicketOffice::remaining() const noexcept {
    return left_.load();
}

}  // namespace counter
