#include <coroutine>
#include <utility>

namespace round_robin {

struct Task {
    struct promise_type {
        Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() {}
    };
    std::coroutine_handle<promise_type> h;
    ~Task() { if (h) h.destroy(); }
};

Task countdown() { co_return; }

void run_twice() {
    Task a = countdown();
    Task b{a.h};      // copied handle: both destroy the frame
}

}  // namespace round_robin
