// What the local and the Slurm batch backends share (batch_support.hpp).
#include <cstdint>

#include "conclab/batch_support.hpp"
#include "conclab/report_html.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <system_error>
#include <thread>

#include "conclab/config.hpp"
#include "conclab/files.hpp"
#include "conclab/grade.hpp"
#include "conclab/report.hpp"
#include "conclab/score.hpp"

namespace fs = std::filesystem;

namespace conclab::batch_support {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- signals

namespace {
std::atomic<int> g_interrupts{0};
const char* g_message = "";
std::atomic<int> g_wake_fd{-1};   // the scope's pipe: a byte here wakes its watcher

extern "C" void on_interrupt(int sig) {
    int n = g_interrupts.fetch_add(1) + 1;
    if (n == 1) {
        ssize_t w = ::write(STDERR_FILENO, g_message, std::strlen(g_message));
        (void)w;
        if (int fd = g_wake_fd.load(); fd >= 0) {
            w = ::write(fd, "!", 1);
            (void)w;
        }
    } else {
        ::signal(sig, SIG_DFL);
        ::raise(sig);
    }
}
}  // namespace

struct SignalScope::Saved {
    struct sigaction old_int {}, old_term {};
    int wake[2] = {-1, -1};
    std::thread watcher;   // turns the handler's byte into stop.request_stop()
};

SignalScope::SignalScope(const char* first_message, std::stop_source stop) : saved_(new Saved) {
    g_interrupts = 0;
    g_message = first_message;
    if (stop.stop_possible()) {
        if (::pipe2(saved_->wake, O_CLOEXEC) != 0) {
            int err = errno;
            delete saved_;
            throw std::system_error(err, std::generic_category(), "pipe2");
        }
        saved_->watcher = std::thread([fd = saved_->wake[0], stop]() mutable {
            char c = 0;
            ssize_t n;
            while ((n = ::read(fd, &c, 1)) < 0 && errno == EINTR) {}
            if (n == 1 && c == '!') stop.request_stop();   // else the scope ends
        });
        g_wake_fd = saved_->wake[1];
    }
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &saved_->old_int);
    sigaction(SIGTERM, &sa, &saved_->old_term);
}

SignalScope::~SignalScope() {
    sigaction(SIGINT, &saved_->old_int, nullptr);
    sigaction(SIGTERM, &saved_->old_term, nullptr);
    if (saved_->watcher.joinable()) {
        g_wake_fd = -1;
        ssize_t w = ::write(saved_->wake[1], ".", 1);   // wakes the watcher if no signal did
        (void)w;
        saved_->watcher.join();
        ::close(saved_->wake[0]);
        ::close(saved_->wake[1]);
    }
    delete saved_;
}

bool stopping() { return g_interrupts.load() > 0; }

// ---------------------------------------------------------------- the plan

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

// The exercises asked for and the content of each of their editable files,
// read exactly as the grader reads them (Submission::file).
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

Plan make_plan(const Course& course, const BatchOptions& opt, const Gradebook& gb) {
    Plan p;
    for (auto& ex : course.exercises)
        if (opt.exercises.empty() || std::find(opt.exercises.begin(), opt.exercises.end(), ex.name) != opt.exercises.end())
            p.exercises.push_back(&ex);
    for (auto& name : opt.exercises)
        if (!course.find(name)) throw std::runtime_error("no exercise named '" + name + "'");
    for (auto& ex : course.exercises) p.order.push_back(ex.name);

    // one subdirectory per student, sorted; never the output folder itself
    std::error_code ec;
    for (auto& e : fs::directory_iterator(opt.submissions)) {
        if (!e.is_directory()) continue;
        auto id = e.path().filename().string();
        if (id.empty() || id[0] == '.') continue;
        if (fs::equivalent(e.path(), opt.out, ec)) continue;
        p.students.push_back({id, e.path(), {}, ""});
    }
    std::sort(p.students.begin(), p.students.end(), [](auto& a, auto& b) { return a.id < b.id; });
    for (auto& s : p.students) {
        s.root = submission_root(s.dir);
        s.hash = content_hash(p.exercises, Submission::handout(s.root, s.id));
        bool graded = gb.is_graded(s.id, s.hash) && fs::exists(opt.out / s.id / "results.json");
        if (graded && !opt.regrade) ++p.skipped;
        else p.todo.push_back(s);
    }
    return p;
}

// ---------------------------------------------------------------- storing

Stored store(Gradebook& gb, std::int64_t run, const fs::path& out, const Student& s,
             const std::optional<SubmissionResult>& result, const std::string& failure,
             const std::vector<const Exercise*>& exercises, const std::string& node) {
    Stored st;
    try {
        if (!result) {
            SubmissionResult er = grader_error_result(exercises, s.id, failure);
            write_file_atomic(out / s.id / "results.json", to_json(er));
            gb.record_error(run, s.id, s.hash, failure, config::version, node);
            st.error = true;
            st.line = s.id + ": ERROR " + failure;
        } else {
            const SubmissionResult& r = *result;
            write_file_atomic(out / s.id / "results.json", to_json(r));
            gb.record(run, s.id, s.hash, r, node);
            st.error = any_status(r, Status::error);
            st.below_full = r.score < r.max_score;
            st.line = s.id + ": " + fmt_num(r.score) + " / " + fmt_num(r.max_score);
            if (st.error) st.line += "  (grader errors: graded again next run)";
            else if (any_status(r, Status::timeout)) st.line += "  (timeout)";
        }
    } catch (const std::exception& e) {
        st.error = true;
        st.line = s.id + ": ERROR cannot store the result: " + e.what();
    }
    return st;
}

