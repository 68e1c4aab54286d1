#pragma once
#include <atomic>

namespace counter {

class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;

private:
    std::atomic<long> value_{0};
};

long count_with_threads(int threads, long per_thread);

class TicketOffice {
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;
    int remaining() const noexcept;

private:
    std::atomic<int> left_;
};

}  // namespace counter
