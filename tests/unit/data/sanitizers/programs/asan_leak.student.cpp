#include <coroutine>
#include <string>

namespace round_robin {

struct Task {
    struct promise_type {
        std::string name;
        Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() {}
    };
    std::coroutine_handle<promise_type> h;
    ~Task() {}        // forgets h.destroy()
};

Task countdown(std::string name, int need) {
    while (need > 0) { need -= 1; co_await std::suspend_always{}; }
}

void make_tasks(int n) {
    for (int i = 0; i < n; ++i) {
        Task t = countdown("Task" + std::to_string(i) + " with a name long enough for the heap", 3);
        t.h.resume();
    }
}

}  // namespace round_robin
