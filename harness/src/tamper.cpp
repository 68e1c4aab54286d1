// Scanning a student's source for ways to switch the sanitizers off or steer
// the grader (see tamper.hpp). docs/notes.md: students can switch TSan off with
// no_sanitize attributes, their own __tsan_default_options(), __tsan_* calls.
//
// How: the source is turned into two views of the same length (so offsets and
// line numbers stay put):
//   code       comments and the insides of string/char literals blanked
//   nocomment  only comments blanked
// Most rules look at `code`, so `printf("no_sanitize")` or a comment quoting a
// rule is not a hit. A few rules need what is inside strings (the "thread" in
// no_sanitize("thread"), ".symver" in asm("..."), "TSAN_OPTIONS" passed to
// setenv) and look at `nocomment`. Rules run on logical lines (physical lines
// joined at backslash-newline, as the compiler's phase 2 does), so a token split
// with a line splice is still seen; a hit reports the physical line it starts on.
//
// Why not a real C++ lexer/preprocessor: the goal is a best-effort, line-accurate
// warning for the common tricks. A determined student can always rebuild a token
// with the preprocessor (## pasting, macros from system headers), which no
// source scan can follow; the object-file symbol scan and the sanitizer canaries
// are the backstop. A small state machine (comments, "...", '...', digit
// separators, raw strings R"x(...)x") is enough to avoid false hits in comments
// and strings, and is easy to audit. #if 0 blocks are not evaluated.
#include "conclab/tamper.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {
namespace {

using re2::RE2;

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

struct Views {
    std::string code, nocomment;
};

Views strip(std::string_view s) {
    Views v{std::string(s), std::string(s)};
    enum class St { code, line_comment, block_comment, str, chr, raw } st = St::code;
    std::string raw_end;
    bool in_token = false, number_token = false;
    auto blank_code = [&](std::size_t k) { if (v.code[k] != '\n') v.code[k] = ' '; };
    auto blank_both = [&](std::size_t k) {
        if (v.code[k] != '\n') v.code[k] = ' ';
        if (v.nocomment[k] != '\n') v.nocomment[k] = ' ';
    };
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = s[i];
        switch (st) {
        case St::code:
            if (c == '/' && i + 1 < n && s[i + 1] == '/') {
                blank_both(i);
                blank_both(i + 1);
                st = St::line_comment;
                i += 2;
                in_token = false;
                continue;
            }
            if (c == '/' && i + 1 < n && s[i + 1] == '*') {
                blank_both(i);
                blank_both(i + 1);
                st = St::block_comment;
                i += 2;
                in_token = false;
                continue;
            }
            if (c == '"') {
                std::size_t j = i;
                while (j > 0 && ident_char(s[j - 1])) --j;
                std::string_view prefix = s.substr(j, i - j);
                if (prefix == "R" || prefix == "u8R" || prefix == "uR" || prefix == "UR" || prefix == "LR") {
                    std::size_t k = i + 1;
                    while (k < n && k - i - 1 <= 16 && s[k] != '(' && s[k] != '"' && s[k] != '\\' &&
                           !std::isspace(static_cast<unsigned char>(s[k])) && s[k] != ')')
                        ++k;
                    if (k < n && s[k] == '(') {
                        raw_end = ")" + std::string(s.substr(i + 1, k - i - 1)) + "\"";
                        for (std::size_t q = i + 1; q <= k; ++q) blank_code(q);
                        st = St::raw;
                        i = k + 1;
                        in_token = false;
                        continue;
                    }
                }
                st = St::str;
                ++i;
                in_token = false;
                continue;
            }
            if (c == '\'') {
                if (in_token && number_token) { ++i; continue; }  // 1'000'000
                st = St::chr;
                ++i;
                in_token = false;
                continue;
            }
            if (ident_char(c)) {
                if (!in_token) number_token = std::isdigit(static_cast<unsigned char>(c)) != 0;
                in_token = true;
            } else if (!(c == '.' && in_token && number_token)) {
                in_token = false;
            }
            ++i;
            continue;
        case St::line_comment:
            if (c == '\n') {
                std::size_t b = i;
                if (b > 0 && s[b - 1] == '\r') --b;
                if (!(b > 0 && s[b - 1] == '\\')) st = St::code;  // a spliced // comment goes on
                ++i;
                continue;
            }
            blank_both(i);
            ++i;
            continue;
        case St::block_comment:
            if (c == '*' && i + 1 < n && s[i + 1] == '/') {
                blank_both(i);
                blank_both(i + 1);
                st = St::code;
                i += 2;
                continue;
            }
            blank_both(i);
            ++i;
            continue;
        case St::str:
        case St::chr: {
            const char close = st == St::str ? '"' : '\'';
            if (c == '\\' && i + 1 < n) {
                blank_code(i);
                blank_code(i + 1);
                i += 2;
                continue;
            }
            if (c == close || c == '\n') {  // '\n': unterminated literal, recover
                st = St::code;
                ++i;
                continue;
            }
            blank_code(i);
            ++i;
            continue;
        }
        case St::raw:
            if (s.compare(i, raw_end.size(), raw_end) == 0) {
                for (std::size_t q = i; q + 1 < i + raw_end.size(); ++q) blank_code(q);
                i += raw_end.size();
                st = St::code;
                continue;
            }
            blank_code(i);
            ++i;
            continue;
        }
    }
    return v;
}

