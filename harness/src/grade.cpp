// The pipeline for one submission:
//   manifest (course.cpp) -> tamper scan -> build -> run each test (sandbox) ->
//   analyze (sanitizer logs, GoogleTest JSON, output matchers, symbols) -> score.
#include "conclab/grade.hpp"

#include "conclab/snippet.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <thread>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include <sched.h>
#include <unistd.h>

#include "conclab/bounds.hpp"
#include "conclab/build_cache.hpp"
#include "conclab/channel.hpp"
#include "conclab/config.hpp"
#include "conclab/cpu_budget.hpp"
#include "conclab/files.hpp"
#include "conclab/matchers.hpp"
#include "conclab/sanitizers.hpp"
#include "conclab/score.hpp"
#include "conclab/symbols.hpp"
#include "conclab/tamper.hpp"

namespace conclab {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The seed of a test is a function of its name only, so grading twice gives
// the same runs (and a student can reproduce one from the printed seed).
std::uint64_t seed_for(const std::string& exercise, const std::string& test) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : exercise + "/" + test) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h % 1'000'000'007ULL;
}

fs::path make_scratch(const GradeOptions& opt, const std::string& label) {
    static std::atomic<unsigned> counter{0};
    fs::path root = opt.scratch_root.empty() ? fs::temp_directory_path() : opt.scratch_root;
    fs::create_directories(root);
    for (;;) {
        fs::path p = root / ("conclab-" + label + "-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1)));
        if (fs::create_directory(p)) {
            // The sandboxed program runs as another user (uid 65534) and must be
            // able to read the binaries and write its own work dir.
            fs::permissions(p, fs::perms::all);
            return p;
        }
    }
}

struct ScratchGuard {
    fs::path path;
    bool keep;
    ~ScratchGuard() {
        std::error_code ec;
        if (!keep && !path.empty()) {
            fs::remove_all(path, ec);
            fs::remove_all(path.string() + "-hidden", ec);  // build_exercise's hidden grader sources
        }
    }
};

// GoogleTest's verdict, from the sealed records of the result channel
// (docs/security.md) and nothing else: not the exit code, not a file.
void read_test_records(const RunResult& run, const std::string& key, const fs::path& honeypot, RunEvidence& ev,
                       std::string& grader_problem) {
    ChannelRecords rec = read_channel(run.channel, key);
    // GoogleTest still writes its JSON report to the path in argv, and the
    // engine never reads it for a verdict. GoogleTest writes it only after
    // every test has ended, i.e. after their records were sealed: a report
    // without those records was written by the code under test.
    std::string report = fs::exists(honeypot) ? read_file(honeypot, 1u << 20) : std::string();
    if (!report.empty() && rec.tests.empty())
        ev.tampering += std::string(ev.tampering.empty() ? "" : "\n") +
                        "a GoogleTest report was written to " + honeypot.filename().string() +
                        " although no test had finished: a forged report. It began: " +
                        report.substr(0, 300);
    if (!rec.forged.empty()) ev.tampering += std::string(ev.tampering.empty() ? "" : "\n") + rec.forged;
    ev.gtest_ran = rec.done;
    if (!rec.done) return;
    if (rec.tests.empty()) {
        // Said with what came with it, so that the next one can be understood.
        grader_problem = "no GoogleTest test matches the manifest's filter";
        if (!rec.forged.empty()) grader_problem += "; the result channel also had: " + rec.forged;
    }
    for (const auto& t : rec.tests) {
        if (t.result == "skipped") grader_problem = "GoogleTest skipped " + t.name;
        for (const auto& text : t.failures) {
            // Keep at most 12 lines of each failure.
            std::istringstream in(text);
            std::string line, cut;
            for (int n = 0; std::getline(in, line); ++n) {
                if (n == 12) {
                    cut += "...\n";
                    break;
                }
                cut += line + "\n";
            }
            while (!cut.empty() && cut.back() == '\n') cut.pop_back();
            ev.failed_assertions.push_back(cut);
        }
        if (t.result == "failed" && t.failures.empty())
            ev.failed_assertions.push_back(t.name + " failed");
        if (t.more_failures > 0)
            ev.failed_assertions.push_back("(" + std::to_string(t.more_failures) + " more failed checks)");
    }
    if (rec.repeated)
        ev.failed_assertions.push_back(
            "the test's results arrived twice: a copy of the test program made by fork() went on running the "
            "test. A child process must end with _exit() (or exec another program), never return into the "
            "caller's code.");
}

struct TestContext {
    const Toolchain& tc;
    const Course& course;
    const Exercise& ex;
    const BuildOutcome& build;
    fs::path scratch;
    Runner& runner;
    // The exclusive tests of a grading run last, one after another, under one
    // hold of the whole machine-wide budget taken by run_tests (see there).
    bool machine_held = false;
};

// One run of one test: sandbox spec in, evidence and verdict out.
Verdict run_once(const TestContext& ctx, const TestSpec& t, int attempt, std::uint64_t seed, TestResult& tr) {
    const BuildSpec* b = ctx.ex.find_build(t.build);
    const fs::path work = ctx.scratch / "run" / (t.name + "-" + std::to_string(attempt));
    const fs::path logs = work / ".conclab";  // only GoogleTest's report goes here: a honeypot, never evidence
    fs::create_directories(logs);
    for (const auto& d : {work.parent_path(), work, logs}) fs::permissions(d, fs::perms::all);

    RunSpec spec;
    spec.workdir = work;
    spec.readable = {ctx.scratch / "bin"};
    spec.limits = t.limits;
    spec.stdin_data = t.stdin_data;
    spec.argv = {ctx.build.executables.at(t.build).string()};
    if (!b->is_program()) {
        spec.argv.push_back("--gtest_filter=" + t.gtest);
        spec.argv.push_back("--gtest_output=json:" + (logs / "gtest.json").string());
        spec.argv.push_back("--gtest_color=no");
        spec.argv.push_back("--gtest_brief=1");
        spec.channel_key = make_channel_key();
    }
    spec.argv.insert(spec.argv.end(), t.args.begin(), t.args.end());
    // Sanitizer reports go to stderr, a pipe the supervisor holds: files in the
    // run's own directory could be deleted or rewritten by the code under test.
    const std::string prefix;
    fs::path supp = ctx.scratch / "bin" / "tsan.supp";
    spec.env = {{"PATH", "/usr/bin:/bin"},
                {"HOME", work.string()},
                {"LANG", "C.UTF-8"},
                {"CONCLAB_BIN", (ctx.scratch / "bin").string()},
                {"CONCLAB_SEED", std::to_string(seed)},
                {"CONCLAB_TEST", t.name},
                {"CONCLAB_EXERCISE", ctx.ex.name},
                {"TSAN_OPTIONS", tsan_options(prefix, fs::exists(supp) ? supp.string() : "")},
                {"ASAN_OPTIONS", asan_options(prefix)},
                {"UBSAN_OPTIONS", ubsan_options(prefix)},
                {"LSAN_OPTIONS", lsan_options("")}};

    RunEvidence ev;
    {
        // The machine-wide budget (conclab/cpu_budget.hpp): an exclusive test
        // has the machine to itself, also with other gradings beside this one.
        const CpuHold cpu = t.exclusive ? (ctx.machine_held ? CpuHold() : take_all_cpus())
                            : t.waits   ? take_waiting_share()
                                        : take_cpu();
        ev.run = ctx.runner.run(spec);
    }
    tr.seconds += ev.run.wall.count() / 1000.0;

    SanitizerScan scan = scan_sanitizer_output(ev.run.err.text, ctx.build.student_files);
    ev.findings = scan.findings;
    ev.sanitizer_runtime_failure = scan.runtime_failure;
    ev.sanitizer_failure_text = scan.runtime_failure_text;
    if (scan.runtime_failure) {
        // Stderr says the sanitizer failed, and a program can print anything
        // there. It is the grader's error only if the machine check fails now too.
        fs::path again = ctx.scratch / ("canary-again-" + t.name + "-" + std::to_string(attempt));
        fs::create_directories(again);
        std::string canary = run_canary(ctx.runner, ctx.tc, again);
        if (canary.empty()) {
            ev.sanitizer_runtime_failure = false;
            ev.failed_assertions.push_back(
                "your program's error output claims the sanitizer failed, but the sanitizer works on this "
                "machine (checked again just now):\n" + scan.runtime_failure_text);
        }
    }

    std::string grader_problem;
    if (!b->is_program()) {
        read_test_records(ev.run, spec.channel_key, logs / "gtest.json", ev, grader_problem);
        // An exit code can only take points away: GoogleTest exits 1 on
        // failure, a sanitizer at exit (leaks, thread leaks) with its own code.
        if (ev.gtest_ran && ev.failed_assertions.empty() && ev.findings.empty() && ev.run.exit_code &&
            *ev.run.exit_code != 0)
            ev.failed_assertions.push_back("the test program exited with code " +
                                           std::to_string(*ev.run.exit_code) +
                                           " after its checks passed: does your code call exit() or std::exit "
                                           "from a destructor or another thread?");
    }
    if (!grader_problem.empty() && ev.run.started) return {Status::error, grader_problem + " (a grader problem)"};
    for (const auto& m : t.stdout_matchers)
        if (auto why = check_output(m, ev.run.out.text)) ev.failed_assertions.push_back("standard output: " + *why);
    for (const auto& m : t.stderr_matchers)
        if (auto why = check_output(m, ev.run.err.text)) ev.failed_assertions.push_back("standard error: " + *why);

    Verdict v = judge_run(t, ev);
    if (v.status == Status::tampered) tr.evidence = ev.tampering;
    if (v.status != Status::passed) {
        tr.findings = ev.findings;
        // Head and tail, with the cut said where it was (docs/security.md: bounded reports).
        tr.output = bounded(ev.run.out.display(), kTestOutputBytes);
    }
    return v;
}

// All runs of one test (a symbol scan runs nothing).
void run_test(const TestContext& ctx, const TestSpec& t, TestResult& tr) {
    if (t.is_symbol_scan()) {
        auto hits = forbidden_symbols(ctx.build.student_objects, t.forbid_symbols);
        tr.status = hits.empty() ? Status::passed : Status::failed;
        if (!hits.empty()) {
            tr.message = "your code calls functions this exercise does not allow:";
            for (std::size_t k = 0; k < hits.size() && k < 8; ++k) tr.message += "\n  " + hits[k];
        }
        return;
    }
    Verdict v{Status::passed, ""};
    for (int attempt = 0; attempt < t.repeat && v.status == Status::passed; ++attempt) {
        v = run_once(ctx, t, attempt, tr.seed + attempt, tr);
        // The grader's own failure is never the student's: the same run once
        // more (same seed, its own directory) before it is reported as `error`.
        if (v.status == Status::error) {
            Verdict again = run_once(ctx, t, attempt + t.repeat, tr.seed + attempt, tr);
            if (again.status == Status::error) again.message += " (twice: the second try failed too)";
            v = again;
        }
        if (v.status != Status::passed && t.repeat > 1)
            v.message = "run " + std::to_string(attempt + 1) + " of " + std::to_string(t.repeat) + " (seed " +
                        std::to_string(tr.seed + attempt) + "): " + v.message;
    }
    tr.status = v.status;
    tr.message = v.message;
}

void not_graded(ExerciseResult& res, const std::vector<bool>& started);

// Tests marked `waits` run beside the others, at most this many per core of
// test_jobs: each sleeps in a window most of the time (docs/design.md, "Tests that wait").
constexpr int kWaitingPerCore = 4;

// Runs the tests: up to opt.test_jobs at once, an exclusive test alone; the
// others in manifest order first, then the exclusive ones in manifest order,
// so that the tests that may overlap all do (an exclusive test in the middle
// would split them in two groups; on udp_chat's stub that cost 3 s). Each
// writes only its own TestResult; `on_test` sees each as soon as it is
// decided, and the report keeps the manifest's order.
void run_tests(const TestContext& ctx, const std::vector<const TestSpec*>& tests, ExerciseResult& res,
               const GradeOptions& opt) {
    auto one = [&](std::size_t i, const TestContext& c) {
        try {
            run_test(c, *tests[i], res.tests[i]);
        } catch (const std::exception& e) {
            // The grader's own failure in one test: never the student's, and the others go on.
            res.tests[i].status = Status::error;
            res.tests[i].message = std::string("the grader failed: ") + e.what();
        }
    };
    std::mutex m;
    std::condition_variable changed;
    int running = 0;   // tests that use the CPU, an exclusive one included
    int waiting = 0;   // tests marked `waits` (docs/design.md, "Tests that wait")
    std::vector<std::thread> threads;
    std::vector<bool> started(tests.size(), false);
    const int jobs = opt.test_jobs > 0 ? opt.test_jobs : default_test_jobs();
    std::vector<std::size_t> order;
    for (bool exclusive : {false, true})
        for (std::size_t i = 0; i < tests.size(); ++i)
            if (tests[i]->exclusive == exclusive) order.push_back(i);
    // The exclusive tests (last in `order`) take the whole machine-wide budget
    // once for all of them rather than once each. Each taking waits for every
    // core to be free, and the first core freed stays idle until the last one
    // is: with another grading beside this one (ctest -j, batch), pool_copy's
    // seven exclusive tests left a core idle seven times per grading
    // (docs/design.md, "One CPU budget"). Each exclusive test still runs with
    // nothing else of any grading beside it.
    TestContext exclusive_ctx = ctx;
    exclusive_ctx.machine_held = true;
    std::optional<CpuHold> machine;
    for (std::size_t i : order) {
        if (opt.stop.stop_requested()) break;
        const bool alone =
            tests[i]->exclusive || (jobs == 1 && !(tests[i]->waits && opt.waiting_tests_overlap));
        const bool waits = !alone && tests[i]->waits;
        {
            std::unique_lock lock(m);
            changed.wait(lock, [&] {
                if (alone) return running == 0 && waiting == 0;
                return waits ? waiting < kWaitingPerCore * jobs : running < jobs;
            });
            ++(waits ? waiting : running);
        }
        if (tests[i]->exclusive && !machine)
            machine.emplace(take_all_cpus());   // nothing of this grading runs now (waited above)
        started[i] = true;
        auto body = [&, i, waits] {
            one(i, tests[i]->exclusive ? exclusive_ctx : ctx);
            if (opt.on_test) {
                std::lock_guard lock(m);   // one line at a time
                opt.on_test(ctx.ex.name, res.tests[i]);
            }
            {
                std::lock_guard lock(m);
                --(waits ? waiting : running);
            }
            changed.notify_all();
        };
        if (alone) {
            body();
            continue;
        }
        try {
            threads.emplace_back(body);
        } catch (const std::system_error&) {
            body();   // no thread to be had: this one runs here, the grading goes on
        }
    }
    for (auto& t : threads) t.join();
    if (std::find(started.begin(), started.end(), false) != started.end()) not_graded(res, started);
}

// GradeOptions::stop was requested: the tests not `started` are not run.
// The caller throws such a result away (batch: abandoned, graded again next
// run); were it kept, `error` would have it graded again.
void not_graded(ExerciseResult& res, const std::vector<bool>& started) {
    res.message = "not graded: grading was stopped";
    for (std::size_t i = 0; i < res.tests.size(); ++i) {
        if (i < started.size() && started[i]) continue;
        res.tests[i].status = Status::error;
        res.tests[i].message = res.message;
    }
}

void fail_all(ExerciseResult& res, Status status, const std::string& why, const std::string& evidence = {}) {
    res.message = why;
    for (auto& t : res.tests) {
        t.status = status;
        t.message = why;
        if (status == Status::tampered) t.evidence = evidence;
    }
}

}  // namespace

