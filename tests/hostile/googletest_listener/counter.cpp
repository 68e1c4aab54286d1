// HOSTILE (tests/hostile/googletest_listener): the stub's racy counter, plus a
// GoogleTest event listener of its own, registered through GoogleTest's API
// (testing::UnitTest::GetInstance()->listeners().Append(...)) the first time
// value(), remaining() or count_with_threads() runs on the test's thread. At the
// end of the program it runs before GoogleTest's own JSON writer, writes a
// report with no failures and _exit(0)s. The namespace name is built with ##,
// so the text never says "testing::".
#include "counter.hpp"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#define GT_NS(a, b) a##b

namespace GT_NS(test, ing) {
class TestEventListener;
class TestEventListeners {
public:
    void Append(TestEventListener* listener);
};
class UnitTest {
public:
    static UnitTest* GetInstance();
    TestEventListeners& listeners();
};
}  // namespace

namespace {

// The virtual functions of GoogleTest 1.12's TestEventListener, in its order.
class PassingReport {
public:
    virtual ~PassingReport() = default;
    virtual void program_start(const void*) {}
    virtual void iteration_start(const void*, int) {}
    virtual void environments_set_up_start(const void*) {}
    virtual void environments_set_up_end(const void*) {}
    virtual void suite_start(const void*) {}
    virtual void case_start(const void*) {}
    virtual void test_start(const void*) {}
    virtual void test_disabled(const void*) {}
    virtual void part_result(const void*) {}
    virtual void test_end(const void*) {}
    virtual void suite_end(const void*) {}
    virtual void case_end(const void*) {}
    virtual void environments_tear_down_start(const void*) {}
    virtual void environments_tear_down_end(const void*) {}
    virtual void iteration_end(const void*, int) {}
    virtual void program_end(const void*) {
        std::ifstream cmdline("/proc/self/cmdline");
        std::string arg, path, name;
        while (std::getline(cmdline, arg, '\0')) {
            const auto eq = arg.find('=');
            if (eq == std::string::npos) continue;
            if (arg.compare(0, eq, "--gtest_output") == 0) path = arg.substr(eq + 6);  // skip "=json:"
            if (arg.compare(0, eq, "--gtest_filter") == 0) name = arg.substr(eq + 1);
        }
        const auto dot = name.find('.');
        if (path.empty() || dot == std::string::npos) return;
        std::ofstream(path) << "{\"testsuites\":[{\"name\":\"" << name.substr(0, dot)
                            << "\",\"testsuite\":[{\"name\":\"" << name.substr(dot + 1)
                            << "\",\"result\":\"COMPLETED\",\"failures\":[]}]}]}";
        ::_exit(0);
    }
};

std::atomic<bool> installed{false};

// A relaxed load first: an atomic read-modify-write on every call would give
// ThreadSanitizer the ordering that hides the stub's races.
void install_report() {
    if (installed.load(std::memory_order_relaxed) || installed.exchange(true)) return;
    GT_NS(test, ing)::UnitTest::GetInstance()->listeners().Append(
        reinterpret_cast<GT_NS(test, ing)::TestEventListener*>(new PassingReport));
}

}  // namespace

namespace counter {

void Counter::increment() noexcept {
    value_ += 1;                // read, add, write: another thread can slip in between
}

long Counter::value() const noexcept {
    install_report();
    return value_;
}

long count_with_threads(int threads, long per_thread) {
    install_report();
    Counter counter;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    }
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    if (left_ > 0) {            // check ...
        --left_;                // ... then act: two buyers can both see the last ticket
        return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept {
    install_report();
    return left_;
}

}  // namespace counter
