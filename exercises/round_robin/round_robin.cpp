// round_robin: a naive first version (see round_robin.hpp and README.md).
#include "round_robin.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace round_robin {

// Who owns the coroutine frame, and who frees it?
Task::Task(Task&& other) noexcept : handle_(other.handle_) {}

Task& Task::operator=(Task&& other) noexcept {
    handle_ = other.handle_;
    return *this;
}

Task::~Task() {}

const std::string& Task::name() const { return handle_.promise().name; }

bool Task::done() const noexcept { return handle_.done(); }

int Task::remaining() const { return handle_.promise().value; }

void Task::resume(int slice) {
    handle_.promise().slice = slice;
    handle_.resume();
}

// The seed's generator:
//     def task(name, need):
//         while True:
//             slice = yield need
//             ...
Task countdown(std::string name, int need, std::ostream& log) {
    for (;;) {
        const int slice = co_yield need;
        need -= slice;
        log << name << " need: " << std::max(need, 0) << '\n';
        if (need <= 0) {
            log << name << " finished\n";
            co_return;
        }
    }
}

// The seed's RoundRobin.run(), with a std::vector as the waiting list.
std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log) {
    std::vector<Task> waiting;
    for (Task& t : tasks) waiting.push_back(std::move(t));
    std::vector<std::string> finished;
    std::vector<std::string> started;
    while (!waiting.empty()) {
        Task task = std::move(waiting.back());
        waiting.pop_back();
        const int need = task.remaining();
        const int slice = std::max(1, static_cast<int>(std::floor(need * share)));
        if (std::find(started.begin(), started.end(), task.name()) == started.end()) {
            started.push_back(task.name());
            task.resume(0);
            log << task.name() << " need: " << task.remaining() << " slice: " << slice << '\n';
        } else {
            task.resume(slice);
        }
        if (task.done())
            finished.push_back(task.name());
        else
            waiting.push_back(std::move(task));
    }
    log << "All finished!\n";
    return finished;
}

}  // namespace round_robin
