// `conclab handout`: the student repository (handout.hpp).
//
// What goes in (a whitelist, so that nothing added to the course later leaks by
// default): CMakeLists.txt, Makefile, README.md (handout/README.md, the
// students' one, when it exists), .gitignore, LICENSE*, harness/, ci/, docs/,
// .devcontainer/, and for each exercise that has a manifest exercises/<ex>/
// and graders/<ex>/, and graders/common/ (the grader kit).
// ci/github/grade.yml is also installed as
// .github/workflows/grade.yml so the students' pushes are graded.
//
// What stays out: reference/, tests/ (known-wrong and hostile corpora, the
// project's own tests), bench/, demo/, .git, build/; in graders/<ex>/ the
// sources of hidden builds (unless a visible build uses them too) and anything
// named hidden* or inside a hidden/ folder; in each manifest the hidden tests
// and builds (the handout's `points` is the sum of its visible tests).
#include "conclab/handout.hpp"
#include "conclab/calibration.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conclab/files.hpp"
#include "conclab/text.hpp"

namespace fs = std::filesystem;

namespace conclab {
namespace {

const std::set<std::string> kTopFiles = {"CMakeLists.txt", "Makefile", "README.md", ".gitignore",
                                         ".clang-format", "LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"};
const std::set<std::string> kTopDirs = {"harness", "ci", "docs", ".devcontainer"};
// never copied, at any depth
const std::set<std::string> kNeverDirs = {".git", "build", ".cache", "__pycache__"};

bool named_hidden(const fs::path& rel) {
    for (auto& part : rel) {
        auto s = part.string();
        if (s == "hidden" || s.rfind("hidden_", 0) == 0 || s.rfind("hidden.", 0) == 0 || s.rfind("hidden-", 0) == 0)
            return true;
    }
    return false;
}

// Copies a tree: regular files and directories only (a symlink could point at
// reference/ or anywhere else), skipping kNeverDirs and what `skip` rejects
// (paths relative to `from`).
template <class Skip>
void copy_tree(const fs::path& from, const fs::path& to, Skip skip) {
    fs::create_directories(to);
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        const auto& p = it->path();
        auto rel = p.lexically_relative(from);
        auto name = p.filename().string();
        if (it->is_symlink()) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory()) {
            if (kNeverDirs.count(name) || skip(rel)) {
                it.disable_recursion_pending();
                continue;
            }
            fs::create_directories(to / rel);
        } else if (it->is_regular_file()) {
            if (skip(rel)) continue;
            fs::copy_file(p, to / rel, fs::copy_options::overwrite_existing);
            fs::permissions(to / rel, fs::status(p).permissions());
        }
    }
}

// Grader files (relative to graders/<ex>/) that must stay out of the handout.
std::set<fs::path> hidden_sources(const Exercise& ex) {
    std::set<fs::path> visible, hidden;
    for (auto& b : ex.builds)
        for (auto& s : b.sources) (b.hidden ? hidden : visible).insert(fs::path(s).lexically_normal());
    std::set<fs::path> out;
    for (auto& h : hidden)
        if (!visible.count(h)) out.insert(h);
    return out;
}

bool test_is_hidden(const Exercise& ex, const TestSpec& t) {
    if (t.hidden) return true;
    auto* b = t.build.empty() ? nullptr : ex.find_build(t.build);
    return b && b->hidden;
}

// ---------------------------------------------------------------- manifest rewrite

bool scalar_needs_quotes(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    return n.Tag() == "!" || s.empty() || s.find('\n') != std::string::npos || s.find('\t') != std::string::npos;
}

// Multi-line text (hints) as a `|` block when that reads back exactly: one
// final newline (clip), no leading blank on the first line, printable only.
bool literal_ok(const std::string& s) {
    if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
    if (s.front() == ' ' || s.front() == '\t' || s.front() == '\n') return false;
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
    if (s.find(" \n") != std::string::npos) return false;
    return true;
}

