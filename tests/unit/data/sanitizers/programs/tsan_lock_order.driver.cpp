#include <thread>
namespace pool_copy { void push_task(); void finish_task(); }
int main() {
    std::thread a([] { pool_copy::push_task(); });
    a.join();
    std::thread b([] { pool_copy::finish_task(); });
    b.join();
}
