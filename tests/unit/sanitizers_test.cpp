// Tests for scan_sanitizer_output and the sanitizer option strings.
//
// The reports under data/sanitizers/ were recorded from real programs (g++ 12.2,
// -std=c++20 -g -pthread -fno-omit-frame-pointer, student file -O1 -fno-inline with
// -fsanitize=thread or -fsanitize=address,undefined,leak), compiled from a scratch
// directory /tmp/conclab-scratch-<case>/ with relative paths (exercises/<ex>/<ex>.cpp)
// unless the name says otherwise, and run with the options of tsan_options /
// asan_options; see data/sanitizers/README.md. They are never edited by hand; a test
// that needs a variant derives it in memory.
#include "conclab/sanitizers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef CONCLAB_TEST_DATA
#error "CONCLAB_TEST_DATA must name tests/unit/data"
#endif

namespace conclab {
namespace {

std::string data(const std::string& name) {
    std::string path = std::string(CONCLAB_TEST_DATA) + "/sanitizers/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("missing test data " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::vector<std::string> kStudentFiles = {
    "exercises/counter/counter.hpp",       "exercises/counter/counter.cpp",
    "exercises/pool_copy/pool_copy.hpp",   "exercises/pool_copy/pool_copy.cpp",
    "exercises/pipes/pipes.hpp",           "exercises/pipes/pipes.cpp",
    "exercises/round_robin/round_robin.hpp", "exercises/round_robin/round_robin.cpp",
    "exercises/udp_chat/udp_chat.hpp",     "exercises/udp_chat/udp_chat.cpp",
};

std::size_t count_lines(const std::string& s) {
    return s.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
}

struct Expected {
    const char* file_name;  // under data/sanitizers
    const char* kind;
    const char* file;       // course-relative student file
    int line;
    std::vector<const char*> pieces;  // substrings the message must contain
};

void PrintTo(const Expected& e, std::ostream* os) { *os << e.file_name; }

class RecordedReport : public ::testing::TestWithParam<Expected> {};

TEST_P(RecordedReport, GivesOneFindingAtTheStudentLine) {
    const Expected& e = GetParam();
    SanitizerScan scan = scan_sanitizer_output(data(e.file_name), kStudentFiles);
    EXPECT_FALSE(scan.runtime_failure) << scan.runtime_failure_text;
    ASSERT_EQ(scan.findings.size(), 1u);
    const Finding& f = scan.findings[0];
    EXPECT_EQ(f.kind, e.kind);
    EXPECT_EQ(f.file, e.file);
    EXPECT_EQ(f.line, e.line);
    for (const char* piece : e.pieces) EXPECT_NE(f.message.find(piece), std::string::npos) << "missing `" << piece << "` in:\n" << f.message;
    EXPECT_LE(count_lines(f.message), 6u) << f.message;
    EXPECT_EQ(f.message.find("0x"), std::string::npos) << "addresses mean nothing to a student:\n" << f.message;
}

const Expected kRecorded[] = {
    // ---- ThreadSanitizer
    {"tsan_race_global.txt", "data race", "exercises/counter/counter.cpp", 10,
     {"data race on `counter::cnt` (a global variable)", "read (8 bytes) by thread T2 at counter.cpp:10 in counter::add_many(long)",
      "previous write (8 bytes) by thread T1 at counter.cpp:10", "std::atomic"}},
    {"tsan_race_member.txt", "data race", "exercises/counter/counter.cpp", 9,
     {"a `counter::Counter` object the test created and passed to your code", "thread T2 at counter.cpp:9 in counter::Counter::increment()",
      "previous write (8 bytes) by thread T1 at counter.cpp:9 in counter::Counter::increment()"}},
    {"tsan_race_heap.txt", "data race", "exercises/counter/counter.cpp", 6,
     {"a heap object of 8 bytes allocated at driver.cpp:5 in main", "read (8 bytes) by thread T2 at counter.cpp:6",
      "previous write (8 bytes) by thread T1 at counter.cpp:7"}},
    {"tsan_race_header.txt", "data race", "exercises/counter/counter.hpp", 7,
     {"counter.hpp:7 in counter::TicketOffice::buy()", "counter.hpp:8"}},
    {"tsan_race_abs_path.txt", "data race", "exercises/counter/counter.cpp", 9,
     {"at counter.cpp:9 in counter::Counter::increment()"}},
    {"tsan_race_gtest_stderr.txt", "data race", "exercises/counter/counter.cpp", 9,
     {"by thread T2 at counter.cpp:9"}},
    // the racing stacks stop in libstdc++ (docs/notes.md): placed where the racing thread was started
    {"tsan_race_ostream.txt", "data race", "exercises/udp_chat/udp_chat.cpp", 13,
     {"inside library code", "std::ostream", "thread T1 was started at udp_chat.cpp:13 in udp_chat::chat(std::ostream&)",
      "xsputn"}},
    {"tsan_race_delete.txt", "data race", "exercises/pool_copy/pool_copy.cpp", 10,
     {"one thread frees memory that another thread uses", "delete/free by the main thread at pool_copy.cpp:10",
      "previous write (4 bytes) by thread T1 at pool_copy.cpp:9 in a lambda"}},
    {"tsan_heap_uaf.txt", "heap-use-after-free", "exercises/pool_copy/pool_copy.cpp", 12,
     {"read (4 bytes) by thread T1 at pool_copy.cpp:12", "delete/free by the main thread at pool_copy.cpp:14 in pool_copy::run_and_free()"}},
    {"tsan_lock_order.txt", "lock-order-inversion (potential deadlock)", "exercises/pool_copy/pool_copy.cpp", 12,
     {"M9 -> M10 -> M9", "thread T1 locks M10 at pool_copy.cpp:12 in pool_copy::push_task() while holding M9 (locked at pool_copy.cpp:11",
      "thread T2 locks M9 at pool_copy.cpp:18 in pool_copy::finish_task() while holding M10 (locked at pool_copy.cpp:17",
      "std::scoped_lock"}},
    {"tsan_thread_leak.txt", "thread leak", "exercises/pool_copy/pool_copy.cpp", 9,
     {"thread T1 started at pool_copy.cpp:9 in pool_copy::start_worker() was never joined", "join()"}},
    {"tsan_signal_unsafe.txt", "signal-unsafe call inside of a signal", "exercises/pipes/pipes.cpp", 8,
     {"the handler at pipes.cpp:8 in on_child calls operator new", "sig_atomic_t"}},
    {"tsan_errno.txt", "signal handler spoils errno", "exercises/pipes/pipes.cpp", 7,
     {"the handler at pipes.cpp:7 in on_child changes errno", "restore"}},
    {"tsan_destroy_locked.txt", "destroy of a locked mutex", "exercises/pool_copy/pool_copy.cpp", 9,
     {"destroy of a locked mutex at pool_copy.cpp:9 in pool_copy::close_pool()", "it was locked at pool_copy.cpp:8"}},
    {"tsan_unlock_unlocked.txt", "unlock of an unlocked mutex (or by a wrong thread)", "exercises/pool_copy/pool_copy.cpp", 10,
     {"`pool_copy::m`", "at pool_copy.cpp:10 in pool_copy::release_twice()", "first used at pool_copy.cpp:8"}},
    {"tsan_double_lock.txt", "double lock of a mutex", "exercises/pool_copy/pool_copy.cpp", 19,
     {"`pool_copy::m`", "at pool_copy.cpp:19", "first used at pool_copy.cpp:17"}},
    // ---- AddressSanitizer
    {"asan_heap_uaf.txt", "heap-use-after-free", "exercises/round_robin/round_robin.cpp", 11,
     {"read of 4 bytes by the main thread at round_robin.cpp:11 in round_robin::first_need(...)",
      "already freed at round_robin.cpp:10", "allocated at driver.cpp:5 in main"}},
    {"asan_uaf_thread.txt", "heap-use-after-free", "exercises/pool_copy/pool_copy.cpp", 11,
     {"read of 8 bytes by thread T1 at pool_copy.cpp:11 in a lambda", "already freed at pool_copy.cpp:13",
      "allocated at pool_copy.cpp:8"}},
    {"asan_coroutine_double_destroy.txt", "heap-use-after-free", "exercises/round_robin/round_robin.cpp", 15,
     {"at round_robin.cpp:15 in round_robin::Task::~Task()", "already freed at round_robin.cpp:18", "destroy()"}},
    {"asan_heap_overflow.txt", "heap-buffer-overflow", "exercises/udp_chat/udp_chat.cpp", 9,
     {"write of 200 bytes", "udp_chat.cpp:9 in udp_chat::format_line(char const*, char const*, unsigned long)",
      "0 bytes past the end of a 64-byte block (allocated at udp_chat.cpp:7"}},
    {"asan_stack_buffer_overflow.txt", "stack-buffer-overflow", "exercises/pipes/pipes.cpp", 8,
     {"write of 33 bytes", "pipes.cpp:8 in pipes::checksum", "local variable `frame` (line 7)"}},
    // the bad read is in the grader's main; the local that died belongs to the student
    {"asan_stack_use_after_return.txt", "stack-use-after-return", "exercises/round_robin/round_robin.cpp", 6,
     {"read of 4 bytes by the main thread at driver.cpp:2 in main", "local variable `slice` (line 6) of round_robin::first_turn(int)",
      "after that function returned"}},
    {"asan_double_free.txt", "double-free", "exercises/pool_copy/pool_copy.cpp", 13,
     {"freed again at pool_copy.cpp:13 in pool_copy::cleanup", "already freed at pool_copy.cpp:8 in pool_copy::finish"}},
    {"asan_bad_free.txt", "bad-free", "exercises/pipes/pipes.cpp", 8,
     {"not allocated with malloc/new", "pipes.cpp:8 in pipes::release_buffer(char*)", "global variable `frame_buffer` (defined at pipes.cpp:5)"}},
    {"asan_alloc_dealloc_mismatch.txt", "alloc-dealloc-mismatch", "exercises/pipes/pipes.cpp", 6,
     {"memory from operator new [] released with free at pipes.cpp:6", "allocated at pipes.cpp:9", "new[]/delete[]"}},
    {"asan_segv.txt", "SEGV", "exercises/udp_chat/udp_chat.cpp", 8,
     {"crash (SEGV): invalid memory read", "udp_chat.cpp:8 in udp_chat::endpoint_fd", "null pointer"}},
    {"asan_stack_overflow.txt", "stack-overflow", "exercises/round_robin/round_robin.cpp", 3,
     {"stack overflow at round_robin.cpp:3 in round_robin::remaining(int, int)", "calls itself at least 248 times"}},
    // ---- LeakSanitizer: one finding for the whole report, at the first direct leak's student frame
    {"asan_leak.txt", "memory leak", "exercises/round_robin/round_robin.cpp", 21,
     {"14790 bytes in 200 allocations never freed", "10400 bytes lost directly",
      "10400 bytes in 100 objects allocated at round_robin.cpp:21 in round_robin::countdown(std::string, int)",
      "4390 bytes in 100 objects allocated at round_robin.cpp:25 in round_robin::make_tasks(int) (indirect)", "destroy()"}},
    // ---- UndefinedBehaviorSanitizer (gcc 12 prints it on stderr even with log_path)
    {"ubsan_signed_overflow_stderr.txt", "undefined behavior (signed integer overflow)", "exercises/counter/counter.cpp", 6,
     {"at counter.cpp:6 (in counter::total_sold(int, int))", "1073741824 * 2 cannot be represented in type 'int'"}},
    {"ubsan_null_deref_stderr.txt", "undefined behavior (null pointer use)", "exercises/round_robin/round_robin.cpp", 8,
     {"member access within null pointer of type 'struct Slot'"}},
    {"ubsan_index_oob_stderr.txt", "undefined behavior (index out of bounds)", "exercises/pipes/pipes.cpp", 8,
     {"index 16 out of bounds for type 'char [16]'"}},
};

INSTANTIATE_TEST_SUITE_P(Data, RecordedReport, ::testing::ValuesIn(kRecorded), [](const auto& info) {
    std::string n = info.param.file_name;
    n = n.substr(0, n.find('.'));
    return n;
});

// ---- runtime failures: the grader's fault, never the student's

struct Failure {
    const char* file_name;
    const char* piece;
};

void PrintTo(const Failure& f, std::ostream* os) { *os << f.file_name; }

class RecordedFailure : public ::testing::TestWithParam<Failure> {};

TEST_P(RecordedFailure, IsARuntimeFailureNotAFinding) {
    SanitizerScan scan = scan_sanitizer_output(data(GetParam().file_name), kStudentFiles);
    EXPECT_TRUE(scan.runtime_failure);
    EXPECT_NE(scan.runtime_failure_text.find(GetParam().piece), std::string::npos) << scan.runtime_failure_text;
    EXPECT_TRUE(scan.findings.empty());
}

const Failure kFailures[] = {
    {"tsan_start_failure_rlimit_data.txt", "FATAL: ThreadSanitizer can not mmap the shadow memory"},
    {"tsan_start_failure_ulimit_v.txt", "ThreadSanitizer: CHECK failed"},
    {"asan_start_failure_ulimit_v.txt", "AddressSanitizer failed to allocate"},
    {"lsan_fatal_ptrace.txt", "LeakSanitizer has encountered a fatal error"},
};

INSTANTIATE_TEST_SUITE_P(Data, RecordedFailure, ::testing::ValuesIn(kFailures), [](const auto& info) {
    std::string n = info.param.file_name;
    return n.substr(0, n.find('.'));
});

TEST(SanitizerScan, FailureMessagesThatWereNotRecordedAreRecognisedToo) {
    for (const char* line : {"FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000001000",
                             "==12==Shadow memory range interleaves with an existing memory mapping. ASan cannot proceed correctly. ABORTING.",
                             "==7==AddressSanitizer: failed to read suppressions file '/x/supp.txt'"}) {
        SanitizerScan scan = scan_sanitizer_output(std::string("some output\n") + line + "\n", kStudentFiles);
        EXPECT_TRUE(scan.runtime_failure) << line;
        EXPECT_TRUE(scan.findings.empty());
    }
}

// ---- placement

TEST(SanitizerScan, AReportWithNoStudentFrameHasNoFileAndSaysWhereItWas) {
    SanitizerScan scan = scan_sanitizer_output(data("asan_leak_grader_only.txt"), kStudentFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    const Finding& f = scan.findings[0];
    EXPECT_EQ(f.kind, "memory leak");
    EXPECT_EQ(f.file, "");
    EXPECT_EQ(f.line, 0);
    EXPECT_NE(f.message.find("40 bytes in 1 allocation never freed"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("not in your files"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("graders/round_robin/driver.cpp:3 in make()"), std::string::npos) << f.message;
}

TEST(SanitizerScan, AThreadStartedAfterAMultiThreadedForkIsAFindingWithoutALocation) {
    // a one-line report from the child's log file (TSan kills the child, exit 66; docs/notes.md)
    SanitizerScan scan = scan_sanitizer_output(data("tsan_fork_threads.txt") + "\nother output\n", kStudentFiles);
    EXPECT_FALSE(scan.runtime_failure);
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].kind, "thread started after a multi-threaded fork");
    EXPECT_EQ(scan.findings[0].file, "");
    EXPECT_NE(scan.findings[0].message.find("Call fork() before starting any thread"), std::string::npos);
    EXPECT_EQ(scan.findings[0].message.find("other output"), std::string::npos);
}

TEST(SanitizerScan, WithoutStudentFilesNothingIsPlacedInStudentCode) {
    SanitizerScan scan = scan_sanitizer_output(data("tsan_race_global.txt"), {});
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].file, "");
    EXPECT_EQ(scan.findings[0].line, 0);
    EXPECT_NE(scan.findings[0].message.find("exercises/counter/counter.cpp:10"), std::string::npos) << scan.findings[0].message;
}

TEST(SanitizerScan, FilesAreMatchedByWholePathComponents) {
    std::string report = data("tsan_race_abs_path.txt");
    // the recorded absolute path maps back to the course-relative name
    ASSERT_NE(report.find("/tmp/conclab-scratch-tsan_race_abs_path/exercises/counter/counter.cpp"), std::string::npos);
    EXPECT_EQ(scan_sanitizer_output(report, {"exercises/counter/counter.cpp"}).findings.at(0).file,
              "exercises/counter/counter.cpp");
    // "./" and "../" prefixes (a build directory) still match
    std::string rel = report;
    replace_all(rel, "/tmp/conclab-scratch-tsan_race_abs_path/exercises/", "../exercises/");
    EXPECT_EQ(scan_sanitizer_output(rel, {"./exercises/counter/counter.cpp"}).findings.at(0).file,
              "./exercises/counter/counter.cpp");
    // a directory that only ends with the same letters is another file
    std::string other = report;
    replace_all(other, "/tmp/conclab-scratch-tsan_race_abs_path/exercises/", "/tmp/x/myexercises/");
    EXPECT_EQ(scan_sanitizer_output(other, {"exercises/counter/counter.cpp"}).findings.at(0).file, "");
}

TEST(SanitizerScan, AStudentFrameInAHeaderIsFound) {
    SanitizerScan only_cpp = scan_sanitizer_output(data("tsan_race_header.txt"), {"exercises/counter/counter.cpp"});
    ASSERT_EQ(only_cpp.findings.size(), 1u);
    EXPECT_EQ(only_cpp.findings[0].file, "") << "the race is in counter.hpp, which was not listed";
}

// ---- several reports

TEST(SanitizerScan, TheSameReportTwiceIsOneFinding) {
    std::string r = data("tsan_race_member.txt");
    SanitizerScan scan = scan_sanitizer_output(r + r + r, kStudentFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].line, 9);
}

