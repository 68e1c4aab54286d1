// `conclab batch`: a folder of submissions (one subdirectory per student) into
// a gradebook (batch.hpp, gradebook.hpp). This file is the local backend (a
// pool of threads on this machine) and the dispatch to the Slurm backend
// (slurm.cpp); what both share is in batch_support.cpp.
//
// Resumable: each submission's editable files are hashed; a student already
// graded with the same hash is skipped unless --regrade. Crash-safe: each
// student is written as DIR/<student>/results.json (tmp + rename) and then as
// one SQLite transaction, so a kill at any moment loses nothing already graded.
// SIGINT/SIGTERM: no new submission is started; the ones running are
// abandoned at their next step (between tests) and nothing of them is stored (a
// terminal's Ctrl-C also reaches the compilers they run, so their results could
// not be trusted anyway); a re-run grades them. A second Ctrl-C quits at once.
#include <cstdint>

#include "conclab/batch.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

#include "conclab/batch_support.hpp"
#include "conclab/grade.hpp"
#include "conclab/config.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/machine_check.hpp"

namespace fs = std::filesystem;

namespace conclab {

using namespace batch_support;
using Clock = std::chrono::steady_clock;

int run_batch(const Course& course, const Toolchain& tc, const BatchOptions& opt) {
    if (opt.backend == Backend::slurm) return run_batch_slurm(course, tc, opt);
    if (!fs::is_directory(opt.submissions))
        throw std::runtime_error("not a directory: " + opt.submissions.string());
    fs::create_directories(opt.out);
    DirLock lock(opt.out);

    Gradebook gb(opt.out);
    Plan plan = make_plan(course, opt, gb);
    const auto& todo = plan.todo;

    std::size_t jobs = opt.jobs > 0 ? std::size_t(opt.jobs) : std::max(1u, std::thread::hardware_concurrency());
    jobs = std::max<std::size_t>(1, std::min(jobs, std::max<std::size_t>(todo.size(), 1)));
    // Submissions and their tests share one budget of cores: with a core per
    // submission its tests run one after another, with fewer submissions
    // than cores they share the rest (docs/design.md, "Concurrent tests").
    const int test_jobs = std::max(1, default_test_jobs() / static_cast<int>(jobs));

    std::cout << "conclab batch: " << plan.students.size() << " submissions in " << opt.submissions.string() << "; "
              << plan.skipped << " already graded (unchanged), " << todo.size() << " to grade";
    if (!todo.empty()) std::cout << " with " << jobs << " in parallel";
    std::cout << std::endl;

    std::string command = "conclab batch " + opt.submissions.string() + " --out " + opt.out.string() +
                          " --jobs " + std::to_string(jobs);
    for (auto& e : opt.exercises) command += " --exercise " + e;
    if (opt.regrade) command += " --regrade";
    auto run = gb.begin_run(config::version, command);
    const std::string node = hostname();

    if (todo.empty()) {
        Progress none(0, false);
        return finish(gb, run, plan, opt, none, false, 0, 0);
    }

    auto runner = make_runner(opt.tier);
    if (!runner->isolated())
        std::cout << "WARNING: not isolated: student code runs with this user's rights\n";
    std::cout.flush();
    if (std::string problem = check_machine(*runner, tc); !problem.empty()) {
        std::cerr << "conclab batch: cannot grade on this machine: " << problem << "\n";
        gb.end_run(run, "failed");
        return 2;
    }

    std::stop_source stop;   // requested by the first Ctrl-C: the running gradings end at their next step
    SignalScope signals(
        "\nconclab batch: stopping — no new submissions; the running ones are abandoned (graded again next "
        "time). Ctrl-C again to quit now.\n",
        stop);
    bool live = ::isatty(STDOUT_FILENO) && !std::getenv("CI");
    Progress progress(todo.size(), live);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> errors{0}, abandoned{0};
    std::mutex done_mu;
    std::condition_variable done_cv;
    std::size_t workers_left = jobs;

    auto worker = [&] {
        for (;;) {
            if (stopping()) break;
            std::size_t i = next.fetch_add(1);
            if (i >= todo.size()) break;
            const Student& s = todo[i];
            progress.started(s.id);
            auto t0 = Clock::now();
            auto [r, failure] = grade_student(course, s, *runner, tc, test_jobs, opt.exercises, stop.get_token());
            double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            char took[32];
            std::snprintf(took, sizeof took, "%.1f s", secs);
            if (stopping()) {
                ++abandoned;
                progress.finished(s.id, s.id + ": abandoned (interrupted); graded again next run", false, false, true);
                continue;
            }
            Stored st = store(gb, run, opt.out, s, r, failure, plan.exercises, node);
            if (st.error) ++errors;
            progress.finished(s.id, st.line + "  (" + took + ")", st.below_full, st.error, false);
        }
        std::lock_guard lock(done_mu);
        if (--workers_left == 0) done_cv.notify_all();
    };

    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (std::size_t k = 0; k < jobs; ++k) threads.emplace_back(worker);
    {
        std::unique_lock lock(done_mu);
        while (workers_left > 0) {
            done_cv.wait_for(lock, std::chrono::seconds(1));
            lock.unlock();
            progress.tick();
            lock.lock();
        }
    }
    for (auto& t : threads) t.join();
    progress.close();
    return finish(gb, run, plan, opt, progress, stopping(), errors, abandoned);
}

}  // namespace conclab
