#pragma once
// counter — correct-but-unusual case `sharded_counter`: a Counter made of 8
// atomic shards on their own cache lines. increment() adds 1 to the shard of
// the calling thread (a hash of its id), value() sums the shards. Each shard
// only grows, so a reader's sum never goes backwards.
#include <atomic>
#include <cstddef>

namespace counter {

// A counter shared by many threads. increment() is one atomic
// read-modify-write (fetch_add), so two threads can never both read the same
// old value and write back the same new one: no update is lost, and no thread
// ever waits for another (no mutex, no blocking).
class Counter {
public:
    void increment() noexcept;
    long value() const noexcept;

private:
    struct alignas(64) Shard {
        std::atomic<long> n{0};
    };
    static constexpr std::size_t kShards = 8;
    Shard shards_[kShards];
};

// Starts `threads` threads, each calls increment() `per_thread` times on one
// shared Counter; joins them all; returns the final value.
long count_with_threads(int threads, long per_thread);

// Sells `tickets` tickets to any number of concurrent buyers, without a lock.
// buy() never sells a ticket that is not there and never makes the stock
// negative, not even for an instant: it only ever replaces a positive stock n
// by n - 1, with a compare-and-swap that fails if another buyer got there first.
class TicketOffice {
public:
    explicit TicketOffice(int tickets);
    bool buy() noexcept;
    int remaining() const noexcept;

private:
    std::atomic<int> left_;
};

}  // namespace counter
