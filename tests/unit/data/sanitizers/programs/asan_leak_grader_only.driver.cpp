#include <cstdio>
namespace round_robin { int twice(int x); }
__attribute__((noinline)) int* make() { return new int[10]; }
int* volatile keep;
int main() { keep = make(); keep = nullptr; std::printf("%d\n", round_robin::twice(2)); }