int default_test_jobs() { return usable_cores(); }

ExerciseResult grade_exercise(const Course& course, const Exercise& ex, const Submission& sub, Runner& runner,
                              const Toolchain& tc, const GradeOptions& opt) {
    ExerciseResult res;
    res.name = ex.name;
    std::vector<const TestSpec*> tests;
    for (const auto& t : ex.tests) {
        if (opt.visible_only && t.hidden) continue;
        if (!opt.tests.empty() && std::find(opt.tests.begin(), opt.tests.end(), t.name) == opt.tests.end()) continue;
        tests.push_back(&t);
        TestResult tr;
        tr.name = t.name;
        tr.max_score = t.points;
        tr.hidden = t.hidden;
        tr.hint = t.hint;
        if (!t.is_symbol_scan()) {
            tr.limit_seconds = t.limits.wall.count() / 1000.0;
            tr.limit = t.limit_rule;
        }
        tr.seed = opt.seed ? *opt.seed : seed_for(ex.name, t.name);
        tr.status = Status::failed;
        res.tests.push_back(tr);
    }
    auto progress = [&](const std::string& s) {
        if (opt.progress) opt.progress(ex.name + ": " + s);
    };

    try {
        if (!sub.has_exercise(ex)) {
            std::string missing;
            for (const auto& f : ex.files)
                if (!sub.file(ex, f)) missing += " exercises/" + ex.name + "/" + f;
            fail_all(res, Status::failed, "not submitted (missing:" + missing + ")");
            score_exercise(res);
            return res;
        }
        // Tamper scan: code that switches the sanitizers off is not graded.
        std::string tamper;
        for (const auto& f : ex.files) {
            for (const auto& hit : scan_for_tampering(read_file(*sub.file(ex, f))))
                tamper += "exercises/" + ex.name + "/" + f + ":" + std::to_string(hit.line) + ": " + hit.what + "\n";
        }
        if (!tamper.empty()) {
            fail_all(res, Status::tampered,
                     "your code tries to switch off or steer the checking tools, so it cannot be graded:\n" + tamper,
                     tamper);
            score_exercise(res);
            return res;
        }

        if (opt.stop.stop_requested()) {
            not_graded(res, {});
            score_exercise(res);
            return res;
        }
        ScratchGuard scratch{make_scratch(opt, ex.name), opt.keep_scratch};
        progress("building");
        BuildOutcome build = build_exercise(tc, course, ex, sub, scratch.path, runner);
        if (!build.ok) {
            fail_all(res, build.tampered ? Status::tampered : build.student_error ? Status::failed : Status::error,
                     build.message, build.evidence);
            score_exercise(res);
            return res;
        }
        // The exercise's TSan suppressions (known false positives, docs/notes.md "ThreadSanitizer") travel with the binaries.
        fs::path supp = course.grader_dir(ex.name) / "tsan.supp";
        if (fs::exists(supp)) fs::copy_file(supp, scratch.path / "bin" / "tsan.supp");
        fs::permissions(scratch.path / "bin", fs::perms::all);

        if (opt.machine_check.valid()) {
            if (const std::string& problem = opt.machine_check.get(); !problem.empty()) {
                fail_all(res, Status::error, "cannot grade on this machine: " + problem);
                score_exercise(res);
                return res;
            }
        }
        TestContext ctx{tc, course, ex, build, scratch.path, runner};
        run_tests(ctx, tests, res, opt);
    } catch (const std::exception& e) {
        // The grader's own failure (building, scratch space): never the student's.
        fail_all(res, Status::error, std::string("the grader failed: ") + e.what());
    }
    score_exercise(res);
    return res;
}

