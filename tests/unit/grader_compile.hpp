#pragma once
// For the object and macro check tests: lays out a small course tree in a
// scratch directory (exercises/<ex>/<files>) and runs the real compiler on it
// with the grader's flags, from that directory, as build.cpp does.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/config.hpp"

namespace conclab::testing_support {

// The three variants the grader compiles a student's source in (build.cpp):
// sanitizer builds add -fno-inline and use -O1, the plain build -O2.
enum class Variant { tsan, asan, release };
inline const char* name(Variant v) {
    return v == Variant::tsan ? "tsan" : v == Variant::asan ? "asan" : "release";
}
inline std::vector<std::string> grader_flags(Variant v) {
    std::vector<std::string> f = {"-std=c++20", "-g", "-pthread", "-Wall", "-fno-omit-frame-pointer"};
    switch (v) {
        case Variant::tsan: f.insert(f.end(), {"-fsanitize=thread", "-O1", "-fno-inline"}); break;
        case Variant::asan:
            f.insert(f.end(), {"-fsanitize=address,undefined,leak", "-fno-sanitize-recover=undefined", "-O1",
                               "-fno-inline"});
            break;
        case Variant::release: f.push_back("-O2"); break;
    }
    return f;
}

class ScratchCourse {
public:
    explicit ScratchCourse(std::string exercise) : exercise_(std::move(exercise)) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "conclab-check-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        root_ = tmpl;
        std::filesystem::create_directories(root_ / exdir());
    }
    ~ScratchCourse() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    ScratchCourse(const ScratchCourse&) = delete;
    ScratchCourse& operator=(const ScratchCourse&) = delete;

    const std::filesystem::path& root() const { return root_; }
    std::string exdir() const { return "exercises/" + exercise_; }
    // Course-relative path of a file in the exercise folder.
    std::string rel(const std::string& file) const { return exdir() + "/" + file; }

    void write(const std::string& file, const std::string& text) const {
        std::ofstream(root_ / rel(file)) << text;
    }
    void copy_from(const std::filesystem::path& dir) const {
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.is_regular_file())
                std::filesystem::copy_file(e.path(), root_ / rel(e.path().filename().string()),
                                           std::filesystem::copy_options::overwrite_existing);
    }

    // Compiles exercises/<ex>/<file> to an object; throws with the compiler's output on failure.
    std::filesystem::path compile(const std::string& file, Variant v) const {
        auto obj = root_ / (std::filesystem::path(file).stem().string() + "-" + name(v) + ".o");
        run(v, {"-c", rel(file), "-o", obj.string()});
        return obj;
    }

    // `g++ <flags> -E -dD -fdirectives-only <grader source>`, as the macro check wants it
    // (or plain -E -dD, which it also reads).
    std::string preprocess(const std::filesystem::path& grader_source, const std::filesystem::path& grader_dir,
                           Variant v, bool directives_only = true) const {
        // -o, not stdout: the compiler's warnings (e.g. "EXPECT_EQ redefined") go to stderr.
        auto out = root_ / (grader_source.stem().string() + "-" + name(v) + ".ii");
        std::vector<std::string> tail = {"-E", "-dD"};
        if (directives_only) tail.push_back("-fdirectives-only");
        tail.insert(tail.end(), {grader_source.string(), "-o", out.string()});
        run(v, tail, grader_dir);
        std::ifstream in(out);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    std::string run(Variant v, std::vector<std::string> tail, const std::filesystem::path& grader_dir = {}) const {
        std::vector<std::string> argv = {config::cxx};
        auto flags = grader_flags(v);
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.insert(argv.end(), {"-I", (root_ / exdir()).string()});
        if (!grader_dir.empty()) argv.insert(argv.end(), {"-I", grader_dir.string()});
        // the grader kit, as build.cpp puts it on the path (graders/common/README.md)
        if (!grader_dir.empty()) argv.insert(argv.end(), {"-I", (grader_dir.parent_path() / "common").string()});
        argv.insert(argv.end(), {"-isystem", config::gtest_include});
        argv.insert(argv.end(), tail.begin(), tail.end());
        CommandResult r = run_command(argv, root_, std::chrono::seconds(300), std::size_t(1) << 30);
        if (r.exit_code != 0) throw std::runtime_error("compiler failed: " + r.output.substr(0, 4000));
        return r.output;
    }

    std::string exercise_;
    std::filesystem::path root_;
};

}  // namespace conclab::testing_support
