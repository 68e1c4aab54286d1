#include <cstdio>
namespace counter { long count_with_threads(int threads, long per_thread); }
int main() { std::printf("%ld\n", counter::count_with_threads(4, 1000)); }
