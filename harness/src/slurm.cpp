// `conclab batch --backend slurm` (docs/cluster.md): the class as one Slurm
// job array, merged into the same gradebook as the local backend.
//
// Who does what:
//   the submitting host   plans (resume: only missing/changed/`error`), writes
//                         DIR/.slurm/run-<run>/{tasks.tsv,task.conf,grade.sbatch},
//                         runs the preflight (srun), sbatch's the array, then
//                         merges RUN/done/<student>.json into DIR/<student>/
//                         results.json and gradebook.sqlite as they land. SQLite
//                         never leaves this host: its locking is not safe on NFS.
//   each array task       (`conclab slurm-task RUN`, on a compute node) grades
//                         its chunk of tasks.tsv, one done/<student>.json each,
//                         written atomically (tmp + fsync + rename).
// A task that ends without a done file for some of its students (time limit,
// node failure, preemption, scancel) leaves them to the submitter, which asks
// Slurm why (scontrol, then sacct) and stores them as `error` with that reason:
// the cluster's fault, never the student's, and a re-run grades them again.
// Ctrl-C: scancel the array, merge what has landed, store nothing else.
#include <cstdint>

#include "conclab/batch.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stop_token>
#include <thread>

#include <nlohmann/json.hpp>

#include "conclab/batch_support.hpp"
#include "conclab/config.hpp"
#include "conclab/files.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/machine_check.hpp"
#include "conclab/report.hpp"
#include "conclab/sandbox.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace conclab {

using namespace batch_support;
using Clock = std::chrono::steady_clock;

namespace {

// Above this many array tasks, submissions are grouped several to a task:
// Slurm's default MaxArraySize is 1001, and every task costs the scheduler a
// dispatch (about 0.5 s each measured on a one-node 2-CPU cluster: 100 trivial tasks in 45 s) and conclab
// a start-up. Measured in docs/cluster.md.
constexpr std::size_t kMaxTasks = 1000;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    return s.substr(i);
}

std::string read_file_or(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string self_exe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the conclab binary (/proc/self/exe)");
    return p.string();
}

// Per-task limits from the manifests (docs/cluster.md, "limits"): a
// submission needs at most, per exercise, a compile per build and every
// test's wall limit times its repeats; the memory a task needs is the largest
// test's limit plus the compiler's.
constexpr std::uint64_t kCompileSeconds = 120;   // run_command's limit for one compiler run
constexpr std::uint64_t kTaskStartSeconds = 120;  // start-up and the canary, once per task

std::uint64_t seconds_per_submission(const std::vector<const Exercise*>& exercises) {
    std::uint64_t total = 0;
    for (auto* ex : exercises) {
        total += kCompileSeconds * ex->builds.size();
        for (auto& t : ex->tests)
            total += std::uint64_t((t.limits.wall.count() + 999) / 1000) * std::uint64_t(std::max(1, t.repeat));
    }
    return total;
}

std::string default_time(const std::vector<const Exercise*>& exercises, std::size_t chunk) {
    std::uint64_t secs = kTaskStartSeconds + seconds_per_submission(exercises) * chunk;
    return std::to_string((secs + 59) / 60);   // sbatch --time in minutes
}

std::string default_mem(const std::vector<const Exercise*>& exercises) {
    std::uint64_t biggest = 0;
    for (auto* ex : exercises)
        for (auto& t : ex->tests) biggest = std::max(biggest, t.limits.memory);
    std::uint64_t mib = (biggest >> 20) + 1024;   // + the compiler (cc1plus with TSan headers) and conclab
    return std::to_string(mib) + "M";
}

// ---------------------------------------------------------------- the run directory

struct TaskConf {
    std::size_t chunk = 1;
    std::vector<std::string> exercises;
    fs::path out;
};

void write_conf(const fs::path& run_dir, const TaskConf& c) {
    std::string text = "chunk " + std::to_string(c.chunk) + "\nout " + c.out.string() + "\n";
    for (auto& e : c.exercises) text += "exercise " + e + "\n";
    write_file_atomic(run_dir / "task.conf", text);
}

