#pragma once
// Building one exercise of one submission: overlay the student's files on the
// course tree in a scratch directory, compile them per build variant, link with
// cached grader objects and the matching GoogleTest.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "conclab/course.hpp"
#include "conclab/run.hpp"

namespace conclab {

struct Toolchain {
    std::string cxx;                         // compiler driver
    std::filesystem::path gtest_include;
    std::filesystem::path lib_dir;           // libgtest_<san>.a, libgtest_main_<san>.a
    std::filesystem::path cache_dir;         // object cache shared by all gradings
    std::uintmax_t build_cache_bytes = 2ull << 30;   // whole builds kept under cache_dir/builds; 0: none
    static Toolchain from_config();          // what CMake configured
};

struct BuildOutcome {
    bool ok = false;
    bool from_cache = false;          // the same inputs were built before (build_cache.hpp)
    bool student_error = false;       // the student's code does not compile/link (score 0)
    bool tampered = false;            // ...because it reached for files it may not see (evidence below)
    std::string evidence;
    std::string message;              // first compiler errors, or the grader's own failure
    std::map<std::string, std::filesystem::path> executables;   // build name -> path
    std::vector<std::filesystem::path> student_objects;         // for symbol scans
    std::vector<std::string> student_files;                     // course-relative paths
};

// `scratch` is an empty directory owned by this grading (hidden grader sources
// go to `scratch` + "-hidden", which the caller removes too). Every compile and
// link runs through `runner`, i.e. in the sandbox with limits. Never throws for
// student errors; throws std::runtime_error only for the grader's own failures.
BuildOutcome build_exercise(const Toolchain& tc, const Course& course, const Exercise& ex,
                            const Submission& sub, const std::filesystem::path& scratch, Runner& runner);

// Runs a command (no shell), returns exit code and combined output. Used for
// compilers, nm and objdump; not for student code. Only the last `max_output`
// bytes are kept (compiler noise); a disassembly needs all of it.
struct CommandResult { int exit_code = -1; std::string output; };
CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
                          std::chrono::seconds limit = std::chrono::seconds(120),
                          std::size_t max_output = 256 * 1024);

}  // namespace conclab
