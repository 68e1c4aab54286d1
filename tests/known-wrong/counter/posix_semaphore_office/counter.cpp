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

TicketOffice::TicketOffice(int tickets) {
    sem_init(&tickets_, 0, static_cast<unsigned>(tickets));
}

bool TicketOffice::buy() noexcept {
    return sem_trywait(&tickets_) == 0;  // never blocks: fails when the count is 0
}

int TicketOffice::remaining() const noexcept {
    int left = 0;
    sem_getvalue(&tickets_, &left);
    return left;
}

}  // namespace counter
