// HOSTILE (tests/hostile/hides_sanitizer_report): the stub's data race, plus a
// thread that keeps deleting and rewriting every file it can find in its
// working directory (where sanitizer logs used to be written), and stderr
// pointed at /dev/null before the race. Reports now go to a pipe the
// supervisor holds, and a report ends the process before the sealed "done"
// record: hiding the report's text cannot turn the test into a pass.
#include "counter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace counter {
namespace {

void scrub() {
    static bool started = false;
    if (started) return;
    started = true;
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    std::thread([] {
        for (;;) {
            std::error_code ec;
            for (auto it = std::filesystem::recursive_directory_iterator(".", ec);
                 it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                if (!it->is_regular_file(ec)) continue;
                std::ofstream(it->path()) << "no race here\n";
            }
            std::ofstream("tsan.1") << "clean\n";
        }
    }).detach();
}

}  // namespace

void Counter::increment() noexcept {
    scrub();
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
    scrub();
    if (left_ > 0) {
        --left_;
        return true;
    }
    return false;
}

int TicketOffice::remaining() const noexcept { return left_; }

}  // namespace counter
