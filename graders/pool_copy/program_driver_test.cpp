// Black-box tests of the program `pool_copy SRC DST [-j N]` (the fixed
// main.cpp linked with the student's copy_tree, built with TSan as the
// `pool_copy` build). A manifest test cannot prepare a source tree, so this
// driver builds one in its cwd, runs $CONCLAB_BIN/pool_copy on it with
// posix_spawn (no shell), checks the exit status and the copied tree, and
// passes the program's stdout/stderr on unchanged, so that exercise.yaml's
// stdout/stderr matchers check the summary and error lines themselves.
//
// The child inherits TSAN_OPTIONS, so a data race in the program is written
// to the engine's TSan log (one file per pid) and ends the child with exit 66.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pool_copy_grader.hpp"

extern char** environ;
namespace fs = std::filesystem;
using grader::Tree;
using namespace std::chrono_literals;

namespace {

fs::path program() {
    if (const char* bin = std::getenv("CONCLAB_BIN"); bin && *bin) return fs::path(bin) / "pool_copy";
    return fs::canonical("/proc/self/exe").parent_path() / "pool_copy";   // by hand: next to this driver
}

struct Outcome {
    bool started = false;
    bool timed_out = false;
    int exit_code = -1;     // -1: killed by a signal
    int signal = 0;
    std::string out, err;
};

// How long the program may run before it is killed: the reference copies the
// trees in 0.3 s under ThreadSanitizer, and the test's wall limit (4 s at
// least, exercise.yaml) stays above this so a hang gets the message below.
constexpr std::chrono::seconds kProgramPatience{3};

// Runs the program with its stdout/stderr sent to files (no pipe to drain, so
// no deadlock whatever it prints), and kills it after `limit`. With
// `max_file_size` > 0 the program runs with RLIMIT_FSIZE at that many bytes and
// SIGXFSZ ignored (see program_reports_failed_write).
Outcome run_program(const std::vector<std::string>& args, const fs::path& dir,
                    std::chrono::seconds limit = kProgramPatience, rlim_t max_file_size = 0) {
    Outcome o;
    const fs::path exe = program();
    if (!fs::exists(exe)) {
        ADD_FAILURE() << "grader error: the program " << exe << " was not built";
        return o;
    }
    std::vector<std::string> argv_s = {exe.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    const std::string out_path = (dir / "program.stdout").string(), err_path = (dir / "program.stderr").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    // The limit and the ignored signal are set in this process just around
    // posix_spawn: the child inherits both (an ignored signal stays ignored
    // across exec), and this driver's own files are written before or after.
    rlimit saved_limit{};
    struct sigaction saved_xfsz {};
    if (max_file_size > 0) {
        getrlimit(RLIMIT_FSIZE, &saved_limit);
        rlimit lowered = saved_limit;
        lowered.rlim_cur = std::min(max_file_size, saved_limit.rlim_max);
        setrlimit(RLIMIT_FSIZE, &lowered);
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGXFSZ, &ignore, &saved_xfsz);
    }
    const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    if (max_file_size > 0) {
        setrlimit(RLIMIT_FSIZE, &saved_limit);
        sigaction(SIGXFSZ, &saved_xfsz, nullptr);
    }
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        ADD_FAILURE() << "grader error: cannot start " << exe << ": " << std::strerror(rc);
        return o;
    }
    o.started = true;

    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            o.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
    o.out = grader::read_file(out_path);
    o.err = grader::read_file(err_path);
    // Pass the program's output on, for the manifest's matchers and for the student.
    std::cout << o.out << std::flush;
    std::cerr << o.err << std::flush;
    return o;
}

std::string describe(const Outcome& o) {
    std::string s;
    if (o.timed_out)
        s += "the program did not finish within " + std::to_string(kProgramPatience.count()) +
             " s (the reference takes under half a second) and was killed: a worker that never ends, or a join() "
             "that waits for ever? ";
    else if (o.signal) s += "the program was killed by signal " + std::to_string(o.signal) + ". ";
    else s += "exit status " + std::to_string(o.exit_code) + ". ";
    if (o.exit_code == 66) s += "(66: ThreadSanitizer found a data race in the program; see its report.) ";
    s += "stdout: \"" + o.out + "\" stderr: \"" + o.err.substr(0, 2000) + "\"";
    return s;
}

// A fixed tree (the seed is fixed too): the summary line's numbers are
// constants in exercise.yaml.
Tree program_tree() {
    std::mt19937 rng(7);
    Tree t;
    t["a.txt"] = {false, "first file\n"};
    t["empty.txt"] = {false, ""};
    t["big.bin"] = {false, grader::random_bytes(3 * 1024 * 1024 + 7, rng)};
    t["sub dir"] = {true, {}};
    t["sub dir/b c.txt"] = {false, "spaces\n"};
    t["sub dir/\xc3\xa9t\xc3\xa9.txt"] = {false, "\xc3\xa9t\xc3\xa9\n"};   // "été.txt"
    t["sub dir/empty"] = {true, {}};
    t["x"] = {true, {}};
    t["x/y"] = {true, {}};
    t["x/y/z.dat"] = {false, grader::random_bytes(70000, rng)};
    t["x/y/.dot"] = {false, "."};
    return t;   // 7 files, 3145728 + 7 + 11 + 7 + 7 + 70000 + 1 bytes
}

}  // namespace

