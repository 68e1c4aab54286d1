// `conclab batch`: a folder of submissions (one subdirectory per student) into
// a gradebook (batch.hpp, gradebook.hpp).
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
#include "conclab/report_html.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "conclab/config.hpp"
#include "conclab/files.hpp"
#include "conclab/grade.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/report.hpp"
#include "conclab/score.hpp"

namespace fs = std::filesystem;

namespace conclab {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- signals

std::atomic<int> g_interrupts{0};

extern "C" void on_interrupt(int sig) {
    int n = g_interrupts.fetch_add(1) + 1;
    if (n == 1) {
        const char msg[] =
            "\nconclab batch: stopping — no new submissions; the running ones are abandoned (graded again next "
            "time). Ctrl-C again to quit now.\n";
        ssize_t w = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
    } else {
        ::signal(sig, SIG_DFL);
        ::raise(sig);
    }
}

struct SignalScope {
    struct sigaction old_int {}, old_term {};
    SignalScope() {
        g_interrupts = 0;
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }
    ~SignalScope() {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
    }
};

bool stopping() { return g_interrupts.load() > 0; }

// Thrown from GradeOptions::progress to abandon a grading after an interrupt.
// Not a std::exception, so the engine's catch blocks let it through (and its
// RAII guards remove the scratch directories on the way out).
struct Cancelled {};

// ---------------------------------------------------------------- helpers

struct Student {
    std::string id;
    fs::path dir;    // the submission root (laid out like the handout)
    std::string hash;
};

// A student folder is the submission itself, or (as unpacked archives often
// are) holds exactly one folder that is.
fs::path submission_root(const fs::path& dir) {
    if (fs::is_directory(dir / "exercises")) return dir;
    std::vector<fs::path> subs;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (name.empty() || name[0] == '.' || name == "__MACOSX") continue;
        if (e.is_directory() && !e.is_symlink()) subs.push_back(e.path());
        else if (e.is_regular_file()) return dir;   // loose files here: take the folder as it is
    }
    if (subs.size() == 1 && fs::is_directory(subs[0] / "exercises")) return subs[0];
    return dir;
}

// What decides whether a submission must be graded again: the exercises asked
// for and the content of each of their editable files, read exactly as the
// grader reads them (Submission::file).
std::string content_hash(const std::vector<const Exercise*>& exercises, const Submission& sub) {
    Sha256 h;
    h.update("conclab-submission-v1\n");
    for (auto* ex : exercises) {
        h.update("exercise\n" + ex->name + "\n");
        for (auto& name : ex->files) {
            auto file = sub.file(*ex, name);
            if (!file) {
                h.update("missing " + name + "\n");
                continue;
            }
            auto text = read_file(*file);
            h.update("file " + name + " " + std::to_string(text.size()) + "\n");
            h.update(text);
        }
    }
    return h.hex();
}

void write_atomic(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ostringstream tid;
    tid << std::this_thread::get_id();
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid()) + "." + tid.str();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(err));
        }
        off += std::size_t(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(err));
    }
}

// Every selected test in `error`: what results.json says when the grader
// failed on a submission.
SubmissionResult error_result(const std::vector<const Exercise*>& exercises, const std::string& id,
                              const std::string& why) {
    SubmissionResult r;
    r.submission = id;
    r.grader_version = config::version;
    for (auto* ex : exercises) {
        ExerciseResult er;
        er.name = ex->name;
        er.message = why;
        for (auto& t : ex->tests) {
            TestResult tr;
            tr.name = t.name;
            tr.max_score = t.points;
            tr.status = Status::error;
            tr.message = why;
            tr.hidden = t.hidden;
            tr.hint = t.hint;
            er.tests.push_back(tr);
        }
        score_exercise(er);
        r.exercises.push_back(er);
    }
    score_submission(r);
    return r;
}

std::string fmt_num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", std::isfinite(v) ? v : 0.0);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

std::string fmt_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