TEST(SanitizerScan, TwoRaceReportsOnTheSameLineAreOneFinding) {
    // the gtest run and the plain run race at the same place: one finding
    SanitizerScan scan = scan_sanitizer_output(data("tsan_race_member.txt") + data("tsan_race_gtest_stderr.txt"), kStudentFiles);
    EXPECT_EQ(scan.findings.size(), 1u);
}

TEST(SanitizerScan, ConcatenatedReportsGiveOneFindingEachInOrder) {
    std::string text = data("tsan_race_global.txt") + data("tsan_lock_order.txt") + data("asan_heap_uaf.txt") +
                       data("asan_leak.txt") + data("ubsan_signed_overflow_stderr.txt");
    SanitizerScan scan = scan_sanitizer_output(text, kStudentFiles);
    ASSERT_EQ(scan.findings.size(), 5u);
    EXPECT_EQ(scan.findings[0].kind, "data race");
    EXPECT_EQ(scan.findings[1].kind, "lock-order-inversion (potential deadlock)");
    EXPECT_EQ(scan.findings[2].kind, "heap-use-after-free");
    EXPECT_EQ(scan.findings[3].kind, "memory leak");
    EXPECT_EQ(scan.findings[4].kind, "undefined behavior (signed integer overflow)");
    EXPECT_EQ(scan.findings[1].line, 12);
    EXPECT_EQ(scan.findings[3].line, 21);
    EXPECT_FALSE(scan.runtime_failure);
}

