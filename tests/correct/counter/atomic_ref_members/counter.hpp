#pragma once
// counter — correct-but-unusual case `atomic_ref_members`: the shared integers
// are plain `long` / `int` members, and every access to them goes through a
// C++20 std::atomic_ref, so each access is atomic although the member is not.
#include <atomic>

namespace counter {

class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;

private:
    // atomic_ref needs this alignment; `mutable` so that value() const can
    // make an atomic_ref<long> (atomic_ref<const long> is not in C++20).
    alignas(std::atomic_ref<long>::required_alignment) mutable long value_ = 0;
};

long count_with_threads(int threads, long per_thread);

class TicketOffice {
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;
    int remaining() const noexcept;

private:
    alignas(std::atomic_ref<int>::required_alignment) mutable int left_;
};

}  // namespace counter