void emit(YAML::Emitter& out, const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map:
            out << YAML::BeginMap;
            for (auto kv : n) {
                out << YAML::Key << kv.first.Scalar() << YAML::Value;
                emit(out, kv.second);
            }
            out << YAML::EndMap;
            break;
        case YAML::NodeType::Sequence: {
            bool short_scalars = n.size() <= 8;
            for (auto item : n)
                if (!item.IsScalar() || item.Scalar().size() > 40 || item.Scalar().find('\n') != std::string::npos)
                    short_scalars = false;
            if (short_scalars) out << YAML::Flow;
            out << YAML::BeginSeq;
            for (auto item : n) emit(out, item);
            out << YAML::EndSeq;
            break;
        }
        case YAML::NodeType::Scalar:
            if (literal_ok(n.Scalar())) out << YAML::Literal << n.Scalar();
            else if (scalar_needs_quotes(n)) out << YAML::DoubleQuoted << n.Scalar();
            else out << n.Scalar();
            break;
        case YAML::NodeType::Null:
            out << YAML::Null;
            break;
        case YAML::NodeType::Undefined:
            break;
    }
}

std::string number_text(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    std::ostringstream s;
    s.precision(12);
    s << v;
    return s.str();
}

// The manifest without hidden tests and builds.
std::string handout_manifest(const Exercise& ex) {
    YAML::Node root = YAML::LoadFile(ex.manifest_path.string());
    std::set<std::string> hidden_tests, hidden_builds;
    double visible_points = 0;
    for (auto& t : ex.tests) {
        if (test_is_hidden(ex, t)) hidden_tests.insert(t.name);
        else visible_points += t.points;
    }
    for (auto& b : ex.builds)
        if (b.hidden) hidden_builds.insert(b.name);

    YAML::Node out(YAML::NodeType::Map);
    for (auto kv : root) {
        std::string key = kv.first.Scalar();
        if (key == "tests") {
            YAML::Node tests(YAML::NodeType::Sequence);
            for (auto t : kv.second)
                if (!(t["name"] && hidden_tests.count(t["name"].Scalar()))) tests.push_back(t);
            out[key] = tests;
        } else if (key == "builds") {
            YAML::Node builds(YAML::NodeType::Map);
            for (auto b : kv.second)
                if (!hidden_builds.count(b.first.Scalar())) builds[b.first.Scalar()] = b.second;
            out[key] = builds;
        } else if (key == "points") {
            out[key] = number_text(visible_points);
        } else {
            out[key] = kv.second;
        }
    }
    YAML::Emitter e;
    e.SetIndent(2);
    emit(e, out);
    if (!e.good()) throw std::runtime_error("cannot write the handout manifest of " + ex.name + ": " + e.GetLastError());
    std::string text = "# The handout's manifest (written by `conclab handout`): the visible tests.\n"
                       "# See docs/manifest.md.\n";
    text += e.c_str();
    text += "\n";
    return text;
}

// The rewritten manifest must mean what the original means, minus hidden tests.
void check_same_visible(const Exercise& original, const Exercise& handout) {
    std::vector<const TestSpec*> want;
    for (auto& t : original.tests)
        if (!test_is_hidden(original, t)) want.push_back(&t);
    auto fail = [&](const std::string& what) {
        throw std::runtime_error("handout manifest of " + original.name + " differs from the course's: " + what);
    };
    if (handout.tests.size() != want.size()) fail("number of tests");
    for (std::size_t i = 0; i < want.size(); ++i) {
        auto& a = *want[i];
        auto& b = handout.tests[i];
        if (a.name != b.name || a.points != b.points || a.build != b.build || a.gtest != b.gtest ||
            a.args != b.args || a.stdin_data != b.stdin_data || a.exit_code != b.exit_code || a.hint != b.hint ||
            a.repeat != b.repeat || a.exclusive != b.exclusive || a.waits != b.waits || a.forbid_symbols != b.forbid_symbols ||
            a.stdout_matchers.size() != b.stdout_matchers.size() || a.stderr_matchers.size() != b.stderr_matchers.size() ||
            a.limits.wall != b.limits.wall || a.limits.memory != b.limits.memory)
            fail("test " + a.name);
        for (std::size_t k = 0; k < a.stdout_matchers.size(); ++k)
            if (a.stdout_matchers[k].text != b.stdout_matchers[k].text ||
                a.stdout_matchers[k].lines != b.stdout_matchers[k].lines)
                fail("stdout of test " + a.name);
        for (std::size_t k = 0; k < a.stderr_matchers.size(); ++k)
            if (a.stderr_matchers[k].text != b.stderr_matchers[k].text ||
                a.stderr_matchers[k].lines != b.stderr_matchers[k].lines)
                fail("stderr of test " + a.name);
    }
    if (handout.files != original.files) fail("files");
}

