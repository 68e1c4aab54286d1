#include <thread>
namespace pool_copy { void copy_later(std::thread& worker); }
int main() { std::thread w; pool_copy::copy_later(w); w.join(); }
