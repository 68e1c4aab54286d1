// The machine-wide CPU budget (harness/include/conclab/cpu_budget.hpp): a
// test takes a core, an exclusive test every core and the waiting tests'
// lock, a waiting test only a share of that lock.
#include "conclab/cpu_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using conclab::CpuHold;

// A budget directory of this test's own, so that gradings running beside the
// unit tests (make test runs them in parallel) neither wait for it nor disturb it.
class CpuBudgetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("conclab-cpu-test-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        ::setenv("CONCLAB_CPU_SLOTS", dir.c_str(), 1);
    }
    void TearDown() override {
        ::unsetenv("CONCLAB_CPU_SLOTS");
        fs::remove_all(dir);
    }
    fs::path dir;
};

// Takes a hold on a thread of its own and keeps it until destroyed. A take
// that never returns leaves its thread behind (detached, sharing only
// `State`): a failing test must not hang the others.
class Taker {
public:
    explicit Taker(CpuHold (*take)()) : st_(std::make_shared<State>()), taken_(st_->taken.get_future()) {
        std::thread([st = st_, take] {
            CpuHold hold = take();
            st->taken.set_value();
            st->release.get_future().wait();
        }).detach();
    }
    ~Taker() { st_->release.set_value(); }
    bool took_within(std::chrono::milliseconds d) { return taken_.wait_for(d) == std::future_status::ready; }

private:
    struct State {
        std::promise<void> taken, release;
    };
    std::shared_ptr<State> st_;
    std::future<void> taken_;
};

TEST_F(CpuBudgetTest, WaitingTestsRunBesideEachOtherAndBesideCores) {
    const int cores = conclab::usable_cores();
    std::vector<std::unique_ptr<Taker>> waiting, busy;
    for (int k = 0; k < 3 * cores; ++k) {
        waiting.push_back(std::make_unique<Taker>(conclab::take_waiting_share));
        EXPECT_TRUE(waiting.back()->took_within(5s)) << "waiting test " << k << " had to wait";
    }
    // More waiting tests than cores, and every core still free.
    for (int k = 0; k < cores; ++k) {
        busy.push_back(std::make_unique<Taker>(conclab::take_cpu));
        EXPECT_TRUE(busy.back()->took_within(5s)) << "core " << k << " was not free";
    }
    Taker one_too_many(conclab::take_cpu);
    EXPECT_FALSE(one_too_many.took_within(300ms)) << "a core beyond the budget was handed out";
    busy.pop_back();
    EXPECT_TRUE(one_too_many.took_within(5s)) << "a core given back was not handed out again";
}

TEST_F(CpuBudgetTest, AnExclusiveTestWaitsForTheWaitingOnes) {
    auto share = std::make_unique<Taker>(conclab::take_waiting_share);
    ASSERT_TRUE(share->took_within(5s));
    Taker exclusive(conclab::take_all_cpus);
    EXPECT_FALSE(exclusive.took_within(300ms)) << "an exclusive test started beside a waiting one";
    share.reset();
    EXPECT_TRUE(exclusive.took_within(5s)) << "the exclusive test did not start once the waiting one ended";
}

TEST_F(CpuBudgetTest, NoTestStartsBesideAnExclusiveOne) {
    auto all = std::make_unique<Taker>(conclab::take_all_cpus);
    ASSERT_TRUE(all->took_within(5s));
    Taker waiting(conclab::take_waiting_share), core(conclab::take_cpu);
    EXPECT_FALSE(waiting.took_within(300ms)) << "a waiting test started beside an exclusive one";
    EXPECT_FALSE(core.took_within(10ms)) << "a test started beside an exclusive one";
    all.reset();
    EXPECT_TRUE(waiting.took_within(5s));
    EXPECT_TRUE(core.took_within(5s));
}

// flock(2) has no writer preference: without the gate, waiting tests that
// keep overlapping would keep a queued exclusive test out for ever.
TEST_F(CpuBudgetTest, AQueuedExclusiveTestIsNotOvertakenByLaterWaitingOnes) {
    auto first = std::make_unique<Taker>(conclab::take_waiting_share);
    ASSERT_TRUE(first->took_within(5s));
    auto exclusive = std::make_unique<Taker>(conclab::take_all_cpus);
    EXPECT_FALSE(exclusive->took_within(200ms));   // queued behind the first waiting test
    Taker later(conclab::take_waiting_share);
    EXPECT_FALSE(later.took_within(300ms)) << "a waiting test overtook the exclusive one queued before it";
    first.reset();
    EXPECT_TRUE(exclusive->took_within(5s));
    EXPECT_FALSE(later.took_within(100ms)) << "a waiting test started beside the exclusive one";
    exclusive.reset();
    EXPECT_TRUE(later.took_within(5s));
}

}  // namespace