TaskConf read_conf(const fs::path& run_dir) {
    TaskConf c;
    std::istringstream in(read_file(run_dir / "task.conf"));
    std::string line;
    while (std::getline(in, line)) {
        auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        auto key = line.substr(0, sp), value = line.substr(sp + 1);
        if (key == "chunk") c.chunk = std::max<std::size_t>(1, std::stoul(value));
        else if (key == "out") c.out = value;
        else if (key == "exercise") c.exercises.push_back(value);
    }
    return c;
}

std::vector<Student> read_tasks(const fs::path& run_dir) {
    std::vector<Student> out;
    std::istringstream in(read_file(run_dir / "tasks.tsv"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        Student s;
        std::string root;
        if (!std::getline(f, s.id, '\t') || !std::getline(f, root, '\t') || !std::getline(f, s.hash)) continue;
        s.root = root;
        s.dir = root;
        out.push_back(s);
    }
    return out;
}

fs::path done_file(const fs::path& run_dir, const std::string& id) { return run_dir / "done" / (id + ".json"); }

std::string node_name() {
    if (const char* n = std::getenv("SLURMD_NODENAME"); n && *n) return n;
    return hostname();
}

// The strongest tier here that is not a cgroup of our own: inside a Slurm
// task, the task's cgroup already holds memory, CPUs and time, and a cgroup
// made by conclab outside it would escape those limits (and the job
// accounting). bubblewrap's namespaces stay: they are the isolation.
Tier task_tier(Tier asked) {
    if (asked != Tier::automatic) return asked;
    SandboxOptions so;
    so.announce = false;
    for (Tier t : available_tiers(so))
        if (t != Tier::cgroup_bwrap) return t;
    return Tier::bare;
}

// Runs the canary once per node and run: its success is remembered in the
// shared run directory, so the other tasks on that node skip it.
std::string canary_on_node(Runner& runner, const Toolchain& tc, const fs::path& run_dir, Tier tier) {
    auto mark = run_dir / ("canary-" + node_name() + "-" + to_string(tier) + ".ok");
    if (fs::exists(mark)) return {};
    std::string problem = check_machine(runner, tc);
    if (problem.empty()) write_file_atomic(mark, node_name() + "\n");
    return problem;
}

// ---------------------------------------------------------------- asking Slurm

struct TaskState {
    std::string state;    // TIMEOUT, CANCELLED, NODE_FAIL, PREEMPTED, FAILED, OUT_OF_MEMORY, COMPLETED…
    std::string reason;   // scontrol's Reason=
    std::string node;
    std::string exit_code;
};

std::string field(const std::string& line, const std::string& key) {
    auto pos = line.find(" " + key + "=");
    if (pos == std::string::npos) {
        if (line.rfind(key + "=", 0) != 0) return {};
        pos = 0;
    } else {
        pos += 1;
    }
    pos += key.size() + 1;
    auto end = line.find(' ', pos);
    return line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

// Why did array task `job`_`task` end? scontrol knows for MinJobAge after the
// end (300 s by default); sacct needs accounting (slurmdbd), which small
// clusters may not run, so it is the second source.
TaskState task_state(const std::string& job, std::size_t task) {
    TaskState st;
    std::string id = job + "_" + std::to_string(task);
    auto r = run_command({"scontrol", "-o", "show", "job", id}, {}, std::chrono::seconds(30));
    if (r.exit_code == 0) {
        std::istringstream in(r.output);
        std::string line;
        while (std::getline(in, line)) {
            if (field(line, "ArrayTaskId") != std::to_string(task)) continue;
            st.state = field(line, "JobState");
            st.reason = field(line, "Reason");
            st.node = field(line, "BatchHost");
            st.exit_code = field(line, "ExitCode");
            if (!st.state.empty()) return st;
        }
    }
    r = run_command({"sacct", "-n", "-P", "-X", "-j", id, "-o", "State,NodeList,ExitCode"}, {}, std::chrono::seconds(30));
    if (r.exit_code == 0) {
        std::istringstream in(r.output);
        std::string line;
        if (std::getline(in, line)) {
            std::istringstream f(line);
            std::getline(f, st.state, '|');
            std::getline(f, st.node, '|');
            std::getline(f, st.exit_code, '|');
            st.state = st.state.substr(0, st.state.find(' '));   // "CANCELLED by 0"
        }
    }
    return st;
}

std::string describe(const std::string& job, std::size_t task, const TaskState& st, const fs::path& log) {
    std::string id = job + "_" + std::to_string(task);
    std::string where = !st.node.empty() && st.node != "(null)" ? " on " + st.node : "";
    std::string why = st.state.empty() ? "Slurm no longer knows why" : "State " + st.state;
    if (!st.reason.empty() && st.reason != "None") why += ", Reason " + st.reason;
    if (!st.exit_code.empty()) why += ", ExitCode " + st.exit_code;
    // COMPLETED/FAILED: the task ran to its end but wrote nothing for this
    // submission: conclab's own failure on the node; its log says more.
    std::string head = st.state == "COMPLETED" || st.state == "FAILED"
                           ? "the grading task " + id + where + " ended without a result for this submission"
                           : "Slurm ended the grading task " + id + where;
    return head + " (" + why + "; log " + log.string() + "); not the submission's fault, a re-run grades it again";
}

struct Queue {
    bool ok = false;
    std::set<std::size_t> alive;   // array task ids still in the queue
    std::size_t running = 0, pending = 0;
};

Queue read_queue(const std::string& job) {
    Queue q;
    // -r: one line per array task (otherwise pending tasks are folded into "0-99%4")
    auto r = run_command({"squeue", "-h", "-r", "-j", job, "-o", "%K %T"}, {}, std::chrono::seconds(30));
    if (r.exit_code != 0) {
        // a job that has left the controller entirely is "Invalid job id": nothing alive
        q.ok = r.output.find("Invalid job id") != std::string::npos;
        return q;
    }
    q.ok = true;
    std::istringstream in(r.output);
    std::string id, state;
    while (in >> id >> state) {
        std::size_t task = 0;
        try {
            task = std::stoul(id);
        } catch (...) {
            continue;
        }
        if (state == "COMPLETED") continue;
        // COMPLETING stays alive: until it ends, scontrol would say COMPLETING
        // and not why (CANCELLED, TIMEOUT…), which is what a TA is shown.
        q.alive.insert(task);
        if (state == "RUNNING" || state == "COMPLETING") ++q.running;
        else ++q.pending;
    }
    return q;
}

void write_task_result(const fs::path& run_dir, const std::string& id, const std::string& node, double seconds,
                       std::size_t task, const std::optional<SubmissionResult>& r, const std::string& failure) {
    json j;
    j["student"] = id;
    j["node"] = node;
    j["seconds"] = seconds;
    j["task"] = task;
    j["grader_version"] = config::version;
    if (r) j["result"] = json::parse(to_json(*r));
    else j["failure"] = failure;
    write_file_atomic(done_file(run_dir, id), j.dump());
}

}  // namespace

// ---------------------------------------------------------------- on the compute node

int run_slurm_task(const Course& course, const Toolchain& tc, const fs::path& run_dir, Tier asked) {
    const char* env = std::getenv("SLURM_ARRAY_TASK_ID");
    if (!env) {
        std::cerr << "conclab slurm-task: not in a Slurm array task (no SLURM_ARRAY_TASK_ID)\n";
        return 2;
    }
    std::size_t task = std::stoul(env);
    TaskConf conf = read_conf(run_dir);
    auto all = read_tasks(run_dir);
    std::size_t first = task * conf.chunk;
    std::size_t last = std::min(all.size(), first + conf.chunk);
    std::string node = node_name();
    std::cerr << "conclab slurm-task " << task << " on " << node << ": submissions " << first << ".." << last
              << " of " << all.size() << "\n";

    // Slurm's SIGTERM (scancel, time limit, preemption) stops at the next step;
    // the submission being graded gets no done file and the submitter asks Slurm why.
    std::stop_source stop;
    SignalScope signals("conclab slurm-task: stopping (Slurm ended this task)\n", stop);

    std::vector<const Exercise*> exercises;
    for (auto& ex : course.exercises)
        if (conf.exercises.empty() ||
            std::find(conf.exercises.begin(), conf.exercises.end(), ex.name) != conf.exercises.end())
            exercises.push_back(&ex);

    Tier tier = task_tier(asked);
    std::unique_ptr<Runner> runner;
    std::string problem;
    try {
        runner = make_runner(tier);
        problem = canary_on_node(*runner, tc, run_dir, tier);
    } catch (const std::exception& e) {
        problem = e.what();
    }
    for (std::size_t i = first; i < last && !stopping(); ++i) {
        const Student& s = all[i];
        if (fs::exists(done_file(run_dir, s.id))) continue;   // a requeued task: already graded
        auto t0 = Clock::now();
        std::optional<SubmissionResult> r;
        std::string failure;
        if (!problem.empty()) {
            failure = "cannot grade on node " + node + ": " + problem;
        } else {
            Graded g = grade_student(course, s, *runner, tc, 1, conf.exercises, stop.get_token());
            r = std::move(g.result);
            failure = std::move(g.failure);
        }
        if (stopping()) break;   // cut short: its result could not be trusted
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        write_task_result(run_dir, s.id, node, secs, task, r, failure);
        std::cerr << s.id << ": " << (r ? fmt_num(r->score) + " / " + fmt_num(r->max_score) : "ERROR " + failure)
                  << "\n";
    }
    return stopping() ? 143 : 0;
}

int run_slurm_preflight(const Course& course, const Toolchain& tc, const fs::path& run_dir, Tier asked) {
    std::vector<std::string> problems;
    std::string node = node_name();
    // The output directory must be the same on both sides: the submitter wrote a token.
    std::error_code ec;
    std::string token;
    try {
        token = read_file(run_dir / "preflight.token");
    } catch (...) {
    }
    const char* expect = std::getenv("CONCLAB_PREFLIGHT_TOKEN");
    if (!expect || token != expect)
        problems.push_back("the output directory " + run_dir.parent_path().parent_path().string() +
                           " is not shared with this node (it must be on a filesystem every node mounts at the "
                           "same path, e.g. NFS home or scratch)");
    // The toolchain conclab was built with.
    auto cxx = run_command({tc.cxx, "--version"}, {}, std::chrono::seconds(30));
    if (cxx.exit_code != 0)
        problems.push_back("the compiler " + tc.cxx + " does not run here: " + trim(cxx.output) +
                           " (install the same Debian packages as on the submitting host: ci/setup.sh)");
    for (auto* lib : {"libgtest_thread.a", "libgtest_address.a"})
        if (!fs::exists(tc.lib_dir / lib))
            problems.push_back("the built grader is not visible here: " + (tc.lib_dir / lib).string() +
                               " (build conclab once on the shared filesystem)");
    if (!fs::is_directory(course.root / "graders"))
        problems.push_back("the course tree " + course.root.string() + " is not visible here");
    // The sandbox: which tier, and why not a stronger one.
    Tier tier = task_tier(asked);
    std::ostringstream why;
    if (tier == Tier::bare && asked != Tier::bare) {   // asked for: the TA knows
        why << "no user namespaces here, so student code would run NOT isolated";
        std::string v = trim(read_file_or("/proc/sys/kernel/unprivileged_userns_clone"));
        if (v == "0") why << " (kernel.unprivileged_userns_clone=0)";
        v = trim(read_file_or("/proc/sys/user/max_user_namespaces"));
        if (v == "0") why << " (user.max_user_namespaces=0)";
        v = trim(read_file_or("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"));
        if (v == "1") why << " (kernel.apparmor_restrict_unprivileged_userns=1)";
        if (run_command({"bwrap", "--version"}, {}, std::chrono::seconds(10)).exit_code != 0)
            why << " (bubblewrap is not installed: apt-get install bubblewrap)";
        problems.push_back(why.str() + "; pass --sandbox bare to grade anyway");
    }
    std::string rnd = trim(read_file_or("/proc/sys/vm/mmap_rnd_bits"));
    try {
        auto runner = make_runner(tier);
        auto problem = canary_on_node(*runner, tc, run_dir, tier);
        if (!problem.empty())
            problems.push_back("the ThreadSanitizer canary failed in tier " + std::string(to_string(tier)) + ": " +
                               problem + " (vm.mmap_rnd_bits=" + rnd + "; above 28 needs `setarch -R`, util-linux)");
    } catch (const std::exception& e) {
        problems.push_back(std::string("the sandbox does not start: ") + e.what());
    }
    if (problems.empty()) {
        std::cout << "preflight on " << node << ": ok (sandbox " << to_string(tier) << ", vm.mmap_rnd_bits=" << rnd
                  << ", " << trim(cxx.output.substr(0, cxx.output.find('\n'))) << ")\n";
        return 0;
    }
    std::cout << "preflight on " << node << ": cannot grade there:\n";
    for (auto& p : problems) std::cout << "  - " << p << "\n";
    return 1;
}

// ---------------------------------------------------------------- on the submitting host

int run_batch_slurm(const Course& course, const Toolchain& tc, const BatchOptions& opt) {
    (void)tc;   // the tasks use the toolchain conclab was built with, on the nodes
    if (opt.tier == Tier::cgroup_bwrap)
        throw std::runtime_error(
            "--sandbox cgroup cannot be used with --backend slurm: Slurm's task cgroup holds the limits, and a "
            "cgroup of conclab's own would escape them (docs/cluster.md); use --sandbox auto or bwrap");
    if (!fs::is_directory(opt.submissions))
        throw std::runtime_error("not a directory: " + opt.submissions.string());
    const fs::path out = fs::absolute(opt.out).lexically_normal();
    fs::create_directories(out);
    DirLock lock(out);
    Gradebook gb(out);
    BatchOptions o = opt;
    o.out = out;
    Plan plan = make_plan(course, o, gb);
    const auto& todo = plan.todo;
    for (auto& s : todo)
        if (s.id.find_first_of("\t\n") != std::string::npos || s.root.string().find_first_of("\t\n") != std::string::npos)
            throw std::runtime_error("a student folder name holds a tab or newline: " + s.id);

    std::size_t chunk = opt.slurm.chunk > 0 ? std::size_t(opt.slurm.chunk)
                                            : std::max<std::size_t>(1, (todo.size() + kMaxTasks - 1) / kMaxTasks);
    std::size_t tasks = (todo.size() + chunk - 1) / chunk;
    std::cout << "conclab batch: " << plan.students.size() << " submissions in " << opt.submissions.string() << "; "
              << plan.skipped << " already graded (unchanged), " << todo.size() << " to grade";
    if (!todo.empty())
        std::cout << " on Slurm in " << tasks << " array tasks of " << chunk << (chunk == 1 ? " submission" : " submissions");
    std::cout << std::endl;

    std::string command = "conclab batch " + opt.submissions.string() + " --out " + out.string() + " --backend slurm";
    if (!opt.slurm.partition.empty()) command += " --partition " + opt.slurm.partition;
    for (auto& e : opt.exercises) command += " --exercise " + e;
    if (opt.regrade) command += " --regrade";
    auto run = gb.begin_run(config::version, command);
    if (todo.empty()) {
        Progress none(0, false);
        return finish(gb, run, plan, o, none, false, 0, 0);
    }
    auto fail = [&](const std::string& why) {
        std::cerr << "conclab batch: " << why << "\n";
        gb.end_run(run, "failed");
        return 2;
    };
    if (run_command({"sbatch", "--version"}, {}, std::chrono::seconds(30)).exit_code != 0)
        return fail("sbatch is not available here (is this a Slurm login node? is SLURM_CONF set?)");

    // The run directory: everything the tasks read, and where they write.
    fs::path run_dir = out / ".slurm" / ("run-" + std::to_string(run));
    fs::remove_all(run_dir);
    fs::create_directories(run_dir / "done");
    fs::create_directories(run_dir / "logs");
    {
        std::string tsv;
        for (auto& s : todo) tsv += s.id + "\t" + fs::absolute(s.root).string() + "\t" + s.hash + "\n";
        write_file_atomic(run_dir / "tasks.tsv", tsv);
        write_conf(run_dir, {chunk, opt.exercises, out});
    }
    const std::string exe = self_exe();
    std::string tier_arg = to_string(opt.tier);
    std::string time = opt.slurm.time.empty() ? default_time(plan.exercises, chunk) : opt.slurm.time;
    std::string mem = opt.slurm.mem.empty() ? default_mem(plan.exercises) : opt.slurm.mem;
    std::vector<std::string> common = {"--mem=" + mem, "--cpus-per-task=1"};
    if (!opt.slurm.partition.empty()) common.push_back("--partition=" + opt.slurm.partition);

    // ---- preflight: one short srun on a compute node
    if (opt.slurm.preflight) {
        std::random_device rd;
        std::string token = std::to_string(rd()) + std::to_string(rd()) + "-" + hostname();
        write_file_atomic(run_dir / "preflight.token", token);
        std::vector<std::string> argv = {"env", "CONCLAB_PREFLIGHT_TOKEN=" + token, "srun", "--nodes=1", "--ntasks=1",
                                         "--time=10", "--job-name=conclab-preflight", "--quiet"};
        argv.insert(argv.end(), common.begin(), common.end());
        argv.insert(argv.end(), opt.slurm.sbatch_args.begin(), opt.slurm.sbatch_args.end());
        for (auto& a : std::vector<std::string>{exe, "slurm-preflight", run_dir.string(), "--course",
                                                course.root.string(), "--sandbox", tier_arg})
            argv.push_back(a);
        std::cout << "preflight: srun on a compute node…" << std::endl;
        auto t0 = Clock::now();
        auto r = run_command(argv, run_dir, std::chrono::seconds(900));
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        if (r.exit_code != 0)
            return fail("the preflight on a compute node failed (" + fmt_duration(secs) + "), nothing was submitted:\n" +
                        trim(r.output));
        std::cout << trim(r.output) << "  (" << fmt_duration(secs) << ")" << std::endl;
    }

    // ---- sbatch the array
    {
        std::string script = "#!/bin/sh\n# written by conclab batch --backend slurm (run " + std::to_string(run) +
                             ")\nexec " + shell_quote(exe) + " slurm-task " + shell_quote(run_dir.string()) +
                             " --course " + shell_quote(course.root.string()) + " --sandbox " + tier_arg + "\n";
        write_file_atomic(run_dir / "grade.sbatch", script);
        ::chmod((run_dir / "grade.sbatch").c_str(), 0755);
    }
    std::string array = "--array=0-" + std::to_string(tasks - 1);
    if (opt.slurm.max_running > 0) array += "%" + std::to_string(opt.slurm.max_running);
    std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name=conclab-batch", array, "--time=" + time,
                                     // a node failure must not silently regrade: it is reported, and a re-run regrades
                                     "--no-requeue", "--output=" + (run_dir / "logs" / "task-%a.out").string(),
                                     "--chdir=" + run_dir.string()};
    argv.insert(argv.end(), common.begin(), common.end());
    argv.insert(argv.end(), opt.slurm.sbatch_args.begin(), opt.slurm.sbatch_args.end());
    argv.push_back((run_dir / "grade.sbatch").string());
    auto sb = run_command(argv, run_dir, std::chrono::seconds(120));
    std::string job = trim(sb.output);
    job = job.substr(0, job.find(';'));
    if (sb.exit_code != 0 || job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
        return fail("sbatch refused the job array: " + trim(sb.output));
    std::cout << "submitted job array " << job << " (" << tasks << " tasks, --time=" << time << " --mem=" << mem
              << (opt.slurm.partition.empty() ? "" : " --partition=" + opt.slurm.partition) << "); logs in "
              << (run_dir / "logs").string() << std::endl;

    // ---- watch and merge
    SignalScope signals(
        "\nconclab batch: stopping — cancelling the Slurm job array (scancel); what is graded is kept. Ctrl-C again "
        "to quit now.\n");
    bool live = ::isatty(STDOUT_FILENO) && !std::getenv("CI");
    Progress progress(todo.size(), live);
    std::map<std::string, std::size_t> index;   // student -> position in todo
    for (std::size_t i = 0; i < todo.size(); ++i) index[todo[i].id] = i;
    std::vector<bool> resolved(todo.size(), false);
    std::size_t left = todo.size(), errors = 0;
    std::map<std::size_t, Clock::time_point> ended;   // array task -> when first seen gone
    bool cancelled = false;

    auto merge = [&] {
        std::error_code ec;
        for (auto& e : fs::directory_iterator(run_dir / "done", ec)) {
            auto name = e.path().filename().string();
            if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;   // tmp files
            auto it = index.find(name.substr(0, name.size() - 5));
            if (it == index.end() || resolved[it->second]) continue;
            const Student& s = todo[it->second];
            std::optional<SubmissionResult> r;
            std::string failure, node;
            double secs = 0;
            try {
                json j = json::parse(read_file(e.path()));
                node = j.value("node", "");
                secs = j.value("seconds", 0.0);
                if (j.contains("result")) {
                    r = from_json(j["result"].dump());
                    r->submission = s.id;
                } else {
                    failure = j.value("failure", "the grading task wrote no result");
                }
            } catch (const std::exception& ex) {
                failure = std::string("the grading task's result cannot be read: ") + ex.what();
            }
            Stored st = store(gb, run, out, s, r, failure, plan.exercises, node);
            resolved[it->second] = true;
            --left;
            if (st.error) ++errors;
            char took[48];
            std::snprintf(took, sizeof took, "%.1f s", secs);
            progress.finished(s.id, st.line + "  (" + took + (node.empty() ? "" : ", " + node) + ")", st.below_full,
                              st.error, false);
        }
    };
    // The students of a task that is gone and did not write theirs: Slurm's fault.
    auto blame_slurm = [&](std::size_t task) {
        std::size_t first = task * chunk, last = std::min(todo.size(), first + chunk);
        bool any = false;
        for (std::size_t i = first; i < last; ++i) any |= !resolved[i];
        if (!any) return;
        TaskState ts = task_state(job, task);
        std::string why = describe(job, task, ts, run_dir / "logs" / ("task-" + std::to_string(task) + ".out"));
        for (std::size_t i = first; i < last; ++i) {
            if (resolved[i]) continue;
            Stored st = store(gb, run, out, todo[i], std::nullopt, why, plan.exercises, ts.node);
            resolved[i] = true;
            --left;
            ++errors;
            progress.finished(todo[i].id, st.line, false, true, false);
        }
    };

    auto last_queue = Clock::time_point{};
    std::size_t queue_failures = 0;
    // A done file is written before its task exits, but on NFS another host
    // may see it a little later (attribute caching): wait this long after a
    // task left the queue before blaming Slurm for what it did not write.
    const auto grace = std::chrono::seconds(std::getenv("CONCLAB_SLURM_GRACE")
                                                ? std::stoi(std::getenv("CONCLAB_SLURM_GRACE"))
                                                : 5);
    const auto poll = std::chrono::milliseconds(long(opt.slurm.poll_seconds * 1000));
    while (left > 0) {
        if (stopping()) {
            cancelled = true;
            break;
        }
        merge();
        if (left == 0) break;
        auto now = Clock::now();
        if (now - last_queue >= std::max(poll, std::chrono::milliseconds(1000))) {
            last_queue = now;
            Queue q = read_queue(job);
            if (!q.ok) {
                if (++queue_failures == 30) std::cerr << "conclab batch: squeue keeps failing; still waiting\n";
            } else {
                queue_failures = 0;
                progress.queue(q.running, q.pending);
                for (std::size_t t = 0; t < tasks; ++t)
                    if (!q.alive.count(t) && !ended.count(t)) ended[t] = now;
                bool merged = false;
                for (auto& [t, when] : ended)
                    if (now - when >= grace) {
                        if (!merged) merge();
                        merged = true;
                        blame_slurm(t);
                    }
            }
        }
        progress.tick();
        std::this_thread::sleep_for(std::min(poll, std::chrono::milliseconds(500)));
    }
    std::size_t abandoned = 0;
    if (cancelled) {
        run_command({"scancel", job}, {}, std::chrono::seconds(60));
        // Keep what landed: the tasks write their last results before they go.
        for (int i = 0; i < 20; ++i) {
            merge();
            Queue q = read_queue(job);
            if (q.ok && q.alive.empty()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        merge();
        abandoned = left;   // nothing stored for them: a re-run grades them
    }
    progress.close();
    return finish(gb, run, plan, o, progress, cancelled, errors, abandoned);
}

}  // namespace conclab
