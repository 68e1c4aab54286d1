// round_robin: generator tasks and a round-robin scheduler with C++20 coroutines.
//
// A correct solution unlike the reference: the promise rethrows an escaping
// exception straight out of resume() instead of parking it, and the scheduler
// is a ring of std::list nodes walked by an iterator (round_robin.cpp).
#pragma once

#include <coroutine>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

namespace round_robin {

// A Task owns one coroutine frame. The coroutine talks to its owner through
// the promise that lives inside that frame:
//   - `int slice = co_yield need;` stores `need` in the promise (remaining()),
//     suspends, and when resume(s) is called later evaluates to s;
//   - an exception escaping the coroutine body leaves resume() directly
//     (unhandled_exception rethrows it);
//   - the frame is created suspended (nothing runs before the first resume)
//     and stays alive at its end (final_suspend suspends), so done() can be
//     asked and ~Task is the one and only place that frees it.
class Task {
public:
    struct promise_type;
    using handle_type = std::coroutine_handle<promise_type>;

    Task(Task&& other) noexcept;
    Task& operator=(Task&& other) noexcept;
    Task(const Task&) = delete;             // two owners of one frame = double destroy
    Task& operator=(const Task&) = delete;
    ~Task();                                // destroys the frame, finished or not

    const std::string& name() const;
    bool done() const noexcept;
    int remaining() const;                  // the last value it yielded
    void resume(int slice);                 // one step; rethrows the task's exception

private:
    explicit Task(handle_type handle) noexcept : handle_(handle) {}
    handle_type handle_;                    // null once moved from
};

struct Task::promise_type {
    std::string name;
    int value = 0;
    int slice = 0;

    promise_type() = default;
    promise_type(const std::string& task_name, int, std::ostream&) : name(task_name) {}

    Task get_return_object() noexcept { return Task{handle_type::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }

    // The yielded value goes through the awaiter, which reads the slice back.
    struct yield_awaiter {
        promise_type* promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        int await_resume() const noexcept { return promise->slice; }
    };
    yield_awaiter yield_value(int v) noexcept {
        value = v;
        return yield_awaiter{this};
    }
    void return_void() noexcept {}

    // Rethrown at once: the exception leaves handle.resume() in Task::resume,
    // and the coroutine counts as suspended at its final suspend point
    // (C++20 [dcl.fct.def.coroutine]), so done() is true and ~Task destroys
    // the frame as usual. No exception_ptr is stored.
    void unhandled_exception() { throw; }
};

// starts suspended; its first resume only reports `need` (slice ignored);
// each later resume with slice s: need -= s, then logs "<name> need: <max(need,0)>",
// and when need <= 0 logs "<name> finished" and completes
Task countdown(std::string name, int need, std::ostream& log);

// FIFO queue; on a task's first turn its slice is fixed at max(1, floor(need * share))
// and "<name> need: <need> slice: <slice>" is logged; each later turn resumes it with
// that slice; a finished task leaves the queue; logs "All finished!" last.
// Returns the names in the order they finished.
std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log);

}  // namespace round_robin
