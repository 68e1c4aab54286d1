#pragma once
#include <mutex>

namespace counter {

class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;

private:
    mutable std::mutex m_;
    long value_ = 0;
};

long count_with_threads(int threads, long per_thread);

class TicketOffice {
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;
    int remaining() const noexcept;

private:
    mutable std::mutex m_;
    int left_;
};

}  // namespace counter
