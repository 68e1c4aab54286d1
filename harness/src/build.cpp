// Build step: overlay the student's files on the course tree in a scratch
// directory and compile per build variant. Only the student's translation units
// are compiled per submission; grader objects are cached by the content of
// everything they include (the student's header may change their layout), and
// GoogleTest is built once per sanitizer by CMake.
#include "conclab/build.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <mutex>
#include <semaphore>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "conclab/config.hpp"
#include "conclab/files.hpp"

namespace conclab {

namespace fs = std::filesystem;

Toolchain Toolchain::from_config() {
    Toolchain tc;
    tc.cxx = config::cxx;
    tc.gtest_include = config::gtest_include;
    tc.lib_dir = config::lib_dir;
    tc.cache_dir = fs::path(config::build_dir) / "grader-cache";
    return tc;
}

namespace {

// A cache key, not a security boundary: FNV-1a over the inputs, twice with
// different bases for 128 bits. Hand-written because a 30-line stable hash is
// simpler than pulling in a crypto library for a build cache.
class Key {
public:
    void add(std::string_view data) {
        for (unsigned char c : data) {
            a_ = (a_ ^ c) * 0x100000001b3ULL;
            b_ = (b_ ^ c) * 0x100000001b3ULL;
        }
        a_ ^= data.size();
        b_ = (b_ ^ 0xff) * 0x100000001b3ULL;
    }
    std::string hex() const {
        char buf[33];
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a_),
                      static_cast<unsigned long long>(b_));
        return buf;
    }

private:
    std::uint64_t a_ = 0xcbf29ce484222325ULL, b_ = 0x84222325cbf29ce4ULL;
};

bool is_source(const fs::path& p) {
    auto e = p.extension().string();
    return e == ".cpp" || e == ".cc" || e == ".cxx";
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

// Compile jobs of one grading share the machine with other gradings; the
// semaphore bounds this grading's own parallel compiles.
std::counting_semaphore<64>& compile_slots() {
    static std::counting_semaphore<64> slots(std::clamp<int>(std::thread::hardware_concurrency(), 1, 64));
    return slots;
}

CommandResult compile(const std::vector<std::string>& argv, const fs::path& cwd) {
    compile_slots().acquire();
    CommandResult r;
    try {
        r = run_command(argv, cwd);
    } catch (...) {
        compile_slots().release();
        throw;
    }
    compile_slots().release();
    return r;
}

}  // namespace

BuildOutcome build_exercise(const Toolchain& tc, const Course& course, const Exercise& ex, const Submission& sub,
                            const fs::path& scratch) {
    BuildOutcome out;
    const fs::path exdir_rel = fs::path("exercises") / ex.name;
    const fs::path exdir = scratch / exdir_rel;
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

    // The grader objects' cache key covers every header they can see.
    Key headers;
    auto add_headers = [&](const fs::path& dir) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file() && !is_source(e.path())) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            headers.add(f.filename().string());
            headers.add(read_file(f));
        }
    };
    add_headers(exdir);
    add_headers(course.grader_dir(ex.name));
    headers.add("conclab-object-cache-2");  // bump when the engine's compile flags change
    headers.add(course.root.string());
    headers.add(tc.cxx);
    headers.add(tc.gtest_include.string());

    std::vector<std::string> include = {"-I", exdir.string(), "-I", course.grader_dir(ex.name).string(), "-isystem",
                                        tc.gtest_include.string()};

    struct Job {
        std::vector<std::string> argv;
        fs::path object;
        bool student;
        std::string what;
        fs::path cached;  // non-empty: copy of a cached object, published on success
    };
    std::vector<Job> jobs;
    std::map<std::string, std::vector<fs::path>> build_objects;
    std::set<fs::path> scheduled;

    for (const auto& b : ex.builds) {
        auto flags = base_flags();
        auto san = sanitizer_flags(b);
        flags.insert(flags.end(), san.begin(), san.end());
        flags.push_back(optimize_flag(b));
        const std::string variant = std::string(to_string(b.sanitizer)) + optimize_flag(b);

        // Student files: once per (sanitizer, optimisation); -fno-inline under
        // sanitizers so the student's frames survive into reports (NOTES).
        for (const auto& f : ex.files) {
            if (!is_source(f)) continue;
            fs::path obj = scratch / "obj" / (variant + "-" + fs::path(f).stem().string() + ".o");
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
        // Course files: grader sources, and main.cpp for program builds. Cached.
        std::vector<fs::path> course_sources;
        for (const auto& s : b.sources) course_sources.push_back(course.grader_dir(ex.name) / s);
        if (b.is_program()) course_sources.push_back(course.exercise_dir(ex.name) / b.main);
        for (const auto& src : course_sources) {
            Key key = headers;
            key.add(src.string());
            key.add(read_file(src));
            for (const auto& fl : flags) key.add(fl);
            fs::path cached = tc.cache_dir / (ex.name + "-" + src.stem().string() + "-" + key.hex() + ".o");
            build_objects[b.name].push_back(cached);
            if (fs::exists(cached) || !scheduled.insert(cached).second) continue;
            std::vector<std::string> argv = {tc.cxx};
            argv.insert(argv.end(), flags.begin(), flags.end());
            argv.insert(argv.end(), include.begin(), include.end());
            // Reports and GoogleTest's messages (__FILE__) name course files
            // relative to the course root.
            argv.push_back("-ffile-prefix-map=" + course.root.string() + "/=");
            // Compile into a private name, then rename: parallel gradings share the cache.
            fs::path tmp = cached;
            tmp += "." + std::to_string(::getpid()) + "." +
                   std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + ".tmp";
            argv.insert(argv.end(), {"-c", src.string(), "-o", tmp.string()});
            jobs.push_back({argv, tmp, false, fs::relative(src, course.root).string(), cached});
        }
    }

    // 2. Compile everything in parallel.
    std::vector<std::future<CommandResult>> results;
    for (const auto& j : jobs)
        results.push_back(std::async(std::launch::async, [&scratch, argv = j.argv] { return compile(argv, scratch); }));
    std::string student_errors, grader_errors;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        CommandResult r = results[i].get();
        if (r.exit_code == 0) {
            if (!jobs[i].cached.empty()) fs::rename(jobs[i].object, jobs[i].cached);
            continue;
        }
        if (!jobs[i].cached.empty()) fs::remove(jobs[i].object);
        if (jobs[i].student) {
            if (student_errors.empty()) student_errors = first_errors(r.output);
        } else if (grader_errors.empty()) {
            grader_errors = "while compiling " + jobs[i].what + ":\n" + first_errors(r.output);
        }
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

    // 3. Link one executable per build.
    std::vector<std::future<CommandResult>> links;
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
            const char* s = to_string(b.sanitizer);
            argv.push_back((tc.lib_dir / ("libgtest_main_" + std::string(s) + ".a")).string());
            argv.push_back((tc.lib_dir / ("libgtest_" + std::string(s) + ".a")).string());
        }
        argv.insert(argv.end(), b.link.begin(), b.link.end());
        names.push_back(b.name);
        out.executables[b.name] = exe;
        links.push_back(std::async(std::launch::async, [&scratch, argv] { return compile(argv, scratch); }));
    }
    for (std::size_t i = 0; i < links.size(); ++i) {
        CommandResult r = links[i].get();
        if (r.exit_code != 0 && out.message.empty()) {
            out.student_error = true;  // undefined or duplicate symbols come from the student's files
            out.message = "your code does not link (build '" + names[i] + "'):\n" + first_errors(r.output);
        }
    }
    out.ok = out.message.empty();
    return out;
}

}  // namespace conclab
