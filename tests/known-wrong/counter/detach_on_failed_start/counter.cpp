// known-wrong: when a thread cannot start, it detaches the ones already
// started (no std::terminate) and rethrows: they keep running after
// count_with_threads has ended. (The Counter is shared with them through a
// shared_ptr, so the bug is only the threads left behind, not a dangling
// reference: the grader's verdict does not depend on what they overwrite.)
#include "counter.hpp"
#include <memory>
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
    auto c = std::make_shared<Counter>();
    std::vector<std::thread> workers;
    try {
        for (int i = 0; i < threads; ++i)
            workers.emplace_back([c, per_thread] {
                for (long k = 0; k < per_thread; ++k) c->increment();
            });
    } catch (...) {
        for (auto& w : workers) w.detach();
        throw;
    }
    for (auto& w : workers) w.join();
    return c->value();
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
