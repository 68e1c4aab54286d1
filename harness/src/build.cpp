// Build step: overlay the student's files on the course tree in a scratch
// directory and compile per build variant. Only the student's translation units
// are compiled per submission; grader objects are cached by the content of
// everything they include (the student's header may change their layout), and
// GoogleTest is built once per sanitizer by CMake.
#include "conclab/build.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <unistd.h>

#include <re2/re2.h>

#include "conclab/build_cache.hpp"
#include "conclab/cpu_budget.hpp"
#include "conclab/config.hpp"
#include "conclab/files.hpp"
#include "conclab/header_context.hpp"
#include "conclab/macrocheck.hpp"
#include "conclab/objcheck.hpp"

namespace conclab {

namespace fs = std::filesystem;

Toolchain Toolchain::from_config() {
    Toolchain tc;
    tc.cxx = config::cxx;
    tc.gtest_include = config::gtest_include;
    tc.lib_dir = config::lib_dir;
    tc.cache_dir = fs::path(config::build_dir) / "grader-cache";
    // Another build's cache, shared: every entry is keyed by what it was made
    // from, so a hit is the same compile (docs/design.md, "Build caches").
    // The handout check points its fresh build at the course build's cache.
    if (const char* dir = std::getenv("CONCLAB_GRADER_CACHE"); dir && *dir) tc.cache_dir = dir;
    // Whole builds are about 35 MB each (pool_copy: three executables and the
    // student's objects); 2 GiB keeps the last ~60. CONCLAB_BUILD_CACHE_MB=0
    // switches the whole-build cache off (docs/design.md, "Build caches").
    if (const char* mb = std::getenv("CONCLAB_BUILD_CACHE_MB"); mb && *mb)
        tc.build_cache_bytes = std::strtoull(mb, nullptr, 10) << 20;
    return tc;
}

namespace {

bool is_source(const fs::path& p) {
    auto e = p.extension().string();
    return e == ".cpp" || e == ".cc" || e == ".cxx";
}

// Whether a course source (a grader, main.cpp) can see one of the student's
// files: its #include lines, followed through the course's own headers. A
// grader object that cannot see them does not change when the student edits a
// header, so it stays cached (issue: "a header edit rebuilds only what includes
// it"). Course files are trusted and plain, so reading their #include lines is
// enough (no preprocessor run per grading); an #include of a macro, which this
// cannot follow, counts as seeing them.
bool sees_student_files(const fs::path& src, const std::vector<fs::path>& dirs, const std::set<fs::path>& student,
                        std::set<fs::path>& visited) {
    if (!visited.insert(src).second) return false;
    std::istringstream in(read_file(src));
    std::string line;
    while (std::getline(in, line)) {
        std::size_t p = line.find_first_not_of(" \t");
        if (p == std::string::npos || line[p] != '#') continue;
        p = line.find_first_not_of(" \t", p + 1);
        if (p == std::string::npos || line.compare(p, 7, "include") != 0) continue;
        p = line.find_first_not_of(" \t", p + 7);
        if (p == std::string::npos) continue;
        const char open = line[p];
        if (open != '"' && open != '<') return true;   // #include MACRO
        const std::size_t close = line.find(open == '"' ? '"' : '>', p + 1);
        if (close == std::string::npos) continue;
        const std::string name = line.substr(p + 1, close - p - 1);
        std::vector<fs::path> search;
        if (open == '"') search.push_back(src.parent_path());
        search.insert(search.end(), dirs.begin(), dirs.end());
        for (const auto& d : search) {
            const fs::path f = (d / name).lexically_normal();
            if (!fs::is_regular_file(f)) continue;
            if (student.count(f) || sees_student_files(f, dirs, student, visited)) return true;
            break;   // the compiler takes the first match
        }
    }
    return false;
}

std::vector<std::string> base_flags() {
    return {"-std=c++20", "-g", "-pthread", "-Wall", "-fno-omit-frame-pointer"};
}

std::vector<std::string> sanitizer_flags(const BuildSpec& b) {
    switch (b.sanitizer) {
        case Sanitizer::thread: return {"-fsanitize=thread"};
        case Sanitizer::address: return {"-fsanitize=address,undefined,leak", "-fno-sanitize-recover=undefined"};
        case Sanitizer::none: return {};
    }
    return {};
}

std::string optimize_flag(const BuildSpec& b) {
    if (!b.optimize.empty()) return b.optimize;
    return b.sanitizer == Sanitizer::none ? "-O2" : "-O1";
}

// Keeps the first compiler errors: what a student needs to see first.
std::string first_errors(const std::string& output, std::size_t max_lines = 25) {
    std::istringstream in(output);
    std::string line, out;
    std::size_t n = 0;
    while (std::getline(in, line) && n < max_lines) {
        out += line + "\n";
        ++n;
    }
    if (std::getline(in, line)) out += "... (more errors cut)\n";
    return out;
}

// The compiler reads the student's files, so it runs in the same sandbox as
// the tests (docs/security.md): it sees /usr, the scratch directory (the
// student's files and the grader files a student may see anyway) and what
// `readable` adds, never the course tree, reference/, hidden graders or other
// submissions; and it runs under limits, so a compile bomb costs a bounded
// minute, not the machine.
Limits compile_limits() {
    Limits l;
    l.wall = std::chrono::seconds(120);
    l.cpu = std::chrono::seconds(60);
    l.memory = 2ull << 30;
    l.processes = 32;               // driver, cc1plus, as, collect2, ld
    l.output = 256 * 1024;          // diagnostics past this are noise
    l.file_size = 1ull << 30;       // objects and executables with debug info
    l.open_files = 256;
    return l;
}

struct CompileResult {
    int exit_code = -1;
    std::string output;
    std::string limit;   // non-empty: the compiler was stopped at a limit (what to tell the student)
};

CompileResult compile(Runner& runner, const std::vector<std::string>& argv, const fs::path& workdir,
                      const std::vector<fs::path>& readable) {
    RunSpec spec;
    spec.argv = argv;
    spec.workdir = workdir;
    spec.readable = readable;
    spec.limits = compile_limits();
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}, {"TMPDIR", "/tmp"}};
    RunResult r;
    {
        // One core of the machine-wide budget (conclab/cpu_budget.hpp), shared
        // with the tests and compiles of every other grading.
        const CpuHold cpu = take_cpu();
        r = runner.run(spec);
    }
    CompileResult c;
    if (!r.started) throw std::runtime_error("cannot start the compiler in the sandbox: " + r.start_error);
    c.output = r.err.text + r.out.text;
    c.exit_code = r.exit_code.value_or(-1);
    if (r.timed_out || r.cpu_exceeded)
        c.limit = "compiling took longer than " + std::to_string(spec.limits.cpu.count() / 1000) +
                  " s of CPU time and was stopped (a compile-time loop, very deep template recursion, or an "
                  "#include of a file that never ends, such as /dev/zero?)";
    else if (r.out_of_memory)
        c.limit = "compiling needed more than " + std::to_string(spec.limits.memory >> 20) +
                  " MiB of memory and was stopped (a compile-time explosion, or an #include of a huge file?)";
    else if (r.signal)
        c.limit = "the compiler was killed by signal " + std::to_string(*r.signal);
    if (!c.limit.empty()) c.exit_code = -1;
    return c;
}

