// Canary: a correctly synchronised program ThreadSanitizer must not report.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

int guarded = 0;
std::mutex m;
std::atomic<int> counter{0};

int main() {
    auto work = [] {
        for (int i = 0; i < 1000; ++i) {
            std::lock_guard<std::mutex> lock(m);
            ++guarded;
            counter.fetch_add(1, std::memory_order_relaxed);
        }
    };
    std::thread a(work), b(work);
    a.join();
    b.join();
    std::printf("%d %d\n", guarded, counter.load());
    return guarded == 2000 && counter.load() == 2000 ? 0 : 1;
}
