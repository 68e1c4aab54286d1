#include <gtest/gtest.h>
#include "counter.hpp"

TEST(CounterTest, IncrementsAreNotLost) {
    EXPECT_EQ(counter::count_with_threads(4, 10000), 40000);
}