// An #include that failed because its file is not in the compile sandbox and
// that names a place outside the student's exercise: an attempt to read what
// a student may not see (the reference, hidden tests, other submissions).
std::string outside_include(const std::string& compiler_output) {
    // RE2: compiler output quotes the student's text (docs/notes.md: std::regex
    // overflows its stack on long lines).
    static const RE2 missing(R"re(fatal error: ([^:\n]+): No such file or directory)re");
    re2::StringPiece in(compiler_output);
    std::string path;
    while (RE2::FindAndConsume(&in, missing, &path)) {
        if (path.find("..") != std::string::npos || path.find("reference") != std::string::npos ||
            (!path.empty() && path[0] == '/' && path.rfind("/usr/", 0) != 0))
            return "#include of " + path + ", a file outside your exercise folder";
    }
    return {};
}

// The grader files of one exercise a compile may see: the visible ones are
// copied into the scratch directory; hidden sources go to a sibling directory
// that only the hidden build's own compiles get (so a student's header,
// included by a visible grader, can never #include a hidden test).
std::set<std::string> hidden_sources(const Exercise& ex) {
    std::set<std::string> hidden, visible;
    for (const auto& b : ex.builds)
        for (const auto& src : b.sources) (b.hidden ? hidden : visible).insert(src);
    for (const auto& v : visible) hidden.erase(v);
    return hidden;
}

