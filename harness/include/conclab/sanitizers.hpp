#pragma once
// Reading sanitizer reports (TSan, ASan/UBSan/LSan) into findings. Reports are
// classified by their text, never by exit code (NOTES: TSan's 66 also means
// "TSan failed to start").
#include <string>
#include <string_view>
#include <vector>

#include "conclab/result.hpp"

namespace conclab {

struct SanitizerScan {
    std::vector<Finding> findings;        // one per report (deduplicated by kind+file+line)
    bool runtime_failure = false;         // "FATAL: ThreadSanitizer", "CHECK failed", shadow mmap...: grader error
    std::string runtime_failure_text;
};

// `text` is one or more sanitizer log files concatenated (or stderr). Frames are
// attributed to the first frame in one of `student_files` (course-relative paths,
// e.g. "exercises/counter/counter.cpp"); a report with no student frame keeps
// the first non-library frame and file "".
SanitizerScan scan_sanitizer_output(std::string_view text, const std::vector<std::string>& student_files);

// The environment options for each sanitizer, with log files under `log_prefix`.
std::string tsan_options(const std::string& log_prefix, const std::string& suppressions);
std::string asan_options(const std::string& log_prefix);
std::string ubsan_options(const std::string& log_prefix);
std::string lsan_options(const std::string& suppressions);

}  // namespace conclab
