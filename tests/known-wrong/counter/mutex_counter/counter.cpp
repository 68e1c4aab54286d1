#include "counter.hpp"
#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    std::lock_guard<std::mutex> lock(m_);
    ++value_;
}

long Counter::value() const noexcept {
    std::lock_guard<std::mutex> lock(m_);
    return value_;
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
    std::lock_guard<std::mutex> lock(m_);
    if (left_ > 0) {
        --left_;
        return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept {
    std::lock_guard<std::mutex> lock(m_);
    return left_;
}

}  // namespace counter
