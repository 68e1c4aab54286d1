// `conclab verify`: grading a case of the corpus and checking the verdicts its
// expect.yaml promises (docs/corpus.md). Hostile cases also check containment:
// no process of the run survives, a host loopback listener hears nothing,
// files outside the scratch directory stay absent.
#include "conclab/verify.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <thread>

#include "conclab/bounds.hpp"
#include "conclab/grade.hpp"
#include "conclab/report.hpp"
#include "conclab/score.hpp"

namespace conclab {

namespace fs = std::filesystem;

namespace {

// A UDP socket on the host's loopback that a sandboxed program must not reach.
class HostListener {
public:
    explicit HostListener(int port) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("cannot bind the host listener on 127.0.0.1:" + std::to_string(port));
    }
    ~HostListener() { ::close(fd_); }
    bool heard_anything() const {
        char buf[64];
        return ::recv(fd_, buf, sizeof buf, 0) >= 0;
    }

private:
    int fd_ = -1;
};

// Processes still running a program from below `root` (their executable lives in a scratch dir).
std::vector<std::string> leftovers(const fs::path& root) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string pid = e.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec2;
        fs::path exe = fs::read_symlink(e.path() / "exe", ec2);
        // Below the directory, not beside it: /tmp/conclab-verify-311 must not claim the
        // programs of a parallel verify's /tmp/conclab-verify-3110 (a CI run failed on that).
        if (!ec2 && exe.string().rfind(root.string() + "/", 0) == 0) found.push_back(pid + " " + exe.string());
    }
    return found;
}

}  // namespace

