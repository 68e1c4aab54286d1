#include <mutex>
#include <thread>

namespace pool_copy {

std::mutex queue_mutex;
std::mutex stats_mutex;
int queued = 0, copied = 0;

void push_task() {
    std::lock_guard<std::mutex> q(queue_mutex);
    std::lock_guard<std::mutex> s(stats_mutex);
    ++queued;
}

void finish_task() {
    std::lock_guard<std::mutex> s(stats_mutex);
    std::lock_guard<std::mutex> q(queue_mutex);
    ++copied;
}

}  // namespace pool_copy