// For every offset of the code view: is it at file scope (outside any function,
// class or named namespace; extern "C" { } blocks count as file scope)?
std::vector<bool> file_scope_map(const std::string& code) {
    static const RE2 namespace_re(R"(\bnamespace\b)");
    static const RE2 extern_c_re(R"(\bextern\s*"\s*"\s*$)");
    std::vector<bool> out(code.size() + 1, true);
    std::vector<char> stack;  // 'c' extern "C", 'n' namespace, 'o' anything else
    std::size_t head = 0;     // where the current declaration started
    int others = 0;
    for (std::size_t i = 0; i < code.size(); ++i) {
        out[i] = others == 0;
        char c = code[i];
        if (c == '{') {
            std::string_view h(code.data() + head, i - head);
            char kind = RE2::PartialMatch(h, extern_c_re) ? 'c' : RE2::PartialMatch(h, namespace_re) ? 'n' : 'o';
            stack.push_back(kind);
            if (kind != 'c') ++others;
            head = i + 1;
        } else if (c == '}') {
            if (!stack.empty()) {
                if (stack.back() != 'c') --others;
                stack.pop_back();
            }
            head = i + 1;
        } else if (c == ';') {
            head = i + 1;
        } else if (c == '#' ) {
            // a preprocessor line is its own declaration
            std::size_t b = i;
            while (b > 0 && (code[b - 1] == ' ' || code[b - 1] == '\t')) --b;
            if (b == 0 || code[b - 1] == '\n') {
                std::size_t e = code.find('\n', i);
                if (e == std::string::npos) e = code.size();
                for (std::size_t k = i; k < e; ++k) out[k] = others == 0;
                i = e;
                if (i < code.size()) out[i] = others == 0;
                head = i + 1;
            }
        }
    }
    out[code.size()] = others == 0;
    return out;
}

struct LogicalLine {
    std::string code, nocomment;
    std::vector<std::size_t> offset;  // file offset of every character
};

std::vector<LogicalLine> logical_lines(std::string_view src, const Views& v) {
    std::vector<LogicalLine> out;
    LogicalLine cur;
    const std::size_t n = src.size();
    for (std::size_t i = 0; i < n; ++i) {
        char c = src[i];
        if (c == '\\') {
            std::size_t k = i + 1;
            if (k < n && src[k] == '\r') ++k;
            if (k < n && src[k] == '\n') {  // a splice: the logical line goes on
                i = k;
                continue;
            }
        }
        if (c == '\n') {
            out.push_back(std::move(cur));
            cur = LogicalLine();
            continue;
        }
        cur.code += v.code[i];
        cur.nocomment += v.nocomment[i];
        cur.offset.push_back(i);
    }
    if (!cur.offset.empty()) out.push_back(std::move(cur));
    return out;
}

enum class View { code, nocomment };

enum class Where {
    anywhere,
    file_scope,  // the token is at file scope (outside functions, classes, named namespaces) or the line says extern "C"
    extern_c,    // the line says extern "C"
};

