// `conclab`: the command line over the grading engine (harness/include/conclab).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include "conclab/batch.hpp"
#include "conclab/config.hpp"
#include "conclab/files.hpp"
#include "conclab/grade.hpp"
#include "conclab/handout.hpp"
#include "conclab/listcheck.hpp"
#include "conclab/machine_check.hpp"
#include "conclab/report.hpp"
#include "conclab/report_html.hpp"
#include "conclab/sandbox.hpp"
#include "conclab/score.hpp"
#include "conclab/verify.hpp"
#include "conclab/calibration.hpp"

namespace fs = std::filesystem;
using namespace conclab;

namespace {

constexpr int kAllPassed = 0, kSomeFailed = 1, kGraderError = 2;

struct Common {
    std::string course = config::source_dir;
    std::string sandbox = "auto";
    bool keep = false;
    bool quiet = false;
    bool progress = false;
};

void add_common(CLI::App* cmd, Common& c) {
    cmd->add_option("--course", c.course, "course tree (exercises/, graders/)")->capture_default_str();
    cmd->add_option("--sandbox", c.sandbox, "isolation tier: auto, cgroup, bwrap, bare")
        ->check(CLI::IsMember({"auto", "cgroup", "bwrap", "bare"}))
        ->capture_default_str();
    cmd->add_flag("--keep-scratch", c.keep, "keep build and run directories (for debugging the grader)");
    cmd->add_flag("-q,--quiet", c.quiet, "no progress lines");
}

// Grades one submission `runs` times (the same score is expected every time).
SubmissionResult grade(const Course& course, const Submission& sub, Runner& runner, const Toolchain& tc,
                       GradeOptions opt, const Common& c) {
    opt.keep_scratch = c.keep;
    if (!c.quiet && (c.progress || isatty(STDERR_FILENO))) {
        // Each test's line as soon as it is decided (stderr: the report on
        // stdout stays whole); the report repeats them in manifest order.
        ReportOptions ro;
        ro.color = isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
        ro.show_hidden_details = !opt.visible_only;
        opt.progress = [](const std::string& s) { std::cerr << "  " << s << std::endl; };
        opt.on_test = [ro](const std::string& ex, const TestResult& t) {
            std::cerr << "  " << progress_line(ex, t, ro) << std::endl;
        };
    }
    return grade_submission(course, sub, runner, tc, opt);
}

bool selected(const std::vector<std::string>& only, const std::string& name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

int cmd_list(const Course& course, const std::vector<std::string>& only) {
    for (const auto& ex : course.exercises) {
        if (!selected(only, ex.name)) continue;
        std::cout << ex.name << "  (" << ex.points << " points)  " << ex.title << "\n";
        for (const auto& t : ex.tests)
            std::cout << "    " << t.name << "  " << t.points << (t.hidden ? "  [hidden]" : "")
                      << (t.is_symbol_scan() ? "  [symbols]" : "  [" + t.build + "]") << "\n";
    }
    return 0;
}

// `list --check`: 0 when every name matches, 1 on a mismatch, 2 when an
// exercise could not be built or listed (the course's problem, said as such).
int cmd_list_check(const Course& course, const std::vector<std::string>& only, Runner& runner, const Toolchain& tc,
                   const Common& c) {
    int status = kAllPassed;
    for (const auto& ex : course.exercises) {
        if (!selected(only, ex.name)) continue;
        const fs::path scratch =
            fs::temp_directory_path() / ("conclab-list-" + ex.name + "-" + std::to_string(::getpid()));
        fs::remove_all(scratch);
        fs::create_directories(scratch);
        fs::permissions(scratch, fs::perms::all);
        std::vector<std::string> problems;
        bool listed = true;
        try {
            problems = list_check(course, ex, runner, tc, scratch);
        } catch (const std::exception& e) {
            std::cerr << ex.name << ": cannot check test names: " << e.what() << "\n";
            status = kGraderError;
            listed = false;
        }
        if (!c.keep) {
            std::error_code ec;
            fs::remove_all(scratch, ec);
            fs::remove_all(scratch.string() + "-hidden", ec);
        }
        for (const auto& p : problems) std::cout << p << "\n";
        if (!problems.empty() && status == kAllPassed) status = kSomeFailed;
        if (problems.empty() && listed)
            std::cout << ex.name << ": every manifest test names one TEST, every TEST is graded\n";
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the grader (docs/notes.md, "Processes")
    CLI::App app{"conclab: grade C++ concurrency exercises under ThreadSanitizer, in a sandbox"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(config::version));

    Common common;
    std::string sub_dir, json_out, junit_out, gradescope_out, html_out;
    std::vector<std::string> exercises;
    bool visible = false, github = false;
    int repeat = 1;
    std::vector<std::string> only_tests;
    std::optional<std::uint64_t> replay_seed;
    auto* g = app.add_subcommand("grade", "grade one submission (a directory laid out like the handout)");
    g->add_option("submission", sub_dir, "the submission directory")->required()->check(CLI::ExistingDirectory);
    g->add_option("--exercise", exercises, "only this exercise (repeatable)");
    g->add_option("--json", json_out, "write the results as JSON");
    g->add_option("--junit", junit_out, "write JUnit XML");
    g->add_option("--gradescope", gradescope_out, "write Gradescope's results.json");
    g->add_option("--html", html_out, "write a self-contained HTML report (docs/reports.md)");
    g->add_flag("--github", github, "print GitHub annotations; append a summary to $GITHUB_STEP_SUMMARY");
    g->add_flag("--visible", visible, "visible tests only (what `make check` runs)");
    g->add_option("--repeat", repeat, "grade N times; fails if the scores differ")->check(CLI::Range(1, 100));
    g->add_option("--test", only_tests, "only this test, by its manifest name (repeatable)");
    int test_jobs = 0;
    g->add_option("--test-jobs", test_jobs,
                  "tests of an exercise run at once, at most N (default: the cores this process may use; tests "
                  "marked exclusive run alone; docs/design.md, \"Concurrent tests\")")
        ->check(CLI::Range(1, 64));
    g->add_flag("--progress", common.progress,
                "print each test's line on stderr as soon as it is decided, also when stderr is not a terminal");
    g->add_option("--seed", replay_seed,
                  "run the tests with this seed instead of their own: replays a run whose report printed it "
                  "(docs/exploration.md)");
    add_common(g, common);

    std::string batch_dir, out_dir;
    int jobs = 0;
    bool regrade = false;
    auto* b = app.add_subcommand("batch", "grade every subdirectory (one per student) into a gradebook");
    b->add_option("submissions", batch_dir, "one subdirectory per student")->required()->check(CLI::ExistingDirectory);
    b->add_option("--out", out_dir, "gradebook directory")->required();
    b->add_option("--jobs,-j", jobs, "submissions graded in parallel (default: cores)");
    b->add_option("--exercise", exercises, "only this exercise (repeatable)");
    b->add_flag("--regrade", regrade, "grade again what is already graded");
    std::string backend = "local";
    SlurmOptions slurm;
    bool no_preflight = false;
    b->add_option("--backend", backend, "local: threads on this machine; slurm: one job array (docs/cluster.md)")
        ->check(CLI::IsMember({"local", "slurm"}))
        ->capture_default_str();
    b->add_option("--partition", slurm.partition, "slurm: the partition to submit to");
    b->add_option("--time", slurm.time, "slurm: time limit per array task (default: from the manifests' limits)");
    b->add_option("--mem", slurm.mem, "slurm: memory per array task, e.g. 4G (default: from the manifests' limits)");
    b->add_option("--max-running", slurm.max_running, "slurm: at most N array tasks at once")->check(CLI::PositiveNumber);
    b->add_option("--chunk", slurm.chunk, "slurm: submissions per array task (default: 1, more above 1000)")
        ->check(CLI::PositiveNumber);
    b->add_option("--sbatch-arg", slurm.sbatch_args, "slurm: passed to sbatch and srun, e.g. --sbatch-arg=--qos=short")
        ->allow_extra_args(false);
    b->add_flag("--no-preflight", no_preflight, "slurm: skip the check on a compute node before submitting");
    add_common(b, common);

    // Hidden: what the Slurm backend runs on the compute nodes (slurm.cpp).
    std::string run_dir;
    auto* st = app.add_subcommand("slurm-task", "");
    st->group("");
    st->add_option("run_dir", run_dir)->required();
    add_common(st, common);
    auto* sp = app.add_subcommand("slurm-preflight", "");
    sp->group("");
    sp->add_option("run_dir", run_dir)->required();
    add_common(sp, common);

    std::string handout_out;
    auto* h = app.add_subcommand("handout", "write the student repository (no reference, no hidden graders)");
    h->add_option("--out", handout_out, "where to write it")->required();
    add_common(h, common);

    std::string report_file;
    bool report_html = false;
    auto* rep = app.add_subcommand("report", "print a stored results.json as the terminal report");
    rep->add_option("results", report_file, "a results.json written by grade --json or batch (with --html: the batch DIR)")
        ->required()
        ->check(CLI::ExistingPath);
    rep->add_flag("--html", report_html, "rebuild DIR/index.html and DIR/<student>/report.html from a batch's gradebook");

    bool list_check_names = false;
    auto* l = app.add_subcommand("list", "exercises, their points and tests");
    l->add_flag("--check", list_check_names,
                "build every variant and fail on a manifest test without exactly one GoogleTest test, or a TEST "
                "no manifest test claims (docs/manifest.md)");
    l->add_option("--exercise", exercises, "only this exercise (repeatable)");
    add_common(l, common);

    std::string verify_dir, expect;
    int runs = 1;
    auto* v = app.add_subcommand("verify", "prove a grader: a case must score as its expect.yaml says");
    v->add_option("case", verify_dir, "flat submission folder (editable files + expect.yaml)")
        ->required()
        ->check(CLI::ExistingDirectory);
    v->add_option("--exercise", exercises, "the exercise (default: from expect.yaml)");
    v->add_option("--expect", expect, "full | loss (instead of expect.yaml)")->check(CLI::IsMember({"full", "loss"}));
    v->add_option("--runs", runs, "grade N times, all must agree")->check(CLI::Range(1, 100));
    v->add_option("--test-jobs", test_jobs, "tests run at once in gradings 2..N (as grade --test-jobs; grading 1 runs one at a time)")->check(CLI::Range(1, 64));
    add_common(v, common);

    std::vector<std::string> calibrate_exercises;
    int calibrate_runs = 5;
    bool calibrate_check = false;
    auto* cal = app.add_subcommand("calibrate",
                                   "time the reference; write each test's time to exercises/EX/calibration.yaml, "
                                   "from which the wall limits derive (docs/manifest.md, \"Time limits\")");
    cal->add_option("exercise", calibrate_exercises, "these exercises (default: every one with a reference)");
    cal->add_option("--runs", calibrate_runs, "gradings of the reference to take the slowest of")
        ->check(CLI::Range(1, 50))
        ->capture_default_str();
    cal->add_flag("--check", calibrate_check,
                  "measure nothing; fail when a checked-in calibration is missing or older than the sources it "
                  "describes (what `make test` runs)");
    add_common(cal, common);

    CLI11_PARSE(app, argc, argv);

    try {
        if (rep->parsed() && report_html) {
            std::cout << "dashboard: " << write_dashboard(report_file).string() << "\n";
            return kAllPassed;
        }
        if (rep->parsed()) {
            std::ifstream in(report_file);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            ReportOptions ro;
            ro.color = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
            write_terminal(std::cout, from_json(text), ro);
            return kAllPassed;
        }
        Course course = Course::load(common.course);
        for (const auto& e : exercises)
            if (!course.find(e)) {
                std::cerr << "conclab: no exercise named '" << e << "' (see `conclab list`)\n";
                return kGraderError;
            }
        if (l->parsed() && !list_check_names) return cmd_list(course, exercises);
        for (const auto& e : calibrate_exercises)
            if (!course.find(e)) {
                std::cerr << "conclab calibrate: no exercise named '" << e << "' (see `conclab list`)\n";
                return kGraderError;
            }
        if (cal->parsed() && calibrate_check) {
            std::vector<std::string> problems;
            for (const auto& ex : course.exercises) {
                if (!selected(calibrate_exercises, ex.name)) continue;
                auto p = check_calibration(course, ex);
                if (p.empty()) std::cout << ex.name << ": calibration is fresh\n";
                problems.insert(problems.end(), p.begin(), p.end());
            }
            for (const auto& p : problems) std::cout << p << "\n";
            return problems.empty() ? kAllPassed : kSomeFailed;
        }
        if (h->parsed()) {
            write_handout(course, handout_out);
            auto problems = verify_handout(course, handout_out);
            for (const auto& p : problems) std::cerr << "handout: " << p << "\n";
            std::cout << (problems.empty() ? "handout written to " : "handout has problems: ") << handout_out << "\n";
            return problems.empty() ? kAllPassed : kGraderError;
        }
        Toolchain tc = Toolchain::from_config();
        if (b->parsed()) {
            BatchOptions bo;
            bo.submissions = batch_dir;
            bo.out = out_dir;
            bo.jobs = jobs;
            bo.exercises = exercises;
            bo.regrade = regrade;
            bo.tier = parse_tier(common.sandbox);
            bo.backend = backend == "slurm" ? Backend::slurm : Backend::local;
            bo.slurm = slurm;
            bo.slurm.preflight = !no_preflight;
            return run_batch(course, tc, bo);
        }
        if (st->parsed()) return run_slurm_task(course, tc, run_dir, parse_tier(common.sandbox));
        if (sp->parsed()) return run_slurm_preflight(course, tc, run_dir, parse_tier(common.sandbox));
        auto runner = make_runner(parse_tier(common.sandbox));
        // make_runner prints the tier, and a loud warning when the run is not isolated.
        if (l->parsed()) return cmd_list_check(course, exercises, *runner, tc, common);
        // The machine check runs beside the work: grading builds meanwhile and
        // waits for its verdict only before the first test (GradeOptions::machine_check).
        std::shared_future<std::string> machine =
            std::async(std::launch::async, [&runner, &tc] { return check_machine(*runner, tc); }).share();

        if (cal->parsed()) {
            if (const std::string& canary = machine.get(); !canary.empty()) {
                std::cerr << "conclab: cannot calibrate on this machine: " << canary << "\n";
                return kGraderError;
            }
            std::vector<std::string> problems;
            for (const auto& ex : course.exercises) {
                bool chosen = calibrate_exercises.empty() ? fs::is_directory(course.root / "reference" / ex.name)
                                                          : selected(calibrate_exercises, ex.name);
                if (!chosen) continue;
                auto p = calibrate_exercise(course, ex, *runner, tc, calibrate_runs, std::cout);
                problems.insert(problems.end(), p.begin(), p.end());
            }
            for (const auto& p : problems) std::cerr << "conclab calibrate: " << p << "\n";
            return problems.empty() ? kAllPassed : kGraderError;
        }
        if (v->parsed()) {
            if (const std::string& canary = machine.get(); !canary.empty()) {
                std::cerr << "conclab: cannot grade on this machine: " << canary << "\n";
                return kGraderError;
            }
            VerifyOptions vo;
            vo.dir = verify_dir;
            vo.exercise = exercises.empty() ? "" : exercises[0];
            vo.expect = expect;
            vo.runs = runs;
            vo.test_jobs = test_jobs;
            vo.keep_scratch = common.keep;
            return verify_case(course, *runner, tc, vo, std::cout).empty() ? kAllPassed : kSomeFailed;
        }

        // grade
        GradeOptions opt;
        opt.exercises = exercises;
        opt.visible_only = visible;
        opt.tests = only_tests;
        opt.seed = replay_seed;
        opt.test_jobs = test_jobs;
        opt.machine_check = machine;
        for (const auto& name : only_tests) {
            bool known = false;
            for (const auto& ex : course.exercises)
                if (exercises.empty() || std::find(exercises.begin(), exercises.end(), ex.name) != exercises.end())
                    for (const auto& t : ex.tests) known = known || t.name == name;
            if (!known) {
                std::cerr << "conclab grade: --test " << name
                          << ": no test of that name in the selected exercises (see `conclab list`)\n";
                return kGraderError;
            }
        }
        Submission sub = Submission::handout(sub_dir);
        SubmissionResult r;
        std::vector<double> scores;
        for (int i = 0; i < repeat; ++i) {
            r = grade(course, sub, *runner, tc, opt, common);
            scores.push_back(r.score);
        }
        ReportOptions ro;
        ro.color = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
        ro.show_hidden_details = !visible;
        write_terminal(std::cout, r, ro);
        if (!json_out.empty()) write_file_atomic(json_out, to_json(r));
        if (!junit_out.empty()) write_file_atomic(junit_out, to_junit(r));
        if (!gradescope_out.empty()) write_file_atomic(gradescope_out, to_gradescope(r));
        if (!html_out.empty()) {
            write_file_atomic(html_out, to_html(r));
            std::cout << "HTML report: " << fs::absolute(html_out).lexically_normal().string() << "\n";
        }
        if (github) {
            std::cout << to_github_annotations(r);
            if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
                std::ofstream s(summary, std::ios::app);
                s << to_markdown_summary(r);
            }
        }
        if (std::adjacent_find(scores.begin(), scores.end(), std::not_equal_to<>()) != scores.end()) {
            std::cerr << "conclab: graded " << repeat << " times with different scores:";
            for (double s : scores) std::cerr << " " << s;
            std::cerr << "\n";
            return kGraderError;
        }
        if (repeat > 1) std::cout << "graded " << repeat << " times, same score every time: " << r.score << "\n";
        if (any_status(r, Status::error)) return kGraderError;
        return all_passed(r) ? kAllPassed : kSomeFailed;
    } catch (const ManifestError& e) {
        std::cerr << "conclab: bad manifest: " << e.what() << "\n";
        return kGraderError;
    } catch (const std::exception& e) {
        std::cerr << "conclab: " << e.what() << "\n";
        return kGraderError;
    }
}