// Holds DIR/.conclab-batch.lock: two batches writing one gradebook would
// grade the same students twice.
class DirLock {
public:
    explicit DirLock(const fs::path& dir) {
        auto path = dir / ".conclab-batch.lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw std::runtime_error("another `conclab batch` is writing to " + dir.string());
        }
    }
    ~DirLock() {
        if (fd_ >= 0) ::close(fd_);
    }

private:
    int fd_ = -1;
};

// ---------------------------------------------------------------- progress

class Progress {
public:
    Progress(std::size_t total, bool live) : total_(total), live_(live), start_(Clock::now()) {}

    void started(const std::string& id) {
        std::lock_guard lock(mu_);
        running_.insert(id);
        draw_locked();
    }

    void finished(const std::string& id, const std::string& line, bool below_full, bool error, bool abandoned) {
        std::lock_guard lock(mu_);
        running_.erase(id);
        std::string prefix = "  ";
        if (!abandoned) {
            ++done_;
            below_full_ += below_full;
            errors_ += error;
            int w = int(std::to_string(total_).size());
            char buf[64];
            std::snprintf(buf, sizeof buf, "[%*zu/%zu] ", w, done_, total_);
            prefix = buf;
        }
        clear_locked();
        std::cout << prefix << line << "\n";
        draw_locked();
        std::cout.flush();
    }

    void tick() {
        std::lock_guard lock(mu_);
        draw_locked();
    }

    void close() {
        std::lock_guard lock(mu_);
        clear_locked();
        std::cout.flush();
    }

    std::size_t done() const {
        std::lock_guard lock(mu_);
        return done_;
    }
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

private:
    void clear_locked() {
        if (live_ && drawn_) {
            std::cout << "\r\033[K";
            drawn_ = false;
        }
    }
    void draw_locked() {
        if (!live_) return;
        double secs = elapsed();
        double rate = secs > 0 ? double(done_) / (secs / 60.0) : 0;
        std::string eta = done_ > 0 && rate > 0 ? fmt_duration(double(total_ - done_) / rate * 60.0) : "?";
        char r[32] = "?";
        if (done_ > 0) std::snprintf(r, sizeof r, "%.1f", rate);
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "%zu/%zu done  %s elapsed  %s/min  ETA %s  below full marks %zu  grader errors %zu  running %zu",
                      done_, total_, fmt_duration(secs).c_str(), r, eta.c_str(), below_full_, errors_, running_.size());
        std::string line = buf;
        if (stopping()) line += "  (stopping)";
        std::cout << "\r\033[K" << line;
        std::cout.flush();
        drawn_ = true;
    }

    mutable std::mutex mu_;
    std::size_t total_;
    bool live_;
    Clock::time_point start_;
    std::size_t done_ = 0, below_full_ = 0, errors_ = 0;
    std::set<std::string> running_;
    bool drawn_ = false;
};

void print_summary(const Gradebook& gb, std::ostream& out) {
    auto s = gb.summary(8);
    out << "\nSummary of the gradebook: " << s.submissions << " submissions, " << s.graded << " graded, " << s.errors
        << " with grader errors\n";
    if (s.graded > 0) {
        std::size_t w = 5;
        for (auto& e : s.exercises) w = std::max(w, e.name.size());
        auto pad = [&](const std::string& n) { return n + std::string(w - std::min(w, n.size()), ' '); };
        out << "  " << pad("total") << "  mean " << fmt_num(s.mean_total) << " / " << fmt_num(s.max_total)
            << "  median " << fmt_num(s.median_total) << "\n";
        for (auto& e : s.exercises)
            out << "  " << pad(e.name) << "  mean " << fmt_num(e.mean) << " / " << fmt_num(e.max_score) << "  median "
                << fmt_num(e.median) << "  full marks " << e.full << "/" << e.graded << "\n";
    }
    if (!s.most_failed.empty()) {
        out << "  most often failed:\n";
        for (auto& [test, n] : s.most_failed) out << "    " << test << "  (" << n << " submissions)\n";
    }
    auto list = [&](const char* title, const std::vector<std::pair<std::string, std::string>>& items) {
        if (items.empty()) return;
        out << "  " << title << ":\n";
        std::size_t shown = 0;
        for (auto& [student, what] : items) {
            if (++shown > 20) {
                out << "    … and " << (items.size() - 20) << " more\n";
                break;
            }
            out << "    " << student << ": " << what.substr(0, 200) << "\n";
        }
    };
    list("hit a limit (timeout) or crashed", s.limits);
    list("grader errors (a re-run grades them again)", s.errors_by_student);
    list("FLAGGED for review: tampered with the grader's evidence (see gradebook.sqlite, tests.evidence)", s.flagged);
}

}  // namespace

