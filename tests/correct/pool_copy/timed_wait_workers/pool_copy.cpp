// pool_copy — reference solution.
//
// WorkerPool is the textbook design: one mutex guards a queue of
// std::packaged_task and a "closed" flag; one condition variable wakes idle
// workers. packaged_task does the apply_async part for free: it stores the
// task's exception (or its normal completion) in the shared state of the
// future that submit() returned.
#include "pool_copy.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace pool_copy {

namespace fs = std::filesystem;

WorkerPool::WorkerPool(std::size_t workers) {
    if (workers == 0) throw std::invalid_argument("WorkerPool needs at least one worker");
    threads_.reserve(workers);
    // Exactly `workers` threads, started once; they live until join().
    try {
        for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { worker_loop(); });
    } catch (...) {
        // A thread that cannot start (std::system_error: the system is out of
        // threads). ~WorkerPool() does not run when the constructor throws, and
        // destroying threads_ while it holds joinable threads would call
        // std::terminate: stop and join the workers already started here.
        close();
        join();
        throw;
    }
}

WorkerPool::~WorkerPool() {
    // Like leaving a `with Pool(...)` block after close()/join(): every task
    // already submitted still runs, nothing is dropped, nothing is left running.
    close();
    join();   // cannot throw: the pool is closed
}

std::future<void> WorkerPool::submit(std::function<void()> task) {
    std::packaged_task<void()> job(std::move(task));
    std::future<void> done = job.get_future();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (closed_) throw std::logic_error("WorkerPool::submit after close()");
        queue_.push_back(std::move(job));
    }
    // Notify after unlocking: the woken worker does not block on the mutex at once.
    // The queue changed under the lock, so no waiting worker can miss this task.
    wake_.notify_one();
    return done;
}

void WorkerPool::close() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
    }
    // Every idle worker must wake up and see `closed_`, not just one of them.
    wake_.notify_all();
}

void WorkerPool::join() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!closed_) throw std::logic_error("WorkerPool::join before close()");
    }
    // A worker only returns once the pool is closed AND the queue is empty, so
    // when the last thread is joined every task has run. std::thread::join also
    // makes everything the tasks wrote visible to the caller.
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

std::size_t WorkerPool::size() const noexcept { return threads_.size(); }

void WorkerPool::worker_loop() {
    for (;;) {
        std::packaged_task<void()> job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            // The predicate form re-checks after every wake-up (spurious or not),
            // and the check and the wait are atomic under the mutex: no lost wake-up.
            // Correct, if unusual: a timed wait in a loop. Woken at once by
            // notify; otherwise it looks again every 50 ms, which costs
            // nothing measurable.
            while (!wake_.wait_for(lock, std::chrono::milliseconds(50), [this] { return closed_ || !queue_.empty(); })) {
            }
            if (queue_.empty()) return;          // closed and nothing left to do
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        // Run the task WITHOUT the lock, or the workers would run one at a time.
        // packaged_task never lets the task's exception escape: it goes to the future.
        job();
    }
}

namespace {

// What one copy task leaves behind; read by copy_tree only after the task's
// future is ready, which orders the worker's writes before the read.
struct FileJob {
    std::string relative;        // "dir/name", '/' separated, relative to src
    std::uintmax_t bytes = 0;
    std::future<void> done;
};

std::string reason(const std::exception& e) {
    if (auto* fe = dynamic_cast<const fs::filesystem_error*>(&e)) return fe->code().message();
    return e.what();
}

}  // namespace

CopyReport copy_tree(const fs::path& src, const fs::path& dst, std::size_t workers) {
    // Declared before the pool so that it outlives it: if the walk throws, the
    // pool's destructor still runs queued tasks, and they write into `jobs`.
    // std::deque never moves its elements, so a task can keep a pointer to its job.
    std::deque<FileJob> jobs;
    WorkerPool pool(workers);   // throws std::invalid_argument for 0, before touching anything
    if (!fs::is_directory(src))
        throw fs::filesystem_error("copy_tree: source is not a directory", src,
                                   std::make_error_code(std::errc::not_a_directory));
    fs::create_directories(dst);

    // Pre-order walk: a directory is always seen (and created) before its contents.
    for (const auto& entry : fs::recursive_directory_iterator(src)) {
        const fs::path rel = entry.path().lexically_relative(src);
        const fs::path target = dst / rel;
        if (entry.is_directory()) {
            fs::create_directories(target);   // empty directories are copied too
        } else if (entry.is_regular_file()) {
            FileJob& job = jobs.emplace_back();
            job.relative = rel.generic_string();
            job.done = pool.submit([from = entry.path(), target, &job] {
                // Byte for byte, any size: the library loops until the whole file
                // is copied. Throws std::filesystem::filesystem_error on failure.
                fs::copy_file(from, target, fs::copy_options::overwrite_existing);
                job.bytes = fs::file_size(target);
            });
        }
        // Anything else (sockets, fifos, devices) is not a regular file: skipped.
    }
    pool.close();
    pool.join();

    CopyReport report;
    for (auto& job : jobs) {
        try {
            job.done.get();              // rethrows the copy's exception, if any
            ++report.files_copied;
            report.bytes_copied += job.bytes;
        } catch (const std::exception& e) {
            // One failed file is reported; the others were copied all the same.
            report.errors.push_back(job.relative + ": " + reason(e));
        }
    }
    return report;
}

}  // namespace pool_copy
