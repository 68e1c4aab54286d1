// HOSTILE (tests/hostile/forged_report_in_test): keeps the stub's bugs, and on
// the first increment() writes a GoogleTest JSON report claiming the test
// passed to the path GoogleTest was given, then leaves with _exit(0). The
// engine never reads that file for a verdict (docs/security.md): the sealed
// "done" record never arrives, and a report without records is flagged.
// One thread forges and the others wait for it: when several threads wrote
// the file at once, one could _exit while another had just truncated it, and
// the run then ended "crashed" (no report at all) instead of "tampered".
#include "counter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace counter {
namespace {

void forge_and_exit() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string all = ss.str(), arg, path, filter;
    std::istringstream args(all);
    while (std::getline(args, arg, '\0')) {
        if (arg.rfind("--gtest_output=json:", 0) == 0) path = arg.substr(20);
        if (arg.rfind("--gtest_filter=", 0) == 0) filter = arg.substr(15);
    }
    std::string suite = filter.substr(0, filter.find('.')), name = filter.substr(filter.find('.') + 1);
    std::ofstream out(path.empty() ? "gtest.json" : path);
    out << R"({"tests": 1, "failures": 0, "testsuites": [{"name": ")" << suite
        << R"(", "tests": 1, "failures": 0, "testsuite": [{"name": ")" << name
        << R"(", "status": "RUN", "result": "COMPLETED", "classname": ")" << suite << R"("}]}]})";
    out.close();
    ::_exit(0);
}

std::once_flag forger;

void forge_and_leave() { std::call_once(forger, forge_and_exit); }

}  // namespace

void Counter::increment() noexcept {
    forge_and_leave();
    value_ += 1;
}

long Counter::value() const noexcept { return value_; }

long count_with_threads(int threads, long per_thread) {
    Counter counter;
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&counter, per_thread] {
            for (long k = 0; k < per_thread; ++k) counter.increment();
        });
    for (std::thread& worker : workers) worker.join();
    return counter.value();
}

TicketOffice::TicketOffice(int tickets) : left_(tickets) {}

bool TicketOffice::buy() noexcept {
    forge_and_leave();
    if (left_ > 0) {
        --left_;
        return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept { return left_; }

}  // namespace counter
