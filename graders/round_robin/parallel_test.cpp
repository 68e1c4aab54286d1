// Grader for round_robin (ThreadSanitizer build).
//
// Two schedulers, each with its own tasks and its own log, run on two threads
// at the same time. A correct solution keeps all of its state in the Task, its
// promise and the scheduler's locals, so the two runs share nothing. A
// solution that passes the slice (or the "current task", or the queue)
// through a global or static variable works on one thread and breaks here:
// ThreadSanitizer reports the data race, and the logs may come out mixed.
#include "round_robin.hpp"
#include "seed_trace.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using round_robin::Task;

using round_robin_grader::kSeedTrace;

// Produced by reference/round_robin: Ann 9, Bob 4, Cid 0, Dee 15, Eve 7 at share 0.25.
const char* const kFiveTrace = R"(Ann need: 9 slice: 2
Bob need: 4 slice: 1
Cid need: 0 slice: 1
Dee need: 15 slice: 3
Eve need: 7 slice: 1
Ann need: 7
Bob need: 3
Cid need: 0
Cid finished
Dee need: 12
Eve need: 6
Ann need: 5
Bob need: 2
Dee need: 9
Eve need: 5
Ann need: 3
Bob need: 1
Dee need: 6
Eve need: 4
Ann need: 1
Bob need: 0
Bob finished
Dee need: 3
Eve need: 3
Ann need: 0
Ann finished
Dee need: 0
Dee finished
Eve need: 2
Eve need: 1
Eve need: 0
Eve finished
All finished!
)";

std::string run(const std::vector<std::pair<std::string, int>>& mix, double share) {
    std::ostringstream log;
    std::vector<Task> tasks;
    for (const auto& [name, need] : mix) tasks.push_back(round_robin::countdown(name, need, log));
    round_robin::run_round_robin(std::move(tasks), share, log);
    return log.str();
}

TEST(Parallel, parallel_schedulers_share_nothing) {
    constexpr int kRounds = 40;
    std::latch start(2);
    std::string problem[2];
    auto worker = [&](int id) {
        start.arrive_and_wait();             // both threads run their schedulers at once
        for (int round = 0; round < kRounds && problem[id].empty(); ++round) {
            const bool seed = (round + id) % 2 == 0;
            const std::string got = seed ? run({{"Task1", 12}, {"Task2", 11}}, 0.5)
                                         : run({{"Ann", 9}, {"Bob", 4}, {"Cid", 0}, {"Dee", 15}, {"Eve", 7}}, 0.25);
            const char* want = seed ? kSeedTrace : kFiveTrace;
            if (got != want)
                problem[id] = "thread " + std::to_string(id + 1) + ", round " + std::to_string(round + 1) +
                              ": the log was\n" + got + "instead of\n" + want;
        }
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();
    for (const std::string& p : problem)
        if (!p.empty())
            ADD_FAILURE() << "Two run_round_robin calls on two threads, each with its own tasks and "
                                  "log, disturbed each other. Keep every piece of state in the Task, its "
                                  "promise or the scheduler, never in a global or static variable.\n"
                               << p;
}

}  // namespace