// ---------------------------------------------------------------- grading

Graded grade_student(const Course& course, const Student& s, Runner& runner, const Toolchain& tc, int test_jobs,
                     const std::vector<std::string>& exercises, std::stop_token stop) {
    Graded g;
    try {
        GradeOptions go;
        go.test_jobs = test_jobs;
        go.waiting_tests_overlap = true;   // the cores went to submissions; waiting tests need none
        go.exercises = exercises;
        go.stop = std::move(stop);
        g.result = grade_submission(course, Submission::handout(s.root, s.id), runner, tc, go);
        g.result->submission = s.id;
    } catch (const std::exception& e) {
        g.failure = std::string("the grader failed on this submission: ") + e.what();
    } catch (...) {
        g.failure = "the grader failed on this submission (unknown exception)";
    }
    return g;
}

// ---------------------------------------------------------------- progress

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

std::string hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

DirLock::DirLock(const fs::path& dir) {
    auto path = dir / ".conclab-batch.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        throw std::runtime_error("another `conclab batch` is writing to " + dir.string());
    }
}

DirLock::~DirLock() {
    if (fd_ >= 0) ::close(fd_);
}

Progress::Progress(std::size_t total, bool live) : total_(total), live_(live), start_(Clock::now()) {}

void Progress::started(const std::string& id) {
    std::lock_guard lock(mu_);
    running_.insert(id);
    draw_locked();
}

void Progress::finished(const std::string& id, const std::string& line, bool below_full, bool error, bool abandoned) {
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

void Progress::queue(std::size_t running, std::size_t pending) {
    std::lock_guard lock(mu_);
    queue_running_ = running;
    queue_pending_ = pending;
    draw_locked();
}

void Progress::tick() {
    std::lock_guard lock(mu_);
    draw_locked();
}

void Progress::close() {
    std::lock_guard lock(mu_);
    clear_locked();
    std::cout.flush();
}

std::size_t Progress::done() const {
    std::lock_guard lock(mu_);
    return done_;
}

double Progress::elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

void Progress::clear_locked() {
    if (live_ && drawn_) {
        std::cout << "\r\033[K";
        drawn_ = false;
    }
}

void Progress::draw_locked() {
    if (!live_) return;
    double secs = elapsed();
    double rate = secs > 0 ? double(done_) / (secs / 60.0) : 0;
    std::string eta = done_ > 0 && rate > 0 ? fmt_duration(double(total_ - done_) / rate * 60.0) : "?";
    char r[32] = "?";
    if (done_ > 0) std::snprintf(r, sizeof r, "%.1f", rate);
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%zu/%zu done  %s elapsed  %s/min  ETA %s  below full marks %zu  grader errors %zu  running %zu",
                  done_, total_, fmt_duration(secs).c_str(), r, eta.c_str(), below_full_, errors_,
                  queue_running_ ? *queue_running_ : running_.size());
    std::string line = buf;
    if (queue_pending_) line += "  pending " + std::to_string(*queue_pending_);
    if (stopping()) line += "  (stopping)";
    std::cout << "\r\033[K" << line;
    std::cout.flush();
    drawn_ = true;
}

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

int finish(Gradebook& gb, std::int64_t run, const Plan& plan, const BatchOptions& opt, const Progress& progress,
           bool interrupted, std::size_t errors, std::size_t abandoned) {
    gb.export_csv(Gradebook::csv_path(opt.out), plan.order);
    // The class dashboard and each student's report.html (docs/reports.md), for both backends.
    std::cout << "dashboard: " << write_dashboard(opt.out, plan.order).string() << "\n";
    gb.end_run(run, interrupted ? "interrupted" : "finished");
    if (plan.todo.empty()) {
        print_summary(gb, std::cout);
        std::cout << "gradebook: " << Gradebook::csv_path(opt.out).string() << "\n";
    } else {
        double secs = progress.elapsed();
        std::size_t graded_now = progress.done();
        char rate[64];
        std::snprintf(rate, sizeof rate, "%.1f", secs > 0 ? double(graded_now) / (secs / 60.0) : 0.0);
        std::cout << "graded " << graded_now << " submissions in " << fmt_duration(secs) << " (" << rate
                  << " submissions/minute)";
        if (errors) std::cout << ", " << errors << " with grader errors";
        std::cout << "\n";
        if (interrupted) {
            std::size_t left = plan.todo.size() - graded_now;
            std::cout << "interrupted: " << left << " submissions not graded (" << abandoned
                      << " abandoned while running); run the same command again to grade them\n";
        }
        print_summary(gb, std::cout);
        std::cout << "gradebook: " << Gradebook::csv_path(opt.out).string() << ", "
                  << Gradebook::database_path(opt.out).string() << ", "
                  << (opt.out / "<student>" / "results.json").string() << "\n";
    }
    if (interrupted) return 130;
    bool any_error = false;
    for (auto& s : plan.students) {
        auto e = gb.entry(s.id);
        any_error |= !e || e->status != "graded";
    }
    return any_error ? 2 : 0;
}

}  // namespace conclab::batch_support
