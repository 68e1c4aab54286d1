// pool_copy — copying a folder with a fixed-size pool of worker threads.
// Reference solution.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pool_copy {

// A fixed set of worker threads, started once in the constructor and reused
// for every task: the C++ counterpart of Python's multiprocessing.Pool.
class WorkerPool {
public:
    explicit WorkerPool(std::size_t workers);   // 0 -> std::invalid_argument; a worker that cannot
                                                // start: stop + join the others, rethrow std::system_error
    ~WorkerPool();                              // close() then join()
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Like apply_async: queue the task and return at once. The future becomes
    // ready when a worker has run the task; if the task threw, get() rethrows
    // that exception. After close(): std::logic_error.
    std::future<void> submit(std::function<void()> task);
    void close();               // accept no more tasks (queued ones still run)
    void join();                // wait for every task and worker; close() first, else std::logic_error
    std::size_t size() const noexcept;

private:
    void worker_loop();

    std::mutex mutex_;                                // guards queue_ and closed_
    std::condition_variable wake_;                    // "a task is queued, or the pool closed"
    std::deque<std::packaged_task<void()>> queue_;    // tasks not started yet
    bool closed_ = false;
    std::vector<std::thread> threads_;                // only touched by the owner's thread
};

struct CopyReport {
    std::size_t files_copied = 0;
    std::uintmax_t bytes_copied = 0;
    std::vector<std::string> errors;            // "relative/path: reason", one per failed file
};

// Copy every directory and regular file under src into dst (created if
// missing), one pool task per file, at most `workers` copies at once; a file
// that fails is reported and the others still copy.
CopyReport copy_tree(const std::filesystem::path& src,
                     const std::filesystem::path& dst, std::size_t workers);

}  // namespace pool_copy
