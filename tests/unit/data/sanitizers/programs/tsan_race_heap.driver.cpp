#include <memory>
#include <thread>
#include "counter.hpp"
int main() {
    auto c = std::make_unique<counter::Counter>();
    std::thread a([&] { for (int i = 0; i < 1000; ++i) c->increment(); });
    std::thread b([&] { for (int i = 0; i < 1000; ++i) c->increment(); });
    a.join(); b.join();
    return c->value() == 2000 ? 0 : 1;
}