TEST(SanitizerScan, AReportAndARuntimeFailureAreBothReported) {
    SanitizerScan scan =
        scan_sanitizer_output(data("tsan_thread_leak.txt") + data("tsan_start_failure_rlimit_data.txt"), kStudentFiles);
    EXPECT_TRUE(scan.runtime_failure);
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].kind, "thread leak");
}

TEST(SanitizerScan, ATruncatedReportStillGivesAFinding) {
    std::string r = data("tsan_race_global.txt");
    r = r.substr(0, r.find("  Location is global"));  // output cap hit in the middle
    SanitizerScan scan = scan_sanitizer_output(r, kStudentFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].line, 10);
    EXPECT_NE(scan.findings[0].message.find("counter.cpp:10"), std::string::npos);
}

TEST(SanitizerScan, ColouredReportsAreRead) {
    std::string r = data("tsan_race_global.txt");
    replace_all(r, "WARNING: ThreadSanitizer: data race", "\x1b[1m\x1b[31mWARNING: ThreadSanitizer: data race\x1b[1m\x1b[0m");
    replace_all(r, "    #0 counter::add_many", "    \x1b[1m\x1b[0m#0 counter::add_many");
    SanitizerScan scan = scan_sanitizer_output(r, kStudentFiles);
    ASSERT_EQ(scan.findings.size(), 1u);
    EXPECT_EQ(scan.findings[0].line, 10);
}