TEST(Program, program_copies_and_prints_summary) {
    const fs::path base = grader::fresh_dir("program_ok");
    const Tree tree = program_tree();
    grader::materialize(base / "src", tree);
    Outcome o = run_program({(base / "src").string(), (base / "dst").string(), "-j", "3"}, base);
    ASSERT_TRUE(o.started);
    EXPECT_EQ(o.exit_code, 0) << "pool_copy must exit 0 when every file was copied; " << describe(o);
    const std::string expected = "copied " + std::to_string(grader::file_count(tree)) + " files (" +
                                 std::to_string(grader::total_bytes(tree)) + " bytes) with 3 workers, 0 failed\n";
    EXPECT_EQ(o.out, expected) << "the summary line is wrong (main.cpp prints your CopyReport)";
    const std::string diff = grader::compare_trees(tree, grader::snapshot(base / "dst"));
    EXPECT_TRUE(diff.empty()) << "the copy made by `pool_copy SRC DST -j 3` is not identical to the source:\n" << diff;
}

TEST(Program, program_reports_failed_file) {
    const fs::path base = grader::fresh_dir("program_bad");
    const Tree tree = program_tree();
    grader::materialize(base / "src", tree);
    grader::write_file(base / "src" / "sub dir" / "blocked.txt", "cannot be written\n");
    grader::write_file(base / "dst" / "sub dir" / "blocked.txt" / "keep", "a directory is in the way\n");
    Outcome o = run_program({(base / "src").string(), (base / "dst").string(), "-j", "2"}, base);
    ASSERT_TRUE(o.started);
    EXPECT_EQ(o.exit_code, 1) << "pool_copy must exit 1 when a file could not be copied (and still copy the "
                                 "others); " << describe(o);
    const std::string expected = "copied " + std::to_string(grader::file_count(tree)) + " files (" +
                                 std::to_string(grader::total_bytes(tree)) + " bytes) with 2 workers, 1 failed\n";
    EXPECT_EQ(o.out, expected) << "the summary line is wrong (main.cpp prints your CopyReport)";
    EXPECT_EQ(o.err.rfind("error: sub dir/blocked.txt: ", 0), 0u)
        << "stderr must be one line \"error: sub dir/blocked.txt: <reason>\"; got \"" << o.err << "\"";
    Tree copied = grader::snapshot(base / "dst");
    copied.erase("sub dir/blocked.txt");
    copied.erase("sub dir/blocked.txt/keep");
    const std::string diff = grader::compare_trees(tree, copied);
    EXPECT_TRUE(diff.empty()) << "the other files were not all copied:\n" << diff;
}

// A write that fails half way (a full disk, an I/O error, a file too large)
// must be reported like any other failed file: "big.bin: <reason>" in
// CopyReport::errors, not counted in files_copied, the other files copied,
// exit status 1.
//
// How the write is made to fail: the program runs with RLIMIT_FSIZE at 1 MiB
// and SIGXFSZ ignored, so the kernel refuses every write beyond 1 MiB with
// EFBIG, whatever call makes it: write(2) loops, std::ofstream and stdio
// (whose writes happen inside the C and C++ libraries, out of reach of any
// interposed write()), std::filesystem::copy_file (sendfile or
// copy_file_range inside libstdc++) and mmap (its ftruncate to the full size
// fails the same way). A correct solution cannot tell it from a full disk,
// however it copies. The source files are all written by this driver before
// the program starts, without the limit; big.bin (3 MiB) is the only file
// above 1 MiB, so exactly that one fails, every time.
TEST(Program, program_reports_failed_write) {
    const fs::path base = grader::fresh_dir("program_write_fails");
    const Tree tree = program_tree();
    grader::materialize(base / "src", tree);
    constexpr rlim_t kMaxFileSize = 1024 * 1024;
    Tree small = tree;
    small.erase("big.bin");
    Outcome o = run_program({(base / "src").string(), (base / "dst").string(), "-j", "2"}, base, kProgramPatience,
                            kMaxFileSize);
    ASSERT_TRUE(o.started);
    EXPECT_EQ(o.exit_code, 1) << "big.bin could not be written in full (the disk refused every byte after the "
                                 "first 1 MiB: \"File too large\"), so pool_copy must report it and exit 1; "
                              << describe(o);
    const std::string expected = "copied " + std::to_string(grader::file_count(small)) + " files (" +
                                 std::to_string(grader::total_bytes(small)) + " bytes) with 2 workers, 1 failed\n";
    EXPECT_EQ(o.out, expected) << "the summary line is wrong: big.bin was not copied in full, so it must not be "
                                  "counted in files_copied or bytes_copied. Check the result of every write (and the "
                                  "stream after out.close()); `out << in.rdbuf()` stops at a failed write without "
                                  "any error on the stream";
    EXPECT_EQ(o.err.rfind("error: big.bin: ", 0), 0u)
        << "stderr must be one line \"error: big.bin: <reason>\"; got \"" << o.err << "\"";
    Tree copied = grader::snapshot(base / "dst");
    copied.erase("big.bin");   // a partial copy left behind is tolerated
    const std::string diff = grader::compare_trees(small, copied);
    EXPECT_TRUE(diff.empty()) << "the other files were not all copied:\n" << diff;
}