struct Rule {
    const char* pattern;   // RE2, on the view below
    View view;
    const char* requires_nocomment;  // if set: the logical line (strings kept) must also match this
    Where where;
    const char* explanation;  // "$" is replaced by the matched text, "%SAN%" by the sanitizer's name
    const char* unless_nocomment = nullptr;  // if set and the logical line (strings kept) matches: no hit
};

// The order is the order hits on one line are reported in.
const std::vector<Rule>& rules() {
    static const std::vector<Rule> r = {
        // switching a sanitizer off for a function
        {R"(\b_*(?:no_sanitize\w*|no_address_safety_analysis|disable_sanitizer_instrumentation)\b)", View::code,
         nullptr, Where::anywhere, "switches %SAN% off for this function; the grader needs it on — remove it"},
        // overriding the grader's sanitizer options or suppressions
        {R"(\b__(?:tsan|asan|lsan|ubsan|msan|hwasan|sanitizer)_default_(?:options|suppressions)\b)", View::code,
         nullptr, Where::anywhere, "defines `$`, which would replace the grader's sanitizer settings — remove it"},
        // talking to the sanitizer runtime
        // (a name the rule above reported is not reported again)
        {R"(\b__(?:tsan|asan|lsan|ubsan|msan|hwasan|sanitizer|dfsan)_\w+)",
         View::code, nullptr, Where::anywhere,
         "calls the sanitizer runtime directly (`$`); student code must not steer the sanitizers — remove it"},
        {R"(\b__(?:tsan|asan|lsan|ubsan|msan|hwasan|sanitizer)::)", View::code, nullptr, Where::anywhere,
         "uses the sanitizer runtime directly (`$`); student code must not steer the sanitizers — remove it"},
        {R"(^\s*(?:#|%:)\s*include\s*[<"]\s*sanitizer/)", View::nocomment, nullptr, Where::anywhere,
         "includes a sanitizer interface header; student code must not steer the sanitizers — remove it"},
        // behaving differently under a sanitizer
        {R"(\b__SANITIZE_(?:THREAD|ADDRESS)__\b|\b__has_feature\s*\(\s*(?:thread|address|memory|undefined_behavior)_sanitizer\b)",
         View::code, nullptr, Where::anywhere,
         "makes your code behave differently when a sanitizer checks it; the grader must test the code that "
         "really runs — remove it"},
        // race-detector annotations
        {R"(\b(?:Annotate(?:HappensBefore|HappensAfter|BenignRace\w*|Ignore\w*|RWLock\w*|Condvar\w*|NewMemory|Mutex\w*|TraceMemory|ThreadName|EnableRaceDetection|FlushState|PCQ\w*|PublishMemoryRange|UnpublishMemoryRange|MemoryIs\w*|NoOp|FlushExpectedRaces|ExpectRace)|ANNOTATE_\w+|TSAN_ANNOTATE_\w+|WTFAnnotate\w*))",
         View::code, nullptr, Where::anywhere,
         "tells ThreadSanitizer to ignore or trust some accesses (`$`); the grader must see every access — "
         "remove it"},
        // compiler flags from inside the source
        {R"(^\s*(?:#|%:)\s*pragma\s+(?:GCC|clang)\s+(?:optimize|attribute)\b)", View::code, nullptr, Where::anywhere,
         "changes how the compiler builds your code; the grader builds it with fixed flags — remove it"},
        {R"(\b_Pragma\s*\()", View::code, R"(optimize|sanitize|attribute|weak|poison)", Where::anywhere,
         "changes how the compiler builds your code; the grader builds it with fixed flags — remove it"},
        {R"(__attribute__\s*\(\([^;{]*?\b_*optimize_*\b|\bgnu::_*optimize_*\b)", View::code, nullptr, Where::anywhere,
         "changes the optimisation flags of this function; the grader builds your code with fixed flags — remove "
         "it"},
        // symbol games
        {R"(\b(?:asm|__asm__|__asm)\b)", View::code, R"(\.symver)", Where::anywhere,
         "swaps in another version of a library function (`.symver`) behind the grader's back — remove it"},
        // (a pause/nop/fence or an empty barrier touches no memory and hides nothing)
        {R"(\b(?:asm|__asm__|__asm)\b)", View::code, nullptr, Where::anywhere,
         "inline assembly is invisible to ThreadSanitizer and to the grader's checks; use std::atomic or library "
         "calls instead",
         R"(^[^"]*\b(?:asm|__asm__|__asm)\s*(?:volatile|__volatile__)?\s*\(\s*"\s*(?:pause|nop|yield|rep;?\s*nop|[lms]fence)?\s*"\s*(?::\s*:\s*:\s*"memory"\s*)?\)\s*;)"},
        {R"(^\s*(?:#|%:)\s*pragma\s+weak\b|__attribute__\s*\(\([^;{]*?\b_*(?:alias|weakref|weak|ifunc|symver)_*\b|\bgnu::_*(?:alias|weakref|weak|ifunc|symver)_*\b)",
         View::code, nullptr, Where::anywhere,
         "makes one symbol stand for another, which can replace library or grader functions — remove it"},
        {R"(__attribute__\s*\(\([^;{]*?\b_*(?:constructor|destructor)_*\b|\bgnu::_*(?:constructor|destructor)_*\b)",
         View::code, nullptr, Where::anywhere,
         "runs code before main() starts or after it ends, outside the tests — remove it and do the work in your "
         "functions"},
        {R"(\b__(?:wrap|real)_\w+)", View::code, nullptr, Where::anywhere,
         "`$` is a link-time wrapper that belongs to the grader's shims — remove it"},
        {R"(\b(?:dlsym|dlvsym|dlopen|dlmopen)\b)", View::code, nullptr, Where::anywhere,
         "looks functions up at run time (`$`), which hides them from the grader's checks — call functions "
         "directly"},
        // the test framework and the program entry
        {R"(\btesting::|\bRUN_ALL_TESTS\b|\b(?:TEST|TEST_F|TEST_P|TYPED_TEST)\s*\(|\bINSTANTIATE_TEST_SUITE_P\b|\bFRIEND_TEST\b)",
         View::code, nullptr, Where::anywhere, "uses the test framework (`$`); only the graders may — remove it"},
        {R"(^\s*(?:#|%:)\s*include\s*[<"]\s*g(?:test|mock)/)", View::nocomment, nullptr, Where::anywhere,
         "includes the test framework; only the graders may — remove it"},
        {R"(\b(?:int|auto|void)\s+(?:\(\s*)?main\s*\)?\s*\()", View::code, nullptr, Where::anywhere,
         "defines main(); your files must not have one (the course provides it) — remove it"},
        // the grader's environment
        {R"(\b(?:TSAN|ASAN|LSAN|UBSAN|MSAN|HWASAN)_(?:OPTIONS|SYMBOLIZER_PATH)\b|\bLD_PRELOAD\b|\bLD_AUDIT\b|\bGTEST_\w+|\bCONCLAB_(?:TEST|EXERCISE|BIN)\b)",
         View::nocomment, nullptr, Where::anywhere,
         "reads or changes the grader's environment (`$`) — remove it"},
        // hiding crashes, stopping the leak checker, fighting the limits
        {R"(\b(?:signal|sigaction|sigset|bsd_signal)\s*\(\s*SIG(?:SEGV|BUS|FPE|ILL|ABRT|TRAP|SYS)\b)", View::code,
         nullptr, Where::anywhere,
         "installs a handler for a crash signal, which would hide crashes from the grader — remove it"},
        {R"(\bptrace\s*\(|\bPTRACE_\w+)", View::code, nullptr, Where::anywhere,
         "uses ptrace, which stops the leak checker from working — remove it"},
        {R"(\b(?:setrlimit|prlimit|prlimit64)\s*\([^;]*\bRLIMIT_(?:AS|DATA|STACK|RSS|MEMLOCK)\b|\bpersonality\s*\()",
         View::code, nullptr, Where::anywhere,
         "changes the memory limits or personality that the sanitizers depend on — remove it"},
        {R"(\b(?:SYS_futex|__NR_futex)\b)", View::code, nullptr, Where::anywhere,
         "builds a lock from the futex system call: that is still a lock, and ThreadSanitizer cannot see it — use "
         "the standard library"},
        // where reports point to, and what gets compiled
        {R"(^\s*(?:#|%:)\s*line\b|^\s*#\s*\d+\s+")", View::code, nullptr, Where::anywhere,
         "changes the file names and line numbers the compiler records, so reports could not point at your code "
         "— remove it"},
        {R"(^\s*(?:#|%:)\s*include(?:_next)?\s+[A-Za-z_])", View::nocomment, nullptr, Where::anywhere,
         "includes a file named by a macro; write the header's name in quotes or angle brackets"},
        {R"(^\s*(?:#|%:)\s*include(?:_next)?\s*[<"]\s*(?:/|[^>"]*\.\./))", View::nocomment, nullptr, Where::anywhere,
         "includes a file by an absolute or parent-directory path; include only your own headers and the "
         "standard library"},
        // replacing library functions (only a definition at file scope can)
        {R"((?:^|[^:\w])\s*operator\s+(?:new|delete)\b)", View::code, nullptr, Where::file_scope,
         "replaces the global operator new/delete, which the sanitizers need for their memory and leak checks — "
         "remove it (a coroutine's promise_type may have its own)"},
        {R"((?:^|[^\w])(?:[A-Za-z_][\w:<>]*[\s*&]+)(malloc|calloc|realloc|free|aligned_alloc|posix_memalign|memalign|valloc|pvalloc|pthread_\w+|sem_\w+|__cxa_\w+|__libc_\w+)\s*\()",
         View::code, nullptr, Where::file_scope,
         "defines a function with the name of a system library function (`$`), which would replace it for the "
         "whole program — rename it or put it in your namespace"},
        // (a C++ function with these names is an overload unless it is extern "C")
        {R"((?:^|[^\w])(?:[A-Za-z_][\w:<>]*[\s*&]+)(read|write|readv|writev|open|openat|close|fopen|fclose|fork|vfork|waitpid|wait|kill|signal|sigaction|exit|_exit|_Exit|abort|atexit|sched_yield|syscall|usleep|nanosleep|sleep|socket|bind|sendto|recvfrom|poll|select|pipe|pipe2|dup2|clone|dlsym)\s*\()",
         View::code, nullptr, Where::extern_c,
         "defines a function with the name of a system library function (`$`), which would replace it for the "
         "whole program — rename it or put it in your namespace"},
    };
    return r;
}

