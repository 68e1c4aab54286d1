#pragma once
// Reading sanitizer reports (TSan, ASan/UBSan/LSan) into findings. Reports are
// classified by their text, never by exit code (docs/notes.md: TSan's 66 also means
// "TSan failed to start"). Recorded examples: tests/unit/data/sanitizers/.
#include <string>
#include <string_view>
#include <vector>

#include "conclab/result.hpp"

namespace conclab {

struct SanitizerScan {
    std::vector<Finding> findings;        // one per report, in order, deduplicated by kind+file+line
    bool runtime_failure = false;         // "FATAL: ThreadSanitizer", "CHECK failed", shadow mmap...: grader error
    std::string runtime_failure_text;     // the lines that said so (at most 12)
};

// `text` is one or more sanitizer log files concatenated, or stderr (reports mixed
// with other output are found; a report cut short by the output cap still counts).
// Each report becomes one Finding:
//  - kind: TSan's words ("data race", "lock-order-inversion (potential deadlock)",
//    "thread leak", "heap-use-after-free", "signal-unsafe call inside of a signal",
//    "signal handler spoils errno", "destroy of a locked mutex", ...), ASan's summary
//    word ("heap-use-after-free", "heap-buffer-overflow", "double-free", "bad-free",
//    "SEGV", "stack-overflow", ...), "memory leak" (one per LeakSanitizer report), or
//    "undefined behavior (<what>)" for UBSan ("signed integer overflow", ...).
//  - file/line: the first frame in one of `student_files` (course-relative paths,
//    e.g. "exercises/counter/counter.cpp"; a frame's path matches when it equals one or
//    ends with "/" + it, so /tmp/conclab-x/exercises/... and ../exercises/... map back),
//    searched first in the stacks that say where the bug is (the accesses, the lock,
//    a direct leak, UBSan's own location) and then in the context stacks (where the
//    memory was allocated or freed, where the thread was started, ASan's "in frame").
//    No student frame anywhere: file "" and line 0, and the message names the first
//    frame outside the libraries ("not in your files: graders/x/driver.cpp:3 in make()").
//  - message: at most 6 lines for a student (what, where with basename:line and
//    function, the other side of the race/free/lock, one line of advice); no addresses.
// runtime_failure is set by the sanitizer's own failures (failed to start, CHECK
// failed, shadow memory, LeakSanitizer fatal error / under ptrace, bad suppressions
// file or option value). Only trust it from the log_path files: a student can print
// those words on stderr. (Findings from stderr only ever hurt the student.)
// gcc 12: in an address,undefined build UBSan writes to stderr even with log_path
// (measured), so scan stderr as well as the log files for that build.
SanitizerScan scan_sanitizer_output(std::string_view text, const std::vector<std::string>& student_files);

// The environment options for each sanitizer (TSAN_OPTIONS, ASAN_OPTIONS, UBSAN_OPTIONS,
// LSAN_OPTIONS), ':'-separated. log_path is omitted when `log_prefix` is empty (reports
// go to stderr), suppressions when `suppressions` is empty. The runtimes split options
// at ' ', ',', ':' and tabs; a path containing any of them is quoted ('...' or "...",
// measured to work with gcc 12's runtimes); a path containing both quote characters
// throws std::invalid_argument.
//  tsan: the options of docs/notes.md + history_size=7 (gcc's maximum) + allow_user_segv_handler=0 +
//        color=never; exit code 66.
//  asan: halt_on_error=1 abort_on_error=0 exitcode=67 detect_leaks=1
//        detect_stack_use_after_return=1 check_initialization_order=1 strict_init_order=1
//        alloc_dealloc_mismatch=1 new_delete_type_mismatch=1 allow_user_segv_handler=0
//        color=never.
//  ubsan: halt_on_error=1 print_stacktrace=1 exitcode=68 color=never (UBSan exits 1 by
//        default, like a failed GoogleTest run).
//  lsan: exitcode=23. Measured: in an address build LSAN_OPTIONS' exitcode replaces
//        ASAN_OPTIONS' for every ASan report (a heap-use-after-free then exits 23).
// allow_user_segv_handler=0: a student's own SIGSEGV handler cannot hide a crash
// (measured: handler + _exit(0) gave exit 0 without it, 66/67 with it).
std::string tsan_options(const std::string& log_prefix, const std::string& suppressions);
std::string asan_options(const std::string& log_prefix);
std::string ubsan_options(const std::string& log_prefix);
std::string lsan_options(const std::string& suppressions);

}  // namespace conclab
