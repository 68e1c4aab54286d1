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
    gate_.acquire();
    bool ok = left_ > 0;
    if (ok) --left_;
    gate_.release();
    return ok;
}

int TicketOffice::remaining() const noexcept {
    gate_.acquire();
    int left = left_;
    gate_.release();
    return left;
}

}  // namespace counter