// ---------------------------------------------------------------- run_batch

int run_batch(const Course& course, const Toolchain& tc, const BatchOptions& opt) {
    if (!fs::is_directory(opt.submissions))
        throw std::runtime_error("not a directory: " + opt.submissions.string());
    fs::create_directories(opt.out);
    DirLock lock(opt.out);

    std::vector<const Exercise*> exercises;
    for (auto& ex : course.exercises)
        if (opt.exercises.empty() || std::find(opt.exercises.begin(), opt.exercises.end(), ex.name) != opt.exercises.end())
            exercises.push_back(&ex);
    for (auto& name : opt.exercises)
        if (!course.find(name)) throw std::runtime_error("no exercise named '" + name + "'");

    // one subdirectory per student, sorted; never the output folder itself
    std::vector<Student> students;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(opt.submissions)) {
        if (!e.is_directory()) continue;
        auto id = e.path().filename().string();
        if (id.empty() || id[0] == '.') continue;
        if (fs::equivalent(e.path(), opt.out, ec)) continue;
        students.push_back({id, e.path(), ""});
    }
    std::sort(students.begin(), students.end(), [](auto& a, auto& b) { return a.id < b.id; });

    Gradebook gb(opt.out);
    std::vector<Student> todo;
    std::size_t skipped = 0;
    for (auto& s : students) {
        Submission sub = Submission::handout(submission_root(s.dir), s.id);
        s.hash = content_hash(exercises, sub);
        bool graded = gb.is_graded(s.id, s.hash) && fs::exists(opt.out / s.id / "results.json");
        if (graded && !opt.regrade) ++skipped;
        else todo.push_back(s);
    }

    std::size_t jobs = opt.jobs > 0 ? std::size_t(opt.jobs) : std::max(1u, std::thread::hardware_concurrency());
    jobs = std::max<std::size_t>(1, std::min(jobs, std::max<std::size_t>(todo.size(), 1)));

    std::cout << "conclab batch: " << students.size() << " submissions in " << opt.submissions.string() << "; "
              << skipped << " already graded (unchanged), " << todo.size() << " to grade";
    if (!todo.empty()) std::cout << " with " << jobs << " in parallel";
    std::cout << std::endl;

    std::string command = "conclab batch " + opt.submissions.string() + " --out " + opt.out.string() +
                          " --jobs " + std::to_string(jobs);
    for (auto& e : opt.exercises) command += " --exercise " + e;
    if (opt.regrade) command += " --regrade";
    auto run = gb.begin_run(config::version, command);

    std::vector<std::string> order;
    for (auto& ex : course.exercises) order.push_back(ex.name);

    if (todo.empty()) {
        gb.export_csv(Gradebook::csv_path(opt.out), order);
        std::cout << "dashboard: " << write_dashboard(opt.out, order).string() << "\n";
        gb.end_run(run, "finished");
        print_summary(gb, std::cout);
        std::cout << "gradebook: " << Gradebook::csv_path(opt.out).string() << "\n";
        bool errors = false;
        for (auto& s : students) {
            auto e = gb.entry(s.id);
            errors |= e && e->status != "graded";
        }
        return errors ? 2 : 0;
    }

    auto runner = make_runner(opt.tier);
    if (!runner->isolated())
        std::cout << "WARNING: not isolated: student code runs with this user's rights\n";
    std::cout.flush();
    {
        fs::path scratch = fs::temp_directory_path() / ("conclab-batch-canary-" + std::to_string(::getpid()));
        fs::create_directories(scratch);
        std::string problem;
        try {
            problem = run_canary(*runner, tc, scratch);
        } catch (const std::exception& e) {
            problem = e.what();
        }
        fs::remove_all(scratch, ec);
        if (!problem.empty()) {
            std::cerr << "conclab batch: cannot grade on this machine: " << problem << "\n";
            gb.end_run(run, "failed");
            return 2;
        }
    }

    SignalScope signals;
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
            SubmissionResult r;
            std::string failure;
            try {
                GradeOptions go;
                go.exercises = opt.exercises;
                go.progress = [](const std::string&) {
                    if (stopping()) throw Cancelled{};
                };
                r = grade_submission(course, Submission::handout(submission_root(s.dir), s.id), *runner, tc, go);
                r.submission = s.id;
            } catch (const Cancelled&) {
                failure = "cancelled";
            } catch (const std::exception& e) {
                failure = std::string("the grader failed on this submission: ") + e.what();
            } catch (...) {
                failure = "the grader failed on this submission (unknown exception)";
            }
            double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            char took[32];
            std::snprintf(took, sizeof took, "%.1f s", secs);
            if (stopping()) {
                ++abandoned;
                progress.finished(s.id, s.id + ": abandoned (interrupted); graded again next run", false, false, true);
                continue;
            }
            std::string line;
            bool error = false, below = false;
            try {
                if (!failure.empty()) {
                    SubmissionResult er = error_result(exercises, s.id, failure);
                    write_atomic(opt.out / s.id / "results.json", to_json(er));
                    gb.record_error(run, s.id, s.hash, failure, config::version);
                    error = true;
                    line = s.id + ": ERROR " + failure;
                } else {
                    write_atomic(opt.out / s.id / "results.json", to_json(r));
                    gb.record(run, s.id, s.hash, r);
                    error = any_status(r, Status::error);
                    below = r.score < r.max_score;
                    line = s.id + ": " + fmt_num(r.score) + " / " + fmt_num(r.max_score);
                    if (error) line += "  (grader errors: graded again next run)";
                    else if (any_status(r, Status::timeout)) line += "  (timeout)";
                }
            } catch (const std::exception& e) {
                error = true;
                line = s.id + ": ERROR cannot store the result: " + e.what();
            }
            if (error) ++errors;
            progress.finished(s.id, line + "  (" + took + ")", below, error, false);
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

    bool interrupted = stopping();
    double secs = progress.elapsed();
    std::size_t graded_now = progress.done();
    gb.export_csv(Gradebook::csv_path(opt.out), order);
    std::cout << "dashboard: " << write_dashboard(opt.out, order).string() << "\n";
    gb.end_run(run, interrupted ? "interrupted" : "finished");

    char rate[64];
    std::snprintf(rate, sizeof rate, "%.1f", secs > 0 ? double(graded_now) / (secs / 60.0) : 0.0);
    std::cout << "graded " << graded_now << " submissions in " << fmt_duration(secs) << " (" << rate
              << " submissions/minute)";
    if (errors) std::cout << ", " << errors << " with grader errors";
    std::cout << "\n";
    if (interrupted) {
        std::size_t left = todo.size() - graded_now;
        std::cout << "interrupted: " << left << " submissions not graded (" << abandoned
                  << " abandoned while running); run the same command again to grade them\n";
    }
    print_summary(gb, std::cout);
    std::cout << "gradebook: " << Gradebook::csv_path(opt.out).string() << ", "
              << Gradebook::database_path(opt.out).string() << ", " << (opt.out / "<student>" / "results.json").string()
              << "\n";
    if (interrupted) return 130;
    bool any_error = false;
    for (auto& s : students) {
        auto e = gb.entry(s.id);
        any_error |= !e || e->status != "graded";
    }
    return any_error ? 2 : 0;
}

}  // namespace conclab
