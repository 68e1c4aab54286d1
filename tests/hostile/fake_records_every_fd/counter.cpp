// HOSTILE (tests/hostile/fake_records_every_fd): keeps the stub's bugs, and on
// the first increment()/buy() writes result records that claim a pass (with a
// made-up MAC) to every file descriptor from 3 to 255, then _exit(0). The
// records fail the MAC check: the test is flagged, never passed.
#include "counter.hpp"

#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace counter {
namespace {

void spray_and_leave() {
    const std::string mac(64, 'a');
    const std::string fake = mac + " {\"failures\":[],\"name\":\"X.Y\",\"result\":\"passed\",\"seq\":0,\"type\":\"test\"}\n" +
                             mac + " {\"failed\":0,\"seq\":1,\"tests\":1,\"type\":\"done\"}\n";
    for (int fd = 3; fd < 256; ++fd) (void)!::write(fd, fake.data(), fake.size());
    ::_exit(0);
}

}  // namespace

void Counter::increment() noexcept {
    spray_and_leave();
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
    spray_and_leave();
    return false;
}

int TicketOffice::remaining() const noexcept { return left_; }

}  // namespace counter
