#include <mutex>

namespace pool_copy {

std::mutex m;

void release_twice() {
    m.lock();
    m.unlock();
    m.unlock();
}

}  // namespace pool_copy
