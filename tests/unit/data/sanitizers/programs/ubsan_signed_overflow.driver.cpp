#include <climits>
namespace counter { long long total_sold(int, int); }
int main(int argc, char**) { return counter::total_sold(INT_MAX / 2 + argc, 2) > 0; }
