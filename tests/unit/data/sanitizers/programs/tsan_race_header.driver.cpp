#include <thread>
#include "counter.hpp"
int main() {
    counter::TicketOffice office(1000);
    std::thread a([&] { for (int i = 0; i < 600; ++i) office.buy(); });
    std::thread b([&] { for (int i = 0; i < 600; ++i) office.buy(); });
    a.join(); b.join();
    return office.remaining() == 0 ? 0 : 1;
}