TEST(SanitizerScan, OrdinaryOutputHasNoFindings) {
    std::string text =
        "[==========] Running 1 test from 1 test suite.\n[ RUN      ] CounterTest.Works\n"
        "exercises/counter/counter.cpp:3: a line that looks like a location\n"
        "runtime error is what the student printed here\n[       OK ] CounterTest.Works (0 ms)\n";
    SanitizerScan scan = scan_sanitizer_output(text, kStudentFiles);
    EXPECT_TRUE(scan.findings.empty());
    EXPECT_FALSE(scan.runtime_failure);
    EXPECT_TRUE(scan_sanitizer_output("", kStudentFiles).findings.empty());
}

TEST(SanitizerScan, ALargeOutputIsScannedQuickly) {
    std::string big;
    for (int i = 0; i < 100000; ++i) big += "Task" + std::to_string(i) + " need: 6 slice: 3 ===========\n";
    big += data("tsan_race_global.txt");
    auto t0 = std::chrono::steady_clock::now();
    SanitizerScan scan = scan_sanitizer_output(big, kStudentFiles);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(scan.findings.size(), 1u);
    EXPECT_LT(s, 10.0);
}

// ---- options

TEST(SanitizerOptions, TsanHasTheMeasuredOptions) {
    std::string o = tsan_options("/tmp/scratch/logs/tsan", "/tmp/scratch/tsan.supp");
    for (const char* opt : {"halt_on_error=1", "exitcode=66", "detect_deadlocks=1", "second_deadlock_stack=1",
                            "report_thread_leaks=1", "report_destroy_locked=1", "report_mutex_bugs=1", "io_sync=1",
                            "atexit_sleep_ms=0", "history_size=7", "log_path=/tmp/scratch/logs/tsan",
                            "suppressions=/tmp/scratch/tsan.supp"})
        EXPECT_NE(o.find(opt), std::string::npos) << opt << " missing in " << o;
    EXPECT_EQ(o.find("force_seq_cst_atomics"), std::string::npos);  // docs/notes.md: it hid a real race
    EXPECT_EQ(tsan_options("/tmp/l/tsan", "").find("suppressions"), std::string::npos);
    EXPECT_EQ(tsan_options("", "").find("log_path"), std::string::npos);
}

