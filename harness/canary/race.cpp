// Canary: a data race ThreadSanitizer must report on this machine, or the
// grading tier cannot be trusted (NOTES: exit codes lie; read the report).
#include <thread>

int shared_value = 0;

__attribute__((noinline)) void bump() { shared_value = shared_value + 1; }

int main() {
    std::thread a([] { for (int i = 0; i < 1000; ++i) bump(); });
    std::thread b([] { for (int i = 0; i < 1000; ++i) bump(); });
    a.join();
    b.join();
    return shared_value > 0 ? 0 : 1;
}
