#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    value_ += 1;
}

long Counter::value() const noexcept { return value_; }

long count_with_threads(int threads, long per_thread) {
    Counter c;
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&c, per_thread] {
            for (long i = 0; i < per_thread; ++i) c.increment();
        });
    for (auto& t : ts) t.join();
    return c.value();
}

}  // namespace counter