// ---------------------------------------------------------------- verification helpers

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) out.push_back(l);
    return out;
}

// Lines that say nothing about a solution: blank, braces and punctuation only,
// short (< 12 non-space characters), #include.
bool telling(const std::string& norm) {
    if (norm.rfind("#include", 0) == 0) return false;
    std::size_t non_space = 0;
    bool word = false;
    for (unsigned char c : norm) {
        if (c != ' ') ++non_space;
        if (std::isalnum(c)) word = true;
    }
    return word && non_space >= 12;
}

bool looks_binary(const std::string& text) { return text.find('\0') != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------- write

void write_handout(const Course& course, const fs::path& out) {
    if (fs::exists(out)) {
        if (!fs::is_directory(out) || !fs::is_empty(out))
            throw std::runtime_error("handout: " + out.string() + " exists and is not an empty directory");
    }
    auto root = course.root;
    auto out_abs = fs::absolute(out).lexically_normal();
    auto root_abs = fs::absolute(root).lexically_normal();
    {
        auto rel = out_abs.lexically_relative(root_abs);
        if (!rel.empty() && *rel.begin() != "..")
            throw std::runtime_error("handout: " + out.string() + " is inside the course tree; write it elsewhere");
    }
    fs::create_directories(out);

    for (auto& e : fs::directory_iterator(root)) {
        auto name = e.path().filename().string();
        if (e.is_symlink()) continue;
        if (e.is_regular_file() && (kTopFiles.count(name) || name.rfind("LICENSE", 0) == 0)) {
            fs::copy_file(e.path(), out / name);
            fs::permissions(out / name, fs::status(e.path()).permissions());
        } else if (e.is_directory() && kTopDirs.count(name)) {
            copy_tree(e.path(), out / name, [](const fs::path&) { return false; });
        }
    }
    // Students get a README written for them (handout/README.md), not the
    // course's (TA and maintainer sections, links outside the repository).
    auto student_readme = root / "handout" / "README.md";
    if (fs::is_regular_file(student_readme) && !fs::is_symlink(student_readme))
        fs::copy_file(student_readme, out / "README.md", fs::copy_options::overwrite_existing);

    for (auto& ex : course.exercises) {
        copy_tree(course.exercise_dir(ex.name), out / "exercises" / ex.name,
                  [](const fs::path& rel) { return named_hidden(rel); });
        auto hidden = hidden_sources(ex);
        if (fs::is_directory(course.grader_dir(ex.name)))
            copy_tree(course.grader_dir(ex.name), out / "graders" / ex.name, [&](const fs::path& rel) {
                return hidden.count(rel.lexically_normal()) > 0 || named_hidden(rel);
            });

        auto manifest = handout_manifest(ex);
        auto manifest_out = out / "exercises" / ex.name / ex.manifest_path.filename();
        write_file_atomic(manifest_out, manifest);
        // the loader accepts it (points add up, sources exist) and it means the same
        // The calibration travels with the exercise (`make check` uses the same
        // limits), minus the times of hidden tests: their names stay hidden.
        if (auto c = load_calibration(calibration_path(ex.manifest_path))) {
            for (const auto& t : ex.tests)
                if (test_is_hidden(ex, t)) c->seconds.erase(t.name);
            write_file_atomic(calibration_path(manifest_out), calibration_yaml(*c));
        }
        check_same_visible(ex, load_calibrated_exercise(manifest_out));
    }

    // The grader kit every exercise's graders include (graders/common/README.md).
    if (fs::is_directory(root / "graders" / "common"))
        copy_tree(root / "graders" / "common", out / "graders" / "common",
                  [](const fs::path& rel) { return named_hidden(rel); });

    // the students' CI: grade every push with the visible tests
    auto workflow = root / "ci" / "github" / "grade.yml";
    if (fs::is_regular_file(workflow)) {
        fs::create_directories(out / ".github" / "workflows");
        fs::copy_file(workflow, out / ".github" / "workflows" / "grade.yml", fs::copy_options::overwrite_existing);
    }
}

// ---------------------------------------------------------------- verify

std::vector<std::string> verify_handout(const Course& course, const fs::path& handout) {
    std::vector<std::string> problems;
    if (!fs::is_directory(handout)) return {"no handout at " + handout.string()};

    for (const char* forbidden : {"reference", "tests", "tests/known-wrong", "tests/hostile", ".git"})
        if (fs::exists(handout / forbidden)) problems.push_back(std::string(forbidden) + "/ is in the handout");

    // every handout file, for the searches below
    struct File {
        fs::path rel;
        std::string top, exercise;            // "exercises"/"graders" + exercise name, or the top folder/file
        std::vector<std::string> lines;       // normalized
        std::map<std::string, std::size_t> first_line;
        std::string flat;
    };
    std::vector<File> files;
    for (auto it = fs::recursive_directory_iterator(handout); it != fs::recursive_directory_iterator(); ++it) {
        auto rel = it->path().lexically_relative(handout);
        if (it->is_symlink()) {
            problems.push_back(rel.string() + ": a symbolic link (could point at the reference)");
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory() && (rel == "build" || it->path().filename() == ".git")) {
            it.disable_recursion_pending();   // a student's own build output
            continue;
        }
        if (!it->is_regular_file()) continue;
        auto text = read_file(it->path());
        if (looks_binary(text) || text.size() > (8u << 20)) continue;
        File f;
        f.rel = rel;
        auto part = rel.begin();
        f.top = part->string();
        if (++part != rel.end() && (f.top == "exercises" || f.top == "graders")) f.exercise = part->string();
        for (auto& l : lines_of(text)) {
            f.lines.push_back(fold_spaces(l));
            f.first_line.emplace(f.lines.back(), f.lines.size());
        }
        for (auto& l : f.lines) f.flat += l + "\n";
        files.push_back(std::move(f));
    }
    // Lines of the engine (harness/) are generic C++ (`} catch (...) {`,
    // `::close(fd);`): a reference line that is also one of them reveals nothing.
    std::set<std::string> generic;
    if (fs::is_directory(course.root / "harness"))
        for (auto& e : fs::recursive_directory_iterator(course.root / "harness"))
            if (e.is_regular_file())
                for (auto& l : lines_of(read_file(e.path()))) {
                    generic.insert(fold_spaces(l));
                    auto comment = l.find("//");
                    if (comment != std::string::npos) generic.insert(fold_spaces(l.substr(0, comment)));
                }

    for (auto& ex : course.exercises) {
        // hidden grader sources
        for (auto& src : hidden_sources(ex))
            if (fs::exists(handout / "graders" / ex.name / src))
                problems.push_back("graders/" + ex.name + "/" + src.string() + ": a hidden build's source is in the handout");
        // hidden tests in the handout's manifest
        auto manifest = handout / "exercises" / ex.name / ex.manifest_path.filename();
        if (!fs::exists(manifest)) {
            problems.push_back("exercises/" + ex.name + "/" + ex.manifest_path.filename().string() + ": missing");
        } else {
            try {
                Exercise h = load_exercise(manifest);
                for (auto& t : h.tests)
                    if (test_is_hidden(h, t))
                        problems.push_back(manifest.lexically_relative(handout).string() + ": hidden test " + t.name +
                                           " is listed");
                for (auto& b : h.builds)
                    if (b.hidden)
                        problems.push_back(manifest.lexically_relative(handout).string() + ": hidden build " + b.name +
                                           " is listed");
                std::set<std::string> course_hidden;
                for (auto& t : ex.tests)
                    if (test_is_hidden(ex, t)) course_hidden.insert(t.name);
                for (auto& t : h.tests)
                    if (course_hidden.count(t.name))
                        problems.push_back(manifest.lexically_relative(handout).string() + ": hidden test " + t.name +
                                           " is listed");
            } catch (const std::exception& e) {
                problems.push_back(std::string("the handout's manifest does not load: ") + e.what());
            }
        }
        // a hidden GoogleTest case whose code ships in a visible source
        for (auto& t : ex.tests) {
            if (!test_is_hidden(ex, t) || t.gtest.empty()) continue;
            auto* b = ex.find_build(t.build);
            if (b && b->hidden) continue;
            auto name = t.gtest.substr(t.gtest.rfind('.') == std::string::npos ? 0 : t.gtest.rfind('.') + 1);
            if (name.empty() || name.find_first_of("*?:-") != std::string::npos) continue;
            for (auto& f : files)
                if (f.rel.begin() != f.rel.end() && *f.rel.begin() == "graders" && f.flat.find(name) != std::string::npos)
                    problems.push_back(f.rel.string() + ": holds the code of hidden test " + ex.name + "/" + t.name +
                                       " (gtest " + t.gtest + "): put it in a hidden build");
        }

        // reference lines that differ from the stub, in this exercise's files
        // (exercises/<ex>/, graders/<ex>/) or in the shared ones (README.md,
        // docs/, ci/, ...); the engine (harness/) is generic code, not searched
        auto ref_dir = course.root / "reference" / ex.name;
        if (!fs::is_directory(ref_dir)) continue;
        for (auto& e : fs::recursive_directory_iterator(ref_dir)) {
            if (!e.is_regular_file()) continue;
            auto rel_ref = e.path().lexically_relative(ref_dir);
            // the stub: the exercise's editable files (a reference .cpp repeats stub .hpp lines)
            std::set<std::string> stub;
            std::set<fs::path> stub_files;
            for (auto& name : ex.files) stub_files.insert(course.exercise_dir(ex.name) / name);
            stub_files.insert(course.exercise_dir(ex.name) / rel_ref);
            for (auto& sf : stub_files)
                if (fs::is_regular_file(sf))
                    for (auto& l : lines_of(read_file(sf))) stub.insert(fold_spaces(l));
            auto ref_lines = lines_of(read_file(e.path()));
            std::set<std::string> reported;
            for (std::size_t i = 0; i < ref_lines.size(); ++i) {
                auto norm = fold_spaces(ref_lines[i]);
                if (!telling(norm) || stub.count(norm) || generic.count(norm) || reported.count(norm)) continue;
                for (auto& f : files) {
                    // graders/common (the grader kit) is shared by every exercise: searched for each
                    const bool kit = f.top == "graders" && f.exercise == "common";
                    bool in_scope = kit || (f.exercise.empty()
                                                ? f.top != "harness" && f.top != "exercises" && f.top != "graders"
                                                : f.exercise == ex.name);
                    if (!in_scope) continue;
                    auto hit = f.first_line.find(norm);
                    if (hit == f.first_line.end()) continue;
                    problems.push_back(f.rel.string() + ":" + std::to_string(hit->second) + ": has line " +
                                       std::to_string(i + 1) + " of reference/" + ex.name + "/" + rel_ref.string() +
                                       ": " + norm);
                    reported.insert(norm);
                    break;
                }
            }
        }
    }
    return problems;
}

}  // namespace conclab
