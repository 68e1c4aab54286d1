// Releases a group of threads at the same moment, so that they really overlap
// instead of each finishing before the next one is started (a race that never
// overlaps is never seen).
#pragma once

#include <atomic>
#include <thread>

namespace kit {

class StartLine {
public:
    // Each thread calls wait() first; it spins (yielding) rather than blocking
    // on a condition variable so that every thread leaves within the same
    // scheduler tick.
    void wait() const {
        while (!go_.load(std::memory_order_acquire)) std::this_thread::yield();
    }
    void open() { go_.store(true, std::memory_order_release); }

private:
    std::atomic<bool> go_{false};
};

}  // namespace kit
