#pragma once
// Scans a student's source for ways to switch the sanitizers off or steer the grader:
// no_sanitize attributes, __tsan_default_options & co., __tsan_*/__asan_*/__sanitizer_*
// calls, race annotations, optimize pragmas/attributes, inline asm and .symver,
// symbol aliasing, constructor/destructor attributes, __wrap_/__real_, dlsym,
// GoogleTest symbols, main(), the grader's environment variables, crash-signal
// handlers, ptrace/setrlimit, #line, includes by absolute or ../ path, and file-scope
// replacements of operator new/delete or libc/pthread functions.
// Matches inside comments and string literals are ignored (except where the string
// is the trick, e.g. setenv("TSAN_OPTIONS", ...)). Best effort, see tamper.cpp;
// the object-file symbol scan is the backstop.
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

struct TamperHit {
    int line;          // 1-based physical line where the trick starts
    std::string what;  // for the student: "`<the source line>` <what it does> — remove it" (no line number)
};
// At most 100 hits, in line order (several rules may hit one line).
std::vector<TamperHit> scan_for_tampering(std::string_view source);

// "line 12: <what>", or "<file>:12: <what>" when file is given.
std::string format_tamper_hit(const TamperHit& hit, std::string_view file = {});

}  // namespace conclab
