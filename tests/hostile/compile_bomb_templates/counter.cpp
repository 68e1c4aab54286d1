// HOSTILE (tests/hostile/compile_bomb_templates): 2^40 distinct template
// instantiations (each Bomb<N, M> asks for two new ones), so the compiler
// would work and eat memory for hours. The sandbox's compile limits (CPU,
// memory) stop it, and the student is told why.
#include "counter.hpp"

#include <thread>
#include <vector>

namespace counter {
namespace {

template <int N, long M>
struct Bomb {
    static constexpr long value = Bomb<N - 1, 2 * M>::value + Bomb<N - 1, 2 * M + 1>::value;
};
template <long M>
struct Bomb<0, M> {
    static constexpr long value = M;
};
static_assert(Bomb<40, 1>::value != 0, "never decided in time");

}  // namespace

void Counter::increment() noexcept { value_ += 1; }

long Counter::value() const noexcept { return value_; }

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept { return left_ > 0 ? (--left_, true) : false; }
int TicketOffice::remaining() const noexcept { return left_; }

}  // namespace counter