TEST(SanitizerOptions, AsanUbsanLsan) {
    std::string a = asan_options("/tmp/s/asan");
    for (const char* opt : {"halt_on_error=1", "abort_on_error=0", "detect_leaks=1", "detect_stack_use_after_return=1",
                            "exitcode=67", "log_path=/tmp/s/asan"})
        EXPECT_NE(a.find(opt), std::string::npos) << opt << " missing in " << a;
    std::string u = ubsan_options("/tmp/s/ubsan");
    for (const char* opt : {"halt_on_error=1", "print_stacktrace=1", "log_path=/tmp/s/ubsan"})
        EXPECT_NE(u.find(opt), std::string::npos) << opt << " missing in " << u;
    std::string l = lsan_options("/tmp/s/lsan.supp");
    EXPECT_NE(l.find("exitcode=23"), std::string::npos);
    EXPECT_NE(l.find("suppressions=/tmp/s/lsan.supp"), std::string::npos);
    EXPECT_EQ(lsan_options("").find("suppressions"), std::string::npos);
}

TEST(SanitizerOptions, PathsWithSeparatorsAreQuoted) {
    // ' ', ':' and ',' separate options; the runtimes accept '...' and "..." around a value
    EXPECT_NE(tsan_options("/tmp/my dir:x/tsan", "").find("log_path='/tmp/my dir:x/tsan'"), std::string::npos);
    EXPECT_NE(asan_options("/tmp/it's here/asan").find("log_path=\"/tmp/it's here/asan\""), std::string::npos);
    EXPECT_THROW(tsan_options("/tmp/\"both'/tsan", ""), std::invalid_argument);
}

}  // namespace
}  // namespace conclab