void copy_tree_filtered(const fs::path& from, const fs::path& to, const std::set<std::string>& skip,
                        const fs::path& skipped_to) {
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path rel = fs::relative(it->path(), from);
        const bool hide = skip.count(rel.generic_string()) > 0;
        const fs::path dest = (hide ? skipped_to : to) / rel;
        if (it->is_directory()) {
            fs::create_directories(dest);
        } else if (it->is_regular_file()) {
            fs::create_directories(dest.parent_path());
            fs::copy_file(it->path(), dest, fs::copy_options::overwrite_existing);
        }
    }
}

// The engine that checks the objects (objcheck.cpp, macrocheck.cpp) is part
// of a cached build's key: a build cached by an engine whose checks were
// weaker must be checked again by a newer one, not restored as "passed".
// The executable's size and time stand for its content, as for the libraries
// below.
std::string engine_identity() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return "engine:unknown";
    const auto size = fs::file_size(self, ec);
    const auto time = fs::last_write_time(self, ec);
    if (ec) return "engine:unknown";
    return "engine:" + self.string() + "|" + std::to_string(size) + "|" +
           std::to_string(time.time_since_epoch().count());
}

}  // namespace

BuildOutcome build_exercise(const Toolchain& tc, const Course& course, const Exercise& ex, const Submission& sub,
                            const fs::path& scratch, Runner& runner) {
    BuildOutcome out;
    const fs::path exdir_rel = fs::path("exercises") / ex.name;
    const fs::path exdir = scratch / exdir_rel;
    const fs::path hidden_root = scratch.string() + "-hidden";
    fs::create_directories(exdir);
    fs::create_directories(scratch / "obj");
    fs::create_directories(scratch / "bin");
    fs::create_directories(tc.cache_dir);

    // 1. Overlay: the course's exercise folder, then the student's editable files.
    for (const auto& entry : fs::directory_iterator(course.exercise_dir(ex.name))) {
        const auto name = entry.path().filename().string();
        if (!entry.is_regular_file() || name == "README.md" || name == "exercise.yaml") continue;
        if (std::find(ex.files.begin(), ex.files.end(), name) != ex.files.end()) continue;
        fs::copy_file(entry.path(), exdir / name, fs::copy_options::overwrite_existing);
    }
    for (const auto& f : ex.files) {
        auto src = sub.file(ex, f);
        if (!src) throw std::logic_error("build_exercise: submission lacks " + f);
        fs::copy_file(*src, exdir / f, fs::copy_options::overwrite_existing);
        out.student_files.push_back((exdir_rel / f).string());
    }
    // The grader files: visible ones beside the overlay, hidden ones apart.
    const std::set<std::string> hidden = hidden_sources(ex);
    const fs::path graders_rel = fs::path("graders") / ex.name;
    copy_tree_filtered(course.grader_dir(ex.name), scratch / graders_rel, hidden, hidden_root / graders_rel);
    if (fs::is_directory(course.root / "graders" / "common"))
        copy_tree_filtered(course.root / "graders" / "common", scratch / "graders" / "common", {}, {});
    // The sandboxed compiler runs as another user: it reads the overlay and
    // writes obj/ and bin/.
    for (auto it = fs::recursive_directory_iterator(scratch); it != fs::recursive_directory_iterator(); ++it)
        fs::permissions(it->path(), it->is_directory() ? fs::perms::all : fs::perms::owner_all | fs::perms::group_read |
                                                                             fs::perms::others_read);
    if (fs::exists(hidden_root))
        for (auto it = fs::recursive_directory_iterator(hidden_root); it != fs::recursive_directory_iterator(); ++it)
            fs::permissions(it->path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                                            (it->is_directory() ? fs::perms::others_exec | fs::perms::group_exec
                                                                : fs::perms::none));
    if (fs::exists(hidden_root)) fs::permissions(hidden_root, fs::perms::all);

    // The student's objects: one per (sanitizer, optimisation) and source.
    auto variant_of = [](const BuildSpec& b) { return std::string(to_string(b.sanitizer)) + optimize_flag(b); };
    auto student_object = [&](const BuildSpec& b, const std::string& f) {
        return scratch / "obj" / (variant_of(b) + "-" + fs::path(f).stem().string() + ".o");
    };
    std::vector<fs::path> cached_files;   // what a whole build leaves that grading uses, relative to scratch
    for (const auto& b : ex.builds) cached_files.push_back(fs::path("bin") / b.name);
    for (const auto& b : ex.builds)
        for (const auto& f : ex.files)
            if (is_source(f) && std::find(cached_files.begin(), cached_files.end(),
                                          fs::relative(student_object(b, f), scratch)) == cached_files.end())
                cached_files.push_back(fs::relative(student_object(b, f), scratch));

    // 0. The whole build is a function of the overlay, the hidden graders,
    // the flags and the engine's libraries: the same inputs, byte for byte,
    // get the same executables back without compiling (docs/design.md,
    // "Build caches"). Only builds that passed every check below are kept.
    const BuildCache whole_cache(tc.cache_dir / "builds", tc.build_cache_bytes);
    ContentKey whole;
    whole.add("conclab-build-cache-1");   // bump when a build step changes what it produces
    whole.add(config::version);
    whole.add(tc.cxx);
    whole.add(tc.gtest_include.string());
    whole.add(ex.name);
    whole.add_tree(scratch);
    whole.add_tree(hidden_root);
    for (const auto& b : ex.builds) {
        for (const auto& fl : base_flags()) whole.add(fl);
        for (const auto& fl : sanitizer_flags(b)) whole.add(fl);
        whole.add(b.name + "|" + optimize_flag(b) + "|" + b.main + "|" + (b.hidden ? "hidden" : "visible"));
        for (const auto& src : b.sources) whole.add(src);
        for (const auto& l : b.link) whole.add(l);
    }
    whole.add(engine_identity());
    {
        // The trusted main and GoogleTest are rebuilt with the engine: their
        // size and time stand for their content (hashing 40 MB per grading would not).
        std::vector<fs::path> libs;
        for (const auto& e : fs::directory_iterator(tc.lib_dir))
            if (e.path().extension() == ".a" && e.path().filename().string().rfind("libconclab_core", 0) != 0)
                libs.push_back(e.path());
        std::sort(libs.begin(), libs.end());
        for (const auto& l : libs)
            whole.add(l.filename().string() + "|" + std::to_string(fs::file_size(l)) + "|" +
                      std::to_string(fs::last_write_time(l).time_since_epoch().count()));
    }
    const std::string whole_key = ex.name + "-" + whole.hex();
    if (tc.build_cache_bytes > 0 && whole_cache.restore(whole_key, scratch, cached_files)) {
        for (const auto& b : ex.builds) out.executables[b.name] = scratch / "bin" / b.name;
        for (const auto& f : cached_files)
            if (f.parent_path() == "obj") out.student_objects.push_back(scratch / f);
        for (const auto& f : cached_files)
            fs::permissions(scratch / f, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                             fs::perms::others_read | fs::perms::others_exec);
        out.ok = true;
        out.from_cache = true;
        return out;
    }

    // The grader objects' cache key covers every header they can see: the
    // course's, and the student's only for sources that include them.
    std::set<fs::path> student_files;
    for (const auto& f : ex.files) student_files.insert((exdir / f).lexically_normal());
    auto course_header = [&](const fs::path& f) { return !is_source(f) && !student_files.count(f.lexically_normal()); };
    ContentKey course_headers;
    course_headers.add_tree(exdir, course_header);
    course_headers.add_tree(scratch / graders_rel, course_header);
    course_headers.add_tree(scratch / "graders" / "common", course_header);
    course_headers.add("conclab-object-cache-4");  // bump when the engine's compile flags change
    course_headers.add(tc.cxx);
    course_headers.add(tc.gtest_include.string());
    ContentKey headers = course_headers;
    for (const auto& f : student_files)
        if (!is_source(f)) headers.add(f.filename().string() + "\n" + (fs::exists(f) ? read_file(f) : std::string()));
    const std::vector<fs::path> include_dirs = {exdir, scratch / graders_rel, scratch / "graders" / "common"};

    // Paths in objects (debug info, __FILE__ in GoogleTest's messages) are
    // course-relative: exercises/<ex>/..., graders/<ex>/...
    std::vector<std::string> include = {"-I", exdir.string(), "-I", (scratch / graders_rel).string(),
                                        // the grader kit: #include "kit/<name>.hpp" (graders/common/README.md)
                                        "-I", (scratch / "graders" / "common").string(),
                                        "-isystem", tc.gtest_include.string(),
                                        "-ffile-prefix-map=" + scratch.string() + "/=",
                                        "-ffile-prefix-map=" + hidden_root.string() + "/="};

    struct Job {
        std::vector<std::string> argv;
        fs::path object;       // where the compiler writes (inside the scratch)
        bool student;          // its errors are the student's (student sources, the header probe)
        std::string what;
        fs::path cached;       // non-empty: published to the cache on success (after the checks)
        bool hidden = false;   // compiles a hidden source: needs hidden_root, shows no diagnostics
    };
    std::vector<Job> jobs;
    std::map<std::string, std::vector<fs::path>> build_objects;
    std::set<fs::path> scheduled;
    // For the checks on what the student's code is (docs/security.md): per
    // compile variant, the header probe's object and preprocessed text, and the
    // preprocessed text of each grader source compiled (not cached) here.
    std::vector<fs::path> probe_objects;
    std::map<std::string, fs::path> probe_text;                      // variant -> .ii
    std::vector<std::pair<std::string, fs::path>> grader_text;       // (variant, .ii)
    auto preprocess_argv = [](const std::vector<std::string>& compile_argv, const fs::path& ii) {
        // Same flags, -E: directives kept (-dD), macros in the text unexpanded.
        std::vector<std::string> argv(compile_argv.begin(), compile_argv.end() - 4);   // minus -c SRC -o OBJ
        argv.insert(argv.end(), {"-E", "-dD", "-fdirectives-only", compile_argv[compile_argv.size() - 3], "-o",
                                 ii.string()});
        return argv;
    };
    auto preprocess = [&](const std::vector<std::string>& compile_argv, const fs::path& ii, bool student,
                          const std::string& what, bool is_hidden) {
        jobs.push_back({preprocess_argv(compile_argv, ii), ii, student, what, {}, is_hidden});
    };
    struct Probe {
        std::vector<std::string> argv;   // compiles it
        fs::path object, text;
    };
    std::vector<Probe> probes;
    // The probe: a translation unit that is only the student's header(s), so
    // whatever the header alone makes run before main is in an object too.
    std::string probe_source;
    for (const auto& f : ex.files)
        if (!is_source(f)) probe_source += "#include \"" + f + "\"\n";
    if (!probe_source.empty()) {
        std::ofstream(scratch / "obj" / "header_probe.cpp") << probe_source;
        fs::permissions(scratch / "obj" / "header_probe.cpp", fs::perms::owner_all | fs::perms::others_read);
    }

    for (const auto& b : ex.builds) {
        auto flags = base_flags();
        auto san = sanitizer_flags(b);
        flags.insert(flags.end(), san.begin(), san.end());
        flags.push_back(optimize_flag(b));
        const std::string variant = variant_of(b);

        // Student files: once per (sanitizer, optimisation); -fno-inline under
        // sanitizers so the student's frames survive into reports (docs/notes.md).
        for (const auto& f : ex.files) {
            if (!is_source(f)) continue;
            fs::path obj = student_object(b, f);
            build_objects[b.name].push_back(obj);
            if (!scheduled.insert(obj).second) continue;
            out.student_objects.push_back(obj);
            std::vector<std::string> argv = {tc.cxx};
            argv.insert(argv.end(), flags.begin(), flags.end());
            if (b.sanitizer != Sanitizer::none) argv.push_back("-fno-inline");
            argv.insert(argv.end(), include.begin(), include.end());
            argv.insert(argv.end(), {"-c", (exdir_rel / f).string(), "-o", obj.string()});
            jobs.push_back({argv, obj, true, f, {}});
        }
        if (!probe_source.empty() && !probe_text.count(variant)) {
            fs::path obj = scratch / "obj" / (variant + "-header_probe.o");
            std::vector<std::string> argv = {tc.cxx};
            argv.insert(argv.end(), flags.begin(), flags.end());
            argv.insert(argv.end(), include.begin(), include.end());
            argv.insert(argv.end(), {"-c", (scratch / "obj" / "header_probe.cpp").string(), "-o", obj.string()});
            probe_objects.push_back(obj);
            probe_text[variant] = scratch / "obj" / (variant + "-header_probe.ii");
            probes.push_back({argv, obj, probe_text[variant]});
        }
        // Course files: grader sources, and main.cpp for program builds. Cached.
        std::vector<std::pair<fs::path, bool>> course_sources;   // (path in the sandbox's view, hidden)
        for (const auto& s : b.sources) {
            const bool h = hidden.count(s) > 0;
            course_sources.emplace_back((h ? hidden_root : scratch) / graders_rel / s, h);
        }
        if (b.is_program()) course_sources.emplace_back(exdir / b.main, false);
        for (const auto& [src, is_hidden] : course_sources) {
            std::set<fs::path> visited;
            ContentKey key = sees_student_files(src, include_dirs, student_files, visited) ? headers : course_headers;
            key.add(fs::relative(src, is_hidden ? hidden_root : scratch).string());
            key.add(read_file(src));
            for (const auto& fl : flags) key.add(fl);
            const std::string stem = ex.name + "-" + src.stem().string() + "-" + key.hex();
            fs::path cached = tc.cache_dir / (stem + ".o");
            fs::path local = scratch / "obj" / (stem + ".o");
            build_objects[b.name].push_back(local);
            if (!scheduled.insert(local).second) continue;
            if (fs::exists(cached)) {
                fs::copy_file(cached, local, fs::copy_options::overwrite_existing);
                continue;
            }
            std::vector<std::string> argv = {tc.cxx};
            argv.insert(argv.end(), flags.begin(), flags.end());
            argv.insert(argv.end(), include.begin(), include.end());
            argv.insert(argv.end(), {"-c", src.string(), "-o", local.string()});
            jobs.push_back({argv, local, false, fs::relative(src, is_hidden ? hidden_root : scratch).string(), cached,
                            is_hidden});
            grader_text.emplace_back(variant, scratch / "obj" / (stem + ".ii"));
            preprocess(argv, grader_text.back().second, false, jobs.back().what, is_hidden);
        }
    }

    // 2. Compile everything in parallel, each in the sandbox. The header
    // probes are preprocessed first (0.1 s) and compiled only when that text
    // is new: an edit of the .cpp then compiles the .cpp alone (a probe under
    // TSan took 1 s of CPU per variant; docs/design.md, "Build caches"). The
    // key is everything the compiler read, in the order it read it, with this
    // grading's scratch path taken out of the line markers.
    auto launch = [&](const Job& j) {
        std::vector<fs::path> readable;
        if (j.hidden) readable.push_back(hidden_root);
        return std::async(std::launch::async, [&runner, &scratch, argv = j.argv, readable] {
            return compile(runner, argv, scratch, readable);
        });
    };
    std::vector<std::future<CompileResult>> texts;
    for (const auto& p : probes) texts.push_back(launch({preprocess_argv(p.argv, p.text), p.text, true, "", {}}));
    std::vector<std::future<CompileResult>> results;
    for (const auto& j : jobs) results.push_back(launch(j));
    const BuildCache probe_cache(tc.cache_dir / "probes", 256ull << 20);
    auto without_scratch = [&](std::string text) {
        const std::string prefix = scratch.string();   // also in <scratch>-hidden
        for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
            text.erase(at, prefix.size());
        return text;
    };
    std::vector<std::pair<std::string, fs::path>> new_probes;   // (cache key, object) to publish after the checks
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const Probe& p = probes[i];
        const bool preprocessed = texts[i].get().exit_code == 0;
        std::string key;
        if (preprocessed && tc.build_cache_bytes > 0) {
            ContentKey k;
            k.add("conclab-header-probe-1");
            k.add(engine_identity());
            for (const auto& arg : p.argv) k.add(without_scratch(arg));
            k.add(without_scratch(read_file(p.text)));
            key = ex.name + "-" + k.hex();
            if (probe_cache.restore(key, scratch, {fs::relative(p.object, scratch)})) continue;
        }
        // Its errors, if any, are the student's: the compile says them.
        jobs.push_back({p.argv, p.object, true, "your header compiled on its own", {}});
        results.push_back(launch(jobs.back()));
        if (!key.empty()) new_probes.emplace_back(key, p.object);
    }
    std::string student_errors, grader_errors, outside;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        CompileResult r = results[i].get();
        if (r.exit_code == 0) continue;
        if (outside.empty()) outside = outside_include(r.output);
        std::string text = r.limit.empty() ? first_errors(r.output) : r.limit + "\n";
        if (jobs[i].student) {
            if (student_errors.empty()) student_errors = text;
        } else if (grader_errors.empty()) {
            // A hidden grader's diagnostics would quote hidden tests: never shown.
            grader_errors = jobs[i].hidden ? "while compiling a hidden grader (its messages are not shown)\n"
                                           : "while compiling " + jobs[i].what + ":\n" + text;
        }
    }
    if (!outside.empty()) {
        out.student_error = true;
        out.tampered = true;
        out.evidence = outside;
        out.message = "your code tries to #include a file from outside your exercise folder (" + outside +
                      "); the reference, hidden tests and other submissions are never visible to the compiler";
        return out;
    }
    if (!student_errors.empty()) {
        out.student_error = true;
        out.message = "your code does not compile:\n" + student_errors;
        return out;
    }
    if (!grader_errors.empty()) {
        // With the course's own stub this is the course's bug; with a student's
        // header it almost always means the public API was changed.
        out.student_error = true;
        out.message = "the graders do not compile against your " + ex.files.front() +
                      " — did you change the public API given in the statement?\n" + grader_errors;
        return out;
    }

    // 3. Link one executable per build (in the sandbox too: it reads the
    // student's objects), while the checks below read the objects: nothing is
    // published or run before both are done.
    std::vector<std::future<CompileResult>> links;
    std::vector<std::string> names;
    for (const auto& b : ex.builds) {
        std::vector<std::string> argv = {tc.cxx};
        auto san = sanitizer_flags(b);
        argv.insert(argv.end(), san.begin(), san.end());
        argv.push_back("-pthread");
        fs::path exe = scratch / "bin" / b.name;
        argv.insert(argv.end(), {"-o", exe.string()});
        for (const auto& o : build_objects[b.name]) argv.push_back(o.string());
        if (!b.is_program()) {
            // The trusted main (result channel, docs/security.md), not gtest_main.
            const char* s = to_string(b.sanitizer);
            argv.push_back((tc.lib_dir / ("libconclab_main_" + std::string(s) + ".a")).string());
            argv.push_back((tc.lib_dir / ("libgtest_" + std::string(s) + ".a")).string());
            argv.push_back("-lsodium");
        }
        argv.insert(argv.end(), b.link.begin(), b.link.end());
        names.push_back(b.name);
        out.executables[b.name] = exe;
        links.push_back(std::async(std::launch::async, [&runner, &scratch, argv, lib = tc.lib_dir] {
            return compile(runner, argv, scratch, {lib});
        }));
    }
    // What the student's code is, decided on the compiled objects and the
    // preprocessor's view, not on the text (docs/security.md).
    std::vector<CodeProblem> problems;
    {
        // One object at a time took 1 s on pool_copy (objdump of the TSan object): all at once.
        std::vector<std::future<std::vector<CodeProblem>>> checks;
        for (const auto& objects : {out.student_objects, probe_objects})
            for (const auto& o : objects)
                checks.push_back(std::async(std::launch::async, [&out, o] {
                    return check_student_object(o, out.student_files);
                }));
        for (auto& c : checks)
            for (auto& p : c.get()) problems.push_back(std::move(p));
    }
    std::map<std::string, std::string> sources;
    for (const auto& f : out.student_files) sources[f] = read_file(scratch / f);
    for (const auto& [variant, ii] : grader_text) {
        const std::string text = read_file(ii);
        for (auto& p : check_student_macros(text, out.student_files, sources)) problems.push_back(std::move(p));
        const auto seen_by_grader = student_regions(text, out.student_files);
        const auto seen_alone = student_regions(read_file(probe_text.at(variant)), out.student_files);
        for (const auto& [file, region] : seen_by_grader) {
            auto alone = seen_alone.find(file);
            if (alone != seen_alone.end() && alone->second != region)
                problems.push_back({file, 0,
                                    "your header reads differently inside the grader's test files than on its own "
                                    "(it tests for macros of the files that include it?): a header must mean the "
                                    "same wherever it is included"});
        }
    }
    if (!problems.empty()) {
        std::sort(problems.begin(), problems.end(), [](const CodeProblem& a, const CodeProblem& b) {
            return std::tie(a.file, a.line, a.what) < std::tie(b.file, b.line, b.what);
        });
        problems.erase(std::unique(problems.begin(), problems.end(),
                                   [](const CodeProblem& a, const CodeProblem& b) {
                                       return a.file == b.file && a.line == b.line && a.what == b.what;
                                   }),
                       problems.end());
        std::string list;
        for (std::size_t i = 0; i < problems.size() && i < 12; ++i) list += format_code_problem(problems[i]) + "\n";
        out.student_error = true;
        out.tampered = true;
        out.evidence = list;
        out.message = "your code does things the grader does not allow, so it cannot be graded:\n" + list;
        return out;
    }
    // Only now may the grader objects serve other gradings: publish them
    // atomically (parallel gradings share the cache).
    for (const auto& j : jobs) {
        if (j.cached.empty()) continue;
        fs::path tmp = j.cached;
        tmp += "." + std::to_string(::getpid()) + "." +
               std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + ".tmp";
        fs::copy_file(j.object, tmp, fs::copy_options::overwrite_existing);
        fs::rename(tmp, j.cached);
    }

    for (const auto& [key, object] : new_probes) probe_cache.store(key, scratch, {fs::relative(object, scratch)});

    for (std::size_t i = 0; i < links.size(); ++i) {
        CompileResult r = links[i].get();
        if (r.exit_code != 0 && out.message.empty()) {
            out.student_error = true;  // undefined or duplicate symbols come from the student's files
            out.message = "your code does not link (build '" + names[i] + "'):\n" +
                          (r.limit.empty() ? first_errors(r.output) : r.limit);
        }
    }
    out.ok = out.message.empty();
    // Kept before any test runs: nothing the student's program does can reach the cache.
    if (out.ok && tc.build_cache_bytes > 0) whole_cache.store(whole_key, scratch, cached_files);
    return out;
}

}  // namespace conclab
