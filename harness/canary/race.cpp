// Canary: a data race ThreadSanitizer must report on this machine, or the
// grading tier cannot be trusted (docs/notes.md: exit codes lie; read the report).
//
// The two writes are ordered in time by a relaxed atomic, which TSan does not
// count as synchronisation, and both threads are alive at the second write.
// Two threads that merely each loop on the variable can run one after the
// other on a loaded machine; a CI run once saw TSan report nothing then.
#include <atomic>
#include <thread>

int shared_value = 0;
std::atomic<int> stage{0};

__attribute__((noinline)) void bump() { shared_value = shared_value + 1; }

void wait_for(int s) {
    while (stage.load(std::memory_order_relaxed) < s) std::this_thread::yield();
}

int main() {
    std::thread a([] {
        bump();
        stage.store(1, std::memory_order_relaxed);
        wait_for(2);  // stay alive until the other write has happened
    });
    std::thread b([] {
        wait_for(1);
        bump();
        stage.store(2, std::memory_order_relaxed);
    });
    a.join();
    b.join();
    return shared_value == 2 ? 0 : 1;
}
