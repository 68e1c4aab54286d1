// round_robin: correct, but built differently from the reference (see round_robin.hpp).
#include "round_robin.hpp"

#include <cmath>
#include <list>
#include <stdexcept>
#include <utility>

namespace round_robin {

Task::Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}

// Move-and-swap: the frame this Task held until now ends up in `old`, which
// destroys it on the way out; `other` is left empty.
Task& Task::operator=(Task&& other) noexcept {
    Task old(std::move(other));
    std::swap(handle_, old.handle_);
    return *this;
}

Task::~Task() {
    if (handle_) handle_.destroy();
}

const std::string& Task::name() const {
    static const std::string none;
    return handle_ ? handle_.promise().name : none;
}

bool Task::done() const noexcept { return !handle_ || handle_.done(); }

int Task::remaining() const { return handle_ ? handle_.promise().value : 0; }

void Task::resume(int slice) {
    if (done()) throw std::logic_error("resume() of a finished or empty Task");
    handle_.promise().slice = slice;
    handle_.resume();   // an exception from the body comes out of here
}

// The first co_yield reports `need`; each resumption hands in a slice.
Task countdown(std::string name, int need, std::ostream& log) {
    int slice = co_yield need;
    while (true) {
        need -= slice;
        if (need <= 0) break;
        log << name << " need: " << need << '\n';
        slice = co_yield need;
    }
    log << name << " need: 0\n" << name << " finished\n";
}

namespace {
struct Entry {
    Task task;
    int slice;   // 0 until the task's first turn
};
}  // namespace

// A ring: `at` walks a std::list and wraps around; a finished task's node is
// erased where it stands, which keeps the others in their FIFO order.
std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log) {
    std::list<Entry> ring;
    for (auto& t : tasks) ring.push_back(Entry{std::move(t), 0});
    std::vector<std::string> order;
    auto at = ring.begin();
    while (!ring.empty()) {
        if (at == ring.end()) at = ring.begin();
        Entry& e = *at;
        if (e.slice == 0) {
            e.task.resume(0);
            if (!e.task.done()) {
                const int need = e.task.remaining();
                e.slice = need * share >= 1.0 ? static_cast<int>(std::floor(need * share)) : 1;
                log << e.task.name() << " need: " << need << " slice: " << e.slice << '\n';
            }
        } else {
            e.task.resume(e.slice);
        }
        if (e.task.done()) {
            order.push_back(e.task.name());
            at = ring.erase(at);
        } else {
            ++at;
        }
    }
    log << "All finished!\n";
    return order;
}

}  // namespace round_robin