std::string collapse(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    if (out.size() > 90) {
        std::size_t n = 87;
        while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
        out = out.substr(0, n) + "...";
    }
    return out;
}

std::string sanitizer_named(const std::string& token, std::string_view line) {
    std::string t = token;
    std::string l(line);
    if (t.find("thread") != std::string::npos || l.find("thread") != std::string::npos) return "ThreadSanitizer";
    if (t.find("address") != std::string::npos || l.find("address") != std::string::npos ||
        l.find("kernel-address") != std::string::npos)
        return "AddressSanitizer";
    if (t.find("undefined") != std::string::npos || l.find("undefined") != std::string::npos ||
        l.find("overflow") != std::string::npos || l.find("null") != std::string::npos)
        return "UndefinedBehaviorSanitizer";
    if (l.find("leak") != std::string::npos) return "LeakSanitizer";
    if (t.find("disable_sanitizer") != std::string::npos) return "every sanitizer";
    return "a sanitizer";
}

}  // namespace

std::vector<TamperHit> scan_for_tampering(std::string_view source) {
    struct Compiled {
        const Rule* rule;
        std::unique_ptr<RE2> re, extra, unless;
    };
    static const std::vector<Compiled>* compiled = [] {
        auto* v = new std::vector<Compiled>();
        RE2::Options o;
        o.set_log_errors(false);
        for (const auto& r : rules()) {
            Compiled c{&r, std::make_unique<RE2>(r.pattern, o), nullptr, nullptr};
            if (r.requires_nocomment) c.extra = std::make_unique<RE2>(r.requires_nocomment, o);
            if (r.unless_nocomment) c.unless = std::make_unique<RE2>(r.unless_nocomment, o);
            v->push_back(std::move(c));
        }
        return v;
    }();

    const Views views = strip(source);
    const std::vector<bool> file_scope = file_scope_map(views.code);
    std::vector<std::size_t> line_starts{0};
    for (std::size_t i = 0; i < source.size(); ++i)
        if (source[i] == '\n') line_starts.push_back(i + 1);
    auto line_of = [&](std::size_t off) {
        return static_cast<int>(std::upper_bound(line_starts.begin(), line_starts.end(), off) - line_starts.begin());
    };
    auto physical = [&](int line, const std::string& view) {
        std::size_t b = line_starts[line - 1];
        std::size_t e = line < static_cast<int>(line_starts.size()) ? line_starts[line] : view.size();
        return std::string_view(view).substr(b, e - b);
    };

    std::vector<TamperHit> hits;
    constexpr std::size_t kMaxHits = 100;
    for (const LogicalLine& ll : logical_lines(source, views)) {
        std::vector<std::pair<int, std::string>> found;  // (physical line, what)
        std::vector<std::string> seen_tokens;
        for (const auto& c : *compiled) {
            const std::string& text = c.rule->view == View::code ? ll.code : ll.nocomment;
            if (c.extra && !RE2::PartialMatch(ll.nocomment, *c.extra)) continue;
            if (c.unless && RE2::PartialMatch(ll.nocomment, *c.unless)) continue;
            re2::StringPiece input(text);
            re2::StringPiece m[2];
            std::size_t pos = 0;
            while (pos <= text.size() &&
                   c.re->Match(input, pos, text.size(), RE2::UNANCHORED, m, c.re->NumberOfCapturingGroups() >= 1 ? 2 : 1)) {
                std::size_t at = static_cast<std::size_t>(m[0].data() - text.data());
                std::size_t len = m[0].size();
                pos = at + std::max<std::size_t>(len, 1);
                if (ll.offset.empty()) break;
                std::size_t file_off = ll.offset[std::min(at, ll.offset.size() - 1)];
                if (c.rule->where != Where::anywhere) {
                    // the token itself (group 1 when there is one), not the context before it
                    std::size_t tok = m[1].data() ? static_cast<std::size_t>(m[1].data() - text.data()) : at;
                    std::size_t tok_off = ll.offset[std::min(tok, ll.offset.size() - 1)];
                    static const RE2 extern_c_re(R"(\bextern\s*"\s*")");  // "C" is blanked in the code view
                    bool extern_c = RE2::PartialMatch(ll.code, extern_c_re);
                    if (c.rule->where == Where::extern_c ? !extern_c : !(file_scope[tok_off] || extern_c)) continue;
                    static const RE2 static_re(R"(\bstatic\b)");
                    if (RE2::PartialMatch(re2::StringPiece(ll.code.data(), tok), static_re))
                        continue;  // internal linkage replaces nothing
                }
                std::string token(m[1].data() ? m[1] : m[0]);
                std::string_view tv = token;
                while (!tv.empty() && !ident_char(tv.front()) && tv.front() != '#' && tv.front() != '_') tv.remove_prefix(1);
                token = std::string(tv);
                // a token one rule reported is not reported again by a more general one
                // (__tsan_default_options / __tsan_*, asm(".symver") / asm)
                if (std::find(seen_tokens.begin(), seen_tokens.end(), token) != seen_tokens.end()) continue;
                seen_tokens.push_back(token);
                int line = line_of(file_off);
                std::string what = c.rule->explanation;
                std::size_t d = what.find('$');
                if (d != std::string::npos) what.replace(d, 1, collapse(token));
                std::size_t s = what.find("%SAN%");
                if (s != std::string::npos) what.replace(s, 5, sanitizer_named(token, ll.nocomment));
                std::string snippet = collapse(physical(line, views.nocomment));
                if (snippet.empty()) snippet = collapse(token);
                found.emplace_back(line, "`" + snippet + "` " + what);
                break;  // one hit per rule per logical line
            }
        }
        for (auto& f : found) {
            if (hits.size() >= kMaxHits) return hits;
            hits.push_back({f.first, std::move(f.second)});
        }
    }
    return hits;
}

std::string format_tamper_hit(const TamperHit& hit, std::string_view file) {
    std::string s = file.empty() ? "line " + std::to_string(hit.line) : std::string(file) + ":" + std::to_string(hit.line);
    return s + ": " + hit.what;
}

}  // namespace conclab