SubmissionResult grade_submission(const Course& course, const Submission& sub, Runner& runner, const Toolchain& tc,
                                  const GradeOptions& opt) {
    SubmissionResult r;
    r.submission = sub.id();
    r.sandbox = runner.tier();
    r.grader_version = config::version;
    for (const auto& ex : course.exercises) {
        if (!opt.exercises.empty() &&
            std::find(opt.exercises.begin(), opt.exercises.end(), ex.name) == opt.exercises.end())
            continue;
        r.exercises.push_back(grade_exercise(course, ex, sub, runner, tc, opt));
    }
    score_submission(r);
    attach_snippets(r, course, sub);   // source context for reports (snippet.hpp)
    bound_result(r);
    return r;
}

SubmissionResult grader_error_result(const std::vector<const Exercise*>& exercises, const std::string& id,
                                     const std::string& why, bool visible_only) {
    SubmissionResult r;
    r.submission = id;
    r.grader_version = config::version;
    for (const Exercise* ex : exercises) {
        ExerciseResult er;
        er.name = ex->name;
        er.message = why;
        for (const auto& t : ex->tests) {
            if (visible_only && t.hidden) continue;
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

std::string run_canary(Runner& runner, const Toolchain& tc, const fs::path& scratch) {
    const fs::path dir = fs::path(config::source_dir) / "harness" / "canary";
    fs::create_directories(scratch / "bin");
    fs::permissions(scratch, fs::perms::all);
    fs::permissions(scratch / "bin", fs::perms::all);
    // Compiling the two canaries took 1.4 s of every 1.5 s `make check` with
    // nothing to rebuild (docs/design.md, "Build caches"): their executables
    // are kept like a build's, by the content of what made them. Running them
    // is what checks this machine, and that is done every time.
    const std::vector<std::string> flags = {"-std=c++20", "-g", "-O1", "-pthread", "-fsanitize=thread"};
    const BuildCache cache(tc.cache_dir / "canary", 64ull << 20);
    ContentKey key;
    key.add("conclab-canary-1");
    key.add(config::version);
    key.add(tc.cxx);
    for (const auto& f : flags) key.add(f);
    key.add_tree(dir);
    {
        // The compiler behind the driver's name: an upgrade changes its size or time.
        std::error_code ec;
        const fs::path real = fs::canonical(tc.cxx, ec);
        if (!ec) key.add(real.string() + "|" + std::to_string(fs::file_size(real, ec)) + "|" +
                         std::to_string(fs::last_write_time(real, ec).time_since_epoch().count()));
    }
    const std::vector<fs::path> exes = {fs::path("bin") / "race", fs::path("bin") / "clean"};
    const bool cached = tc.build_cache_bytes > 0 && cache.restore(key.hex(), scratch, exes);
    if (!cached) {
        for (const auto& rel : exes) {
            std::vector<std::string> argv = {tc.cxx};
            argv.insert(argv.end(), flags.begin(), flags.end());
            argv.insert(argv.end(), {(dir / (rel.filename().string() + ".cpp")).string(), "-o", (scratch / rel).string()});
            CommandResult c = run_command(argv);
            if (c.exit_code != 0) return std::string("cannot compile the TSan canary: ") + c.output;
        }
        if (tc.build_cache_bytes > 0) cache.store(key.hex(), scratch, exes);
    }
    for (const char* name : {"race", "clean"}) {
        fs::path exe = scratch / "bin" / name;
        fs::permissions(exe, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
        fs::path work = scratch / (std::string("run-") + name);
        fs::create_directories(work);
        fs::permissions(work, fs::perms::all);
        RunSpec spec;
        spec.argv = {exe.string()};
        spec.workdir = work;
        spec.readable = {scratch / "bin"};
        spec.limits.wall = std::chrono::seconds(30);
        // Reports on stderr, as for every test run (docs/security.md).
        spec.env = {{"PATH", "/usr/bin:/bin"}, {"TSAN_OPTIONS", tsan_options("", "")}};
        bool race = std::string(name) == "race";
        // A TSan that works reports the race canary every time; one that does not
        // never does. A few tries keep a single odd run from failing a whole grade.
        constexpr int kRaceTries = 3;
        RunResult r;
        SanitizerScan scan;
        for (int attempt = 0; attempt < (race ? kRaceTries : 1); ++attempt) {
            r = runner.run(spec);
            if (!r.started) return "the sandbox cannot start programs: " + r.start_error;
            scan = scan_sanitizer_output(r.err.text, {});
            if (scan.runtime_failure) return "ThreadSanitizer cannot start here: " + scan.runtime_failure_text;
            if (!scan.findings.empty()) break;
        }
        if (race && scan.findings.empty())
            return "ThreadSanitizer did not report the canary's data race in " + std::to_string(kRaceTries) +
                   " runs (last exit " +
                   std::to_string(r.exit_code.value_or(-1)) + "): its reports cannot be trusted here";
        if (!race && (!scan.findings.empty() || r.exit_code.value_or(-1) != 0 || r.signal))
            return "the clean canary failed (exit " + std::to_string(r.exit_code.value_or(-1)) +
                   "): " + r.err.text.substr(0, 2000);
    }
    return "";
}

}  // namespace conclab