std::vector<std::string> verify_case(const Course& course, Runner& runner, const Toolchain& tc,
                                     const VerifyOptions& opt, std::ostream& out) {
    std::vector<std::string> problems;
    YAML::Node spec;
    const fs::path expect_file = opt.dir / "expect.yaml";
    std::string exercise = opt.exercise, expect = opt.expect;
    if (expect.empty()) {
        if (!fs::exists(expect_file)) throw std::runtime_error(expect_file.string() + ": missing (or pass --expect)");
        spec = YAML::LoadFile(expect_file.string());
        if (exercise.empty()) exercise = spec["exercise"].as<std::string>("");
        expect = "spec";
    }
    const Exercise* ex = course.find(exercise);
    if (!ex) throw std::runtime_error("no exercise '" + exercise + "' (" + expect_file.string() + ")");

    auto names = [&](const char* key) {
        std::vector<std::string> v;
        if (spec[key])
            for (const auto& n : spec[key]) v.push_back(n.as<std::string>());
        return v;
    };
    auto known = [&](const std::string& test) {
        for (const auto& t : ex->tests)
            if (t.name == test) return true;
        return false;
    };
    // A renamed test must not make a case silently vacuous.
    for (const char* key : {"must_fail", "must_pass", "unstable"})
        for (const auto& n : names(key))
            if (!known(n)) problems.push_back(std::string(key) + ": no test named '" + n + "' in " + ex->name);
    for (const char* key : {"status", "message"})
        if (spec[key])
            for (const auto& kv : spec[key])
                if (!known(kv.first.as<std::string>()))
                    problems.push_back(std::string(key) + ": no test named '" + kv.first.as<std::string>() + "'");
    // A correct-but-unusual solution (tests/correct/) must keep every point.
    const bool full_marks = spec["full_marks"] && spec["full_marks"].as<bool>();
    if (expect == "spec" && !full_marks && names("must_fail").empty() && names("must_pass").empty() &&
        !spec["status"])
        problems.push_back("expect.yaml names no test (must_fail, must_pass or status): it would prove nothing");
    if (!problems.empty()) {
        for (const auto& p : problems) out << "VERIFY FAILED: " << expect_file.string() << ": " << p << "\n";
        return problems;
    }

    // Hostile code must never run unisolated: kill(-1) or a fork bomb would hit the machine itself.
    if (spec["needs_isolation"] && spec["needs_isolation"].as<bool>() && !runner.isolated()) {
        problems.push_back("this hostile case needs an isolating sandbox, and this machine gives `" + runner.tier() +
                           "`: not run");
        for (const auto& p : problems) out << "VERIFY FAILED: " << opt.dir.string() << ": " << p << "\n";
        return problems;
    }

    std::optional<HostListener> listener;
    if (spec["host_listener"]) listener.emplace(spec["host_listener"].as<int>());

    GradeOptions gopt;
    gopt.exercises = {exercise};
    gopt.keep_scratch = opt.keep_scratch;
    gopt.test_jobs = opt.test_jobs;
    gopt.scratch_root = fs::temp_directory_path() / ("conclab-verify-" + std::to_string(::getpid()));
    // A corpus case holds only what it changes; the rest is the stub's.
    Submission sub = expect == "spec" ? Submission::corpus_case(opt.dir, exercise, course.exercise_dir(exercise))
                                      : Submission::flat(opt.dir, exercise, opt.dir.filename().string());
    std::optional<double> first_score;
    // A case's verdicts must be the same in every grading (docs/corpus.md):
    // wrong code must lose the same points every time. `unstable` names the
    // tests known not to be yet; they are left out of the comparison, and
    // then so is the total.
    std::vector<std::string> unstable = names("unstable");
    auto is_unstable = [&](const std::string& n) {
        return std::find(unstable.begin(), unstable.end(), n) != unstable.end();
    };
    std::map<std::string, Status> first_status;
    for (int run = 0; run < opt.runs && problems.empty(); ++run) {
        // Grading 1 runs the tests one at a time, the others as `grade`
        // does by default (several at once): the comparison below then also
        // proves that running tests concurrently changes no verdict
        // (docs/design.md, "Concurrent tests").
        gopt.test_jobs = run == 0 && opt.runs > 1 ? 1 : opt.test_jobs;
        SubmissionResult r = grade_submission(course, sub, runner, tc, gopt);
        write_terminal(out, r);
        const ExerciseResult& er = r.exercises.at(0);
        auto test = [&](const std::string& name) -> const TestResult* {
            for (const auto& t : er.tests)
                if (t.name == name) return &t;
            return nullptr;
        };
        if (any_status(r, Status::error)) problems.push_back("a test ended in `error` (the grader's own failure)");
        // Every grading, whatever the program did: bounded reports, and a
        // tampered test always carries its evidence (docs/security.md).
        if (to_json(r).size() > kResultJsonBytes) problems.push_back("results.json is larger than 1 MiB");
        for (const auto& t : er.tests) {
            if (t.output.size() > kTestOutputBytes)
                problems.push_back("test " + t.name + " keeps more than 64 KiB of output");
            if (t.status == Status::tampered && t.evidence.empty())
                problems.push_back("test " + t.name + " is `tampered` without evidence");
        }
        if (first_score && *first_score != r.score && unstable.empty())
            problems.push_back("graded " + std::to_string(run + 1) + " times, scored " + format_points(*first_score) +
                               " then " + format_points(r.score) + ": the grader is not deterministic");
        first_score = r.score;
        for (const auto& t : er.tests) {
            if (is_unstable(t.name)) continue;
            auto [it, first] = first_status.emplace(t.name, t.status);
            if (!first && (it->second == Status::passed) != (t.status == Status::passed))
                problems.push_back("test " + t.name + " was `" + to_string(it->second) + "` in grading 1 and `" +
                                   to_string(t.status) + "` in grading " + std::to_string(run + 1) +
                                   ": its verdict is not stable");
        }
        if (expect == "full" && !all_passed(r)) problems.push_back("expected full marks");
        if (expect == "loss" && r.score >= r.max_score) problems.push_back("expected to lose points, got full marks");
        if (expect != "spec") continue;
        if (full_marks) {
            if (!all_passed(r)) problems.push_back("a correct solution lost points (full_marks: true)");
            continue;
        }
        if (!spec["full_marks_allowed"] && r.score >= r.max_score)
            problems.push_back("expected to lose points, got full marks");
        for (const auto& n : names("must_fail"))
            if (const TestResult* t = test(n); t && t->status == Status::passed)
                problems.push_back("test " + n + " passed; it must catch this bug");
        for (const auto& n : names("must_pass"))
            if (const TestResult* t = test(n); t && t->status != Status::passed)
                problems.push_back("test " + n + " did not pass (" + to_string(t->status) + ")");
        if (spec["status"])
            for (const auto& kv : spec["status"]) {
                const TestResult* t = test(kv.first.as<std::string>());
                if (t && to_string(t->status) != kv.second.as<std::string>())
                    problems.push_back("test " + t->name + " is `" + to_string(t->status) + "`, expected `" +
                                       kv.second.as<std::string>() + "`");
            }
        if (spec["message"])
            for (const auto& kv : spec["message"]) {
                const TestResult* t = test(kv.first.as<std::string>());
                if (!t) continue;
                std::string all = t->message + "\n" + er.message;
                for (const auto& f : t->findings) all += "\n" + f.kind + " " + f.message;
                if (all.find(kv.second.as<std::string>()) == std::string::npos)
                    problems.push_back("test " + t->name + "'s message lacks \"" + kv.second.as<std::string>() + "\"");
            }
    }
    // Containment: nothing of the runs may survive them.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const auto& p : leftovers(gopt.scratch_root)) problems.push_back("process left running after grading: " + p);
    if (listener && listener->heard_anything())
        problems.push_back("the host's loopback listener received data from the sandboxed program");
    for (const auto& f : names("files_absent"))
        if (fs::exists(f)) {
            problems.push_back("file outside the scratch directory was written: " + f);
            std::error_code ec;
            fs::remove_all(f, ec);
        }
    std::error_code ec;
    if (!opt.keep_scratch) fs::remove_all(gopt.scratch_root, ec);

    for (const auto& p : problems) out << "VERIFY FAILED: " << opt.dir.string() << ": " << p << "\n";
    if (problems.empty()) out << "verified: " << opt.dir.string() << " (" << expect << ")\n";
    return problems;
}

}  // namespace conclab
