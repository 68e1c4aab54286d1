// Time limits measured on the reference (calibration.hpp; docs/manifest.md,
// "Time limits").
#include "conclab/calibration.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

#include "conclab/build_cache.hpp"
#include "conclab/files.hpp"
#include "conclab/grade.hpp"

namespace conclab {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFileName = "calibration.yaml";

std::string secs(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", s);
    return buf;
}

}  // namespace

fs::path calibration_path(const fs::path& manifest) { return manifest.parent_path() / kFileName; }

std::string calibration_sources(const Course& course, const Exercise& ex) {
    ContentKey key;
    key.add("conclab-calibration-1");
    key.add_tree(course.grader_dir(ex.name));
    key.add_tree(course.root / "graders" / "common");
    key.add_tree(course.root / "reference" / ex.name);
    // The exercise folder minus what does not change a test's time: the
    // student's editable files (the reference's are graded), statements, this file.
    const fs::path folder = course.exercise_dir(ex.name);
    key.add_tree(folder, [&](const fs::path& file) {
        const std::string rel = fs::relative(file, folder).generic_string();
        return rel != kFileName && rel.rfind("README", 0) != 0 &&
               std::find(ex.files.begin(), ex.files.end(), rel) == ex.files.end();
    });
    return key.hex();
}

std::optional<Calibration> load_calibration(const fs::path& file) {
    if (!fs::exists(file)) return std::nullopt;
    const std::string name = file.string();
    YAML::Node root;
    try {
        root = YAML::LoadFile(name);
    } catch (const YAML::ParserException& e) {
        throw ManifestError(name, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
    } catch (const YAML::Exception& e) {
        throw ManifestError(name, 0, "", std::string("cannot read the file: ") + e.what());
    }
    auto fail = [&](const YAML::Node& n, const std::string& key, const std::string& what) {
        throw ManifestError(name, n.Mark().is_null() ? 0 : n.Mark().line + 1, key, what);
    };
    if (!root.IsMap()) fail(root, "", "expected a mapping (written by `conclab calibrate`)");
    Calibration c;
    try {
        for (const char* key : {"exercise", "sources", "runs", "seconds"})
            if (!root[key]) fail(root, key, "missing (run `conclab calibrate` again)");
        c.exercise = root["exercise"].as<std::string>();
        c.sources = root["sources"].as<std::string>();
        c.runs = root["runs"].as<int>();
        if (root["machine"]) c.machine = root["machine"].as<std::string>();
        if (!root["seconds"].IsMap()) fail(root["seconds"], "seconds", "expected test: seconds");
        for (const auto& kv : root["seconds"]) {
            const std::string test = kv.first.as<std::string>();
            double s = 0;
            try {
                s = kv.second.as<double>();
            } catch (const YAML::Exception&) {
                fail(kv.second, "seconds." + test, "expected a number of seconds");
            }
            if (!(s >= 0) || s > 3600) fail(kv.second, "seconds." + test, "must be 0..3600 seconds");
            c.seconds[test] = s;
        }
    } catch (const YAML::Exception& e) {
        throw ManifestError(name, e.mark.is_null() ? 0 : e.mark.line + 1, "", e.what());
    }
    return c;
}

std::string calibration_yaml(const Calibration& c) {
    std::string text =
        "# Written by `conclab calibrate " + c.exercise + "` (docs/manifest.md, \"Time limits\").\n"
        "# Each test's slowest run of the reference over `runs` gradings. A test whose\n"
        "# manifest does not pin its wall limit gets max(floor, factor x this time).\n"
        "# Review it like code: `make test` fails when `sources` no longer matches the graders.\n";
    YAML::Emitter e;
    e << YAML::BeginMap;
    e << YAML::Key << "exercise" << YAML::Value << c.exercise;
    e << YAML::Key << "sources" << YAML::Value << c.sources;
    e << YAML::Key << "runs" << YAML::Value << c.runs;
    e << YAML::Key << "machine" << YAML::Value << c.machine;
    e << YAML::Key << "seconds" << YAML::Value << YAML::BeginMap;
    for (const auto& [test, s] : c.seconds) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", s);
        e << YAML::Key << test << YAML::Value << buf;
    }
    e << YAML::EndMap << YAML::EndMap;
    return text + e.c_str() + "\n";
}

