// round_robin: generator tasks and a round-robin scheduler with C++20 coroutines.
//
// This is a first, naive translation of the seed's Python generators. It
// compiles and runs, but `make check EX=round_robin` shows that it gets a lot
// wrong: read README.md, then fix this file and round_robin.cpp.
//
// The public API below (the names and signatures of Task's public members,
// countdown and run_round_robin) is fixed: the grader compiles against it.
// You may add private members, helpers and includes, and you decide what goes
// inside promise_type.
#pragma once

#include <coroutine>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

namespace round_robin {

class Task {                    // a coroutine: co_yield <remaining need>, resumed with a slice
public:
    struct promise_type;        // defined below

    Task(Task&&) noexcept;
    Task& operator=(Task&&) noexcept;
    ~Task();                    // destroys the frame
    const std::string& name() const;
    bool done() const noexcept;
    int remaining() const;      // the last value it yielded
    void resume(int slice);     // one step; an exception thrown inside the task is rethrown here

private:
    using handle_type = std::coroutine_handle<promise_type>;
    explicit Task(handle_type handle) noexcept : handle_(handle) {}
    handle_type handle_;
};

// The promise lives inside the coroutine frame; the compiler calls its
// members at fixed points of the coroutine's life (see README.md).
struct Task::promise_type {
    std::string name;           // set from countdown's first argument
    int value = 0;              // the last co_yield-ed value
    int slice = 0;              // what the next resume() hands in

    promise_type() = default;   // any other coroutine returning Task
    promise_type(const std::string& task_name, int, std::ostream&) : name(task_name) {}   // countdown

    Task get_return_object() noexcept { return Task{handle_type::from_promise(*this)}; }

    // Should the body run as soon as countdown() is called?
    std::suspend_never initial_suspend() noexcept { return {}; }

    std::suspend_always final_suspend() noexcept { return {}; }

    // `int slice = co_yield need;` stores need, suspends, and on resumption
    // evaluates to the slice that resume() stored in the promise.
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

    // Called when an exception escapes the coroutine body. Where does it go now?
    void unhandled_exception() noexcept {}
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
