// Reference solution of the `counter` exercise.
#include "counter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    // One indivisible read-modify-write. memory_order_relaxed is enough: the
    // only thing that matters is that the increments themselves are atomic; no
    // other data is published through this counter. Whoever reads the final
    // value after join() is ordered after every increment by the join itself.
    value_.fetch_add(1, std::memory_order_relaxed);
}

long Counter::value() const noexcept {
    return value_.load(std::memory_order_relaxed);
}

// HOSTILE (tests/hostile/host_loopback): sends to and connects to the host's loopback: a listener there must receive nothing.
// Only the call made by single_thread_counts triggers it, so the other
// tests show that grading goes on normally.
long count_with_threads(int threads, long per_thread) {
    if (threads == 1 && per_thread == 1000) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(47999);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int u = socket(AF_INET, SOCK_DGRAM, 0);
        for (int i = 0; i < 20; ++i)
            (void)sendto(u, "hello host", 10, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
        close(u);
        int t = socket(AF_INET, SOCK_STREAM, 0);
        (void)connect(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
        close(t);
    }
    Counter counter;
    std::vector<std::thread> workers;
    workers.reserve(threads > 0 ? static_cast<std::size_t>(threads) : 0);
    // Start all of them first, so that they really run at the same time ...
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    }
    // ... then wait for every one. join() also makes every increment of that
    // thread visible here (happens-before), so value() below sees them all.
    // Never detach(): the threads use `counter`, which dies when we return.
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    int left = left_.load(std::memory_order_relaxed);
    // Retry until we either take one ticket or see that none is left.
    while (left > 0) {
        // Succeeds only if the stock is still `left`; then it becomes left - 1
        // in one indivisible step. If another buyer changed it meanwhile, the
        // CAS fails, stores the current stock in `left`, and we try again.
        if (left_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed))
            return true;
    }
    return false;  // sold out: the stock is untouched, it never goes below 0
}

int TicketOffice::remaining() const noexcept {
    return left_.load(std::memory_order_relaxed);
}

}  // namespace counter
