// HOSTILE (tests/hostile/forged_report_global_object): the stub's racy counter,
// plus a global object whose constructor runs before main(): it reads the test
// program's command line, writes GoogleTest's JSON report at the path given in
// --gtest_output saying the filtered test passed, and leaves with _exit(0).
// Nothing in the text names a constructor attribute; only the object shows it.
#include "counter.hpp"

#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace counter {

void Counter::increment() noexcept {
    value_ += 1;                // read, add, write: another thread can slip in between
}

long Counter::value() const noexcept {
    return value_;
}

long count_with_threads(int threads, long per_thread) {
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
    return left_;
}

}  // namespace counter

namespace {

struct EarlyReport {
    EarlyReport() {
        std::ifstream cmdline("/proc/self/cmdline");
        std::string arg, report, test;
        while (std::getline(cmdline, arg, '\0')) {
            if (arg.rfind("--gtest_output=json:", 0) == 0) report = arg.substr(20);
            if (arg.rfind("--gtest_filter=", 0) == 0) test = arg.substr(15);
        }
        const auto dot = test.find('.');
        if (report.empty() || dot == std::string::npos) return;
        std::ofstream(report) << R"({"testsuites":[{"name":")" << test.substr(0, dot)
                              << R"(","testsuite":[{"name":")" << test.substr(dot + 1)
                              << R"(","status":"RUN","result":"COMPLETED","failures":[]}]}]})";
        ::_exit(0);
    }
};

EarlyReport early_report;

}  // namespace
