// round_robin: generator tasks and a round-robin scheduler with C++20 coroutines.
//
// Reference solution. The public API (everything the statement names) is fixed; the
// private members and the promise_type's insides are one way to fill it in.
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
//   - an exception escaping the coroutine body is parked in the promise and
//     rethrown by resume() in the caller;
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
    std::string name;                       // empty for coroutines that are not countdown()
    int value = 0;                          // last co_yield-ed value
    int slice = 0;                          // what the next resume() hands in
    std::exception_ptr error;               // an exception that escaped the body

    // The compiler first tries to build the promise from the coroutine's own
    // arguments; countdown(name, need, log) matches this constructor, so the
    // task learns its name. Any other coroutine returning Task gets the
    // default constructor.
    promise_type() = default;
    promise_type(const std::string& task_name, int, std::ostream&) : name(task_name) {}

    Task get_return_object() noexcept { return Task{handle_type::from_promise(*this)}; }

    // Lazy start: like a Python generator, calling countdown() runs nothing.
    std::suspend_always initial_suspend() noexcept { return {}; }

    // Stay suspended at the end: the frame is freed by ~Task, never by itself
    // (suspend_never here plus destroy() in ~Task would free it twice).
    std::suspend_always final_suspend() noexcept { return {}; }

    // co_yield v: remember v, suspend, and on resumption produce the slice.
    struct yield_awaiter {
        promise_type& promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        int await_resume() const noexcept { return promise.slice; }
    };
    yield_awaiter yield_value(int v) noexcept {
        value = v;
        return yield_awaiter{*this};
    }

    void return_void() noexcept {}

    // Not rethrown here: store it, let the coroutine reach final_suspend, and
    // rethrow from resume() where the caller can catch it.
    void unhandled_exception() noexcept { error = std::current_exception(); }
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
