#pragma once
namespace counter {
class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;
private:
    long value_ = 0;
};
long count_with_threads(int threads, long per_thread);
}
