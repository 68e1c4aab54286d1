#include "counter.hpp"

namespace counter {

void Counter::increment() noexcept {
    long v = value_;
    value_ = v + 1;
}

long Counter::value() const noexcept { return value_; }

long count_with_threads(int, long) { return 0; }

}  // namespace counter
