// A worker that cannot start (release build, -O2, no sanitizer; linked with
// thread_census.cpp, which can make one pthread_create fail).
//
// Starting a thread can fail: when the process or the user is out of threads,
// pthread_create answers EAGAIN and std::thread's constructor throws
// std::system_error. WorkerPool(n) must then stop and join the workers it had
// already started and let the std::system_error out: no std::terminate, no
// thread left running or asleep.
//
// Why the release build: the check runs in a forked child (kit/child.hpp),
// because the usual wrong answer, a std::vector of joinable std::thread
// destroyed while the exception leaves the constructor, calls std::terminate
// and would end this test program with no word about why; and because a pool
// that joins workers nobody told to stop hangs for good. ThreadSanitizer does
// not allow starting threads in the child of a multi-threaded fork, so the
// TSan build cannot do this; this build has no sanitizer and the test process
// has no other thread when it forks.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>

#include "kit/census.hpp"
#include "kit/child.hpp"
#include "kit/explore.hpp"
#include "kit/seed.hpp"
#include "pool_copy.hpp"
#include "pool_copy_grader.hpp"

using pool_copy::WorkerPool;

TEST(WorkerPoolFaults, worker_start_failure_stops_the_rest) {
    // A close() that wakes one worker is judged elsewhere (docs/exploration.md,
    // "Wake-up neutral tests"); this test judges the cleanup of a failed start.
    const kit::SpuriousWakeups wake_ups_judged_elsewhere;
    kit::SplitMix rng(kit::seed());
    const int workers = 3 + rng.below(6);            // 3 .. 8
    const int fails = 2 + rng.below(workers - 1);    // 2 .. workers: some workers are already running
    std::printf("WorkerPool(%d) with thread start number %d failing (EAGAIN)\n", workers, fails);
    const std::string call = "WorkerPool(" + std::to_string(workers) + ") when starting worker number " +
                             std::to_string(fails) + " failed";

    kit::ChildResult r = kit::run_in_child(
        [&]() -> std::string {
            std::string problems;
            const int before = kit::live_threads();   // 1: a forked child has only this thread
            const long detached_before = grader::threads_detached();
            const long created_before = grader::threads_created();
            grader::fail_thread_start(fails);
            try {
                WorkerPool pool(static_cast<std::size_t>(workers));
                problems += call + ": the constructor returned normally (size() = " + std::to_string(pool.size()) +
                            ") instead of letting the std::system_error (thrown by std::thread's constructor) "
                            "out to the caller.\n";
                // ~WorkerPool closes and joins whatever it has.
            } catch (const std::system_error&) {
                // the promised outcome
            } catch (const std::exception& e) {
                problems += call + ": the constructor threw a different exception (" + e.what() +
                            ") instead of letting the std::system_error out.\n";
            } catch (...) {
                problems += call + ": the constructor threw something that is not the std::system_error.\n";
            }
            grader::fail_thread_start(0);
            const long started = grader::threads_created() - created_before;
            const long detached = grader::threads_detached() - detached_before;
            const int after = kit::live_threads_at_most(before);
            if (detached > 0)
                problems += std::to_string(detached) + " of the " + std::to_string(started) +
                            " workers it had started were detached instead of joined.\n";
            if (before > 0 && after > before)
                problems += std::to_string(after - before) + " of the " + std::to_string(started) +
                            " workers it had started were still alive after the constructor ended: tell them "
                            "to stop (as close() does) and join them before the exception leaves.\n";
            return problems;
        },
        // hung: every process asleep for 2 s; busy: 3 s, under the test's 4 s wall limit
        std::chrono::milliseconds(2000), std::chrono::milliseconds(3000));

    ASSERT_TRUE(r.started) << "grader error: cannot fork the test process";
    if (r.signal == SIGABRT) {
        FAIL() << call << ", the program was aborted (std::terminate). The usual cause: the exception left the "
               << "constructor while the std::vector<std::thread> member still held joinable workers, and "
               << "destroying a joinable std::thread calls std::terminate (the destructor ~WorkerPool() does not "
               << "run for an object whose constructor threw). Catch the exception in the constructor, close the "
               << "pool, join the workers already started, rethrow.";
    }
    if (r.hung) {
        FAIL() << call << ", the constructor never returned: every thread was waiting. Joining workers that "
               << "wait for a task forever never ends: set the closed flag and notify_all (as close() does) "
               << "before joining them.";
    }
    if (r.too_long)
        FAIL() << call << ", the constructor was still running after 3 s (busy: a worker that never stops?).";
    if (r.signal != 0) FAIL() << call << ", the program was killed by signal " << r.signal << ".";
    if (!r.finished) FAIL() << call << ", " << r.ended_early();
    ASSERT_EQ(r.exit_code, 0) << "grader error: the child exited with " << r.exit_code;
    if (!r.report.empty()) ADD_FAILURE() << r.report;
}
