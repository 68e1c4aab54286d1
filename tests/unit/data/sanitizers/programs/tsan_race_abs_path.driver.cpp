#include <cstdio>
#include "counter.hpp"
int main() { std::printf("%ld\n", counter::count_with_threads(4, 1000)); }
