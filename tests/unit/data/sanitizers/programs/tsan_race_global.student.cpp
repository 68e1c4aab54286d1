// seed: a hundred threads doing cnt += 1 on a shared global
#include <thread>
#include <vector>

namespace counter {

long cnt = 0;

void add_many(long n) {
    for (long i = 0; i < n; ++i)
        cnt += 1;
}

long count_with_threads(int threads, long per_thread) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back(add_many, per_thread);
    for (auto& t : ts) t.join();
    return cnt;
}

}  // namespace counter