void apply_calibration(Exercise& ex, const Calibration& c) {
    const double floor_s = ex.calibration_floor.count() / 1000.0;
    for (auto& t : ex.tests) {
        if (t.is_symbol_scan() || t.wall_pinned) continue;
        auto it = c.seconds.find(t.name);
        if (it == c.seconds.end()) {
            t.limit_rule = "the exercise's default; not calibrated yet (conclab calibrate " + ex.name + ")";
            continue;
        }
        const double scaled = ex.calibration_factor * it->second;
        // Whole tenths of a second, rounded up: a limit people can read.
        const double limit = std::ceil(std::max(floor_s, scaled) * 10) / 10;
        t.limits.wall = std::chrono::milliseconds(static_cast<long>(limit * 1000));
        char factor[16];
        std::snprintf(factor, sizeof factor, "%g", ex.calibration_factor);
        t.limit_rule = scaled >= floor_s ? std::string(factor) + " × the reference solution's " + secs(it->second)
                                         : "the floor for every test; the reference solution takes " +
                                               secs(it->second);
    }
}

Exercise load_calibrated_exercise(const fs::path& manifest) {
    Exercise ex = load_exercise(manifest);
    if (auto c = load_calibration(calibration_path(manifest))) apply_calibration(ex, *c);
    return ex;
}

std::vector<std::string> calibrate_exercise(const Course& course, const Exercise& calibrated, Runner& runner,
                                            const Toolchain& tc, int runs, std::ostream& out) {
    const fs::path reference = course.root / "reference" / calibrated.name;
    if (!fs::is_directory(reference)) return {calibrated.name + ": no reference/" + calibrated.name + " to time"};
    // The manifest's own limits while measuring: a calibration must not be
    // cut short by the one it replaces.
    const Exercise ex = load_exercise(calibrated.manifest_path);
    Calibration c;
    c.exercise = ex.name;
    c.sources = calibration_sources(course, ex);
    c.runs = runs;
    c.machine = std::to_string(std::thread::hardware_concurrency()) + " cores";
    const Submission sub = Submission::flat(reference, ex.name, "reference");
    std::vector<std::string> problems;
    GradeOptions alone;
    alone.test_jobs = 1;   // each test's own time, not its time beside another
    for (int run = 1; run <= runs; ++run) {
        ExerciseResult r = grade_exercise(course, ex, sub, runner, tc, alone);
        out << ex.name << ": reference graded (" << run << "/" << runs << ")\n";
        for (std::size_t i = 0; i < r.tests.size(); ++i) {
            const TestResult& tr = r.tests[i];
            const TestSpec& spec = ex.tests[i];
            if (tr.status != Status::passed) {
                problems.push_back(ex.name + ": the reference did not pass " + tr.name + " (" + to_string(tr.status) +
                                   "): " + tr.message.substr(0, 300));
                continue;
            }
            if (spec.is_symbol_scan()) continue;
            const double each = tr.seconds / std::max(1, spec.repeat);
            c.seconds[tr.name] = std::max(c.seconds[tr.name], each);
        }
        if (!problems.empty()) return problems;
    }
    write_file_atomic(calibration_path(ex.manifest_path), calibration_yaml(c));
    Exercise now = ex;
    apply_calibration(now, c);
    for (const auto& t : now.tests) {
        if (t.is_symbol_scan()) continue;
        out << "  " << t.name << ": " << secs(c.seconds[t.name]) << " -> limit " << secs(t.limits.wall.count() / 1000.0)
            << " (" << t.limit_rule << ")\n";
    }
    out << "wrote " << fs::relative(calibration_path(ex.manifest_path), course.root).string() << "\n";
    return {};
}

std::vector<std::string> check_calibration(const Course& course, const Exercise& ex) {
    const fs::path file = calibration_path(ex.manifest_path);
    const std::string rel = fs::relative(file, course.root).string();
    std::optional<Calibration> c;
    try {
        c = load_calibration(file);
    } catch (const ManifestError& e) {
        return {e.what()};
    }
    const std::string again = " Run `build/bin/conclab calibrate " + ex.name + "` and commit the file.";
    if (!c) return {rel + " is missing." + again};
    std::vector<std::string> problems;
    if (c->exercise != ex.name) problems.push_back(rel + " describes exercise '" + c->exercise + "'.");
    if (c->sources != calibration_sources(course, ex))
        problems.push_back(rel + " was measured on other grader sources: the graders, the kit, the reference or " +
                           "the manifest changed since." + again);
    for (const auto& t : ex.tests)
        if (!t.is_symbol_scan() && !t.wall_pinned && !c->seconds.count(t.name))
            problems.push_back(rel + " has no time for test " + t.name + "." + again);
    for (const auto& [name, s] : c->seconds)
        if (std::none_of(ex.tests.begin(), ex.tests.end(), [&](const TestSpec& t) { return t.name == name; }))
            problems.push_back(rel + " times a test the manifest does not have: " + name + "." + again);
    return problems;
}

}  // namespace conclab
