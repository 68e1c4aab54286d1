// WorkerPool stress (release build, -O2, no sanitizer). Without TSan's
// slowdown the pool goes through thousands of sleep/wake cycles per second, so
// a lost wake-up or a join() that returns early shows up within a run. A lost
// wake-up either leaves a future unready (reported below) or hangs join() or
// the destructor (the run times out).
//
// The first part explores schedules (graders/common/kit/explore.hpp): every
// lock, unlock, wait and notify is a scheduling point where a seeded policy
// holds some threads back, so a worker is often paused just between "the queue
// is empty" and its wait — the window a lost wake-up needs — and a stall is
// reported with where each thread waits.
//
// The last part checks that idle workers sleep: a worker that polls the queue
// (lock, look, unlock, sleep_for or yield, again) loses no task and passes
// every other test, but it spends the CPU, or wakes up hundreds of times a
// second, while the pool has nothing to do.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>
#include <vector>

#include "pool_copy.hpp"
#include "kit/explore.hpp"
#include "pool_copy_grader.hpp"

using namespace std::chrono_literals;
using pool_copy::WorkerPool;

namespace {

// One explored pool: tasks submitted one after the other, each just as the
// worker finishes the previous one and goes back to sleep; then close + join.
void explored_round(int round, std::size_t workers) {
    kit::Explorer explorer;
    std::atomic<int> ran{0};
    {
        WorkerPool pool(workers);
        for (int k = 0; k < 6; ++k) {
            auto done = pool.submit([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
            ASSERT_EQ(explorer.wait(done, 10s), std::future_status::ready)
                << "explored round " << round << " (WorkerPool(" << workers << ")): task " << k
                << " was queued but never run: the workers slept through its wake-up.";
            if (explorer.stalls() > 0) {
                ADD_FAILURE() << "(the stall above: explored round " << round << ", WorkerPool(" << workers
                              << "), task " << k << ")";
                return;
            }
        }
        pool.close();
        pool.join();
        if (explorer.stalls() > 0)
            ADD_FAILURE() << "(the stall above: explored round " << round << ", WorkerPool(" << workers
                          << "), in close() + join())";
    }
    ASSERT_EQ(ran.load(), 6) << "explored round " << round << ": join() returned before every task ran.";
}

long cpu_ms(const rusage& u) {
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000L + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000L;
}

// A pool with nothing to do, watched for 300 ms. Workers asleep on a condition
// variable cost nothing: measured on the reference, 0 ms of CPU and at most 2
// voluntary context switches (the test's own sleep). The limits leave room for
// a worker that wakes up now and then (a timed wait of 30 ms or more passes),
// not for polling: a worker that sleeps 1 ms between looks makes about 300
// switches, one that yields uses the CPU the whole time.
void expect_idle_workers_sleep() {
    constexpr int kWorkers = 4;
    constexpr auto kWatched = 300ms;
    WorkerPool pool(kWorkers);
    auto first = pool.submit([] {});
    ASSERT_EQ(first.wait_for(3s), std::future_status::ready) << "a task submitted to a new pool never ran.";
    std::this_thread::sleep_for(50ms);   // the workers go back to their wait
    rusage before{}, after{};
    // A worker asleep on a std::counting_semaphore wakes every 20 ms here, at
    // the grader's bound on library futex waits (kit/futex.hpp): those
    // wake-ups are the grader's, so they are not counted.
    const long bounded_before = __atomic_load_n(&kit::bounded_futex_timeouts, __ATOMIC_RELAXED);
    ::getrusage(RUSAGE_SELF, &before);
    std::this_thread::sleep_for(kWatched);
    ::getrusage(RUSAGE_SELF, &after);
    const long bounded = __atomic_load_n(&kit::bounded_futex_timeouts, __ATOMIC_RELAXED) - bounded_before;
    const long cpu = cpu_ms(after) - cpu_ms(before);
    const long wakeups = after.ru_nvcsw - before.ru_nvcsw - bounded;
    EXPECT_TRUE(cpu < 30 && wakeups < 40)
        << "WorkerPool(" << kWorkers << ") had nothing to do for 300 ms, yet its idle workers used " << cpu
        << " ms of CPU and went to sleep " << wakeups << " times: they poll the queue (look, sleep or yield, look "
        << "again) instead of sleeping until there is work. An idle worker must wait on the condition variable, "
           "cv.wait(lock, predicate), and submit() and close() wake it with notify_one / notify_all.";
    pool.close();
    pool.join();
}

}  // namespace

TEST(WorkerPoolStress, no_lost_wakeups_stress) {
    // 160 explored pools, each under a schedule of its own (0.6 s per 80 on
    // this machine). The test ran twice per grading, 80 each, until the
    // manifest's repeat went; the schedules explored per grading stayed.
    for (int round = 0; round < 160; ++round) {
        explored_round(round, 1 + round % 2);
        if (HasFailure()) return;
    }

    std::mt19937 rng(kit::seed());
    constexpr int kRounds = 400;
    for (int round = 0; round < kRounds; ++round) {
        const std::size_t workers = 1 + round % 4;
        std::atomic<int> ran{0};
        int submitted = 0;
        std::vector<std::future<void>> futures;
        const bool by_destructor = round % 3 == 2;
        {
            WorkerPool pool(workers);
            // Bursts separated by short pauses: between bursts the workers run
            // dry and go back to sleep, so every burst must wake them again.
            const int bursts = 1 + static_cast<int>(rng() % 4);
            for (int b = 0; b < bursts; ++b) {
                const int n = 1 + static_cast<int>(rng() % 6);
                for (int k = 0; k < n; ++k, ++submitted)
                    futures.push_back(pool.submit([&ran] { ran.fetch_add(1, std::memory_order_relaxed); }));
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
            }
            // Every round waits for its tasks before it ends the pool: this
            // test judges wake-ups, and whether the destructor runs queued
            // tasks is destructor_runs_every_task's question. Ending a pool
            // with tasks still queued would make a destructor that drops them
            // fail here only in the gradings where some were left.
            for (std::size_t i = 0; i < futures.size(); ++i)
                ASSERT_EQ(futures[i].wait_for(3s), std::future_status::ready)
                    << "round " << round << " (WorkerPool(" << workers << ")): task " << i
                    << " was queued but never run within 3 s: the workers slept through its wake-up (a lost "
                       "wake-up; wait on the condition variable with a predicate, under the mutex).";
            if (!by_destructor) {
                // The last task is slow: join() must still wait for it.
                futures.push_back(pool.submit([&ran] {
                    std::this_thread::sleep_for(2ms);
                    ran.fetch_add(1, std::memory_order_relaxed);
                }));
                ++submitted;
                pool.close();
                pool.join();
                ASSERT_EQ(ran.load(), submitted)
                    << "round " << round << " (WorkerPool(" << workers << ")): join() returned while "
                    << submitted - ran.load() << " tasks had not finished.";
            }
        }   // destructor: close() + join(), with every worker asleep (it must wake them all)
        ASSERT_EQ(ran.load(), submitted) << "round " << round << " (WorkerPool(" << workers
                                         << ")): after the destructor " << submitted - ran.load()
                                         << " tasks had not run.";
    }

    expect_idle_workers_sleep();
}
