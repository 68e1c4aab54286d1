// round_robin: reference solution.
#include "round_robin.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <utility>

namespace round_robin {

// ---- Task: sole owner of one coroutine frame ---------------------------------

Task::Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Task& Task::operator=(Task&& other) noexcept {
    if (this != &other) {
        if (handle_) handle_.destroy();     // the frame we held until now
        handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
}

// destroy() works at any suspension point: it runs the destructors of the
// locals alive there and of the parameter copies, then frees the frame.
Task::~Task() {
    if (handle_) handle_.destroy();
}

const std::string& Task::name() const {
    static const std::string no_name;
    return handle_ ? handle_.promise().name : no_name;
}

bool Task::done() const noexcept { return !handle_ || handle_.done(); }

int Task::remaining() const { return handle_ ? handle_.promise().value : 0; }

void Task::resume(int slice) {
    if (done()) throw std::logic_error("resume() on a finished or moved-from Task");
    promise_type& promise = handle_.promise();
    promise.slice = slice;
    handle_.resume();                       // runs until the next co_yield or the end
    if (promise.error) std::rethrow_exception(std::exchange(promise.error, nullptr));
}

// ---- the generator ---------------------------------------------------------------

// `name` is taken by value: the frame keeps its own copy, so the caller's
// string may die before the task does. `log` is a reference: the caller
// promises it outlives the task.
Task countdown(std::string name, int need, std::ostream& log) {
    for (;;) {
        const int slice = co_yield need;    // the first resume stops here: need reported
        need -= slice;
        log << name << " need: " << std::max(need, 0) << '\n';
        if (need <= 0) {
            log << name << " finished\n";
            co_return;
        }
    }
}

// ---- the scheduler ---------------------------------------------------------------

namespace {
struct Waiting {
    Task task;
    int slice = 0;                          // fixed on the first turn
    bool started = false;
};
}  // namespace

std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log) {
    std::deque<Waiting> queue;              // FIFO: pop at the front, append at the back
    for (Task& t : tasks) queue.push_back(Waiting{std::move(t)});
    tasks.clear();

    std::vector<std::string> finished;
    while (!queue.empty()) {
        // Take the task out of the queue; if resume() throws, `turn` and the
        // queue are destroyed while the exception unwinds: no frame leaks.
        Waiting turn = std::move(queue.front());
        queue.pop_front();

        if (!turn.started) {
            turn.started = true;
            turn.task.resume(0);            // first resume: the task reports its need
            if (!turn.task.done()) {
                const int need = turn.task.remaining();
                turn.slice = std::max(1, static_cast<int>(std::floor(need * share)));
                log << turn.task.name() << " need: " << need << " slice: " << turn.slice << '\n';
            }
        } else {
            turn.task.resume(turn.slice);
        }

        if (turn.task.done())
            finished.push_back(turn.task.name());   // the frame dies with `turn`
        else
            queue.push_back(std::move(turn));
    }
    log << "All finished!\n";
    return finished;
}

}  // namespace round_robin
