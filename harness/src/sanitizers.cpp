// Reading sanitizer reports into findings (see sanitizers.hpp).
//
// The parser works on the text of the reports as gcc 12's runtimes print them
// (recorded examples: tests/unit/data/sanitizers/). It never trusts exit codes:
// a report is recognised by its first line, cut off at the next report, at its
// SUMMARY line or at a "=====" separator, and split into stacks ("#N ..." frame
// runs) each introduced by a header line ("Read of size 8 ... by thread T2:",
// "freed by thread T0 here:", ...). The finding's file/line is the first frame in
// a student file, searched first in the stacks that say where the bug happened
// (the access, the lock, the leak's allocation) and then in those that only give
// context (where the memory was allocated, where the thread was started).
#include "conclab/sanitizers.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {
namespace {

using re2::RE2;

// ---------------------------------------------------------------- text utils

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

// Drops ANSI colour sequences (reports on a terminal are coloured unless color=never).
std::string strip_ansi(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
            std::size_t j = i + 2;
            while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) ++j;
            if (j < s.size()) { i = j; continue; }
        }
        out += s[i];
    }
    return out;
}

// "==1234==ERROR: ..." -> "ERROR: ..."
std::string_view strip_pid_prefix(std::string_view s) {
    if (s.size() > 4 && s[0] == '=' && s[1] == '=' && s[2] >= '0' && s[2] <= '9') {
        std::size_t i = 2;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i + 1 < s.size() && s[i] == '=' && s[i + 1] == '=') return s.substr(i + 2);
    }
    return s;
}

bool is_separator(std::string_view s) {
    s = trim(s);
    return s.size() >= 10 && s.find_first_not_of('=') == std::string_view::npos;
}

std::string cut(std::string s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max > 3 ? max - 3 : max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
    s.resize(n);
    return s + "...";
}

// Lexical normalisation of a path: "a/./b//c/../d" -> "a/b/d".
std::string normalize_path(std::string_view p) {
    bool absolute = !p.empty() && p.front() == '/';
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i <= p.size()) {
        std::size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        std::string_view part = p.substr(i, j - i);
        if (part.empty() || part == ".") {
        } else if (part == ".." && !parts.empty() && parts.back() != "..") {
            parts.pop_back();
        } else {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out = absolute ? "/" : "";
    for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k) out += '/';
        out += parts[k];
    }
    return out;
}

std::string basename_of(std::string_view p) {
    std::size_t s = p.rfind('/');
    return std::string(s == std::string_view::npos ? p : p.substr(s + 1));
}

// --------------------------------------------------------------- the model

struct Frame {
    int index = 0;
    std::string function;  // "" when unknown
    std::string file;      // as printed ("" when none)
    int line = 0;
    int column = 0;        // clang prints file:line:col; gcc's runtime only file:line
    std::string module;    // "libstdc++.so.6" etc. when printed
    std::string student;   // course-relative student file, "" if not one
    bool user = false;     // not in a system/library/sanitizer path
};

struct Stack {
    std::string header;    // line that introduces the stack ("" if none)
    std::vector<Frame> frames;
    bool secondary = false;  // context only (allocation, thread creation, ...)
};

enum class Tool { tsan, asan, lsan, ubsan };

// TSan's one-line "starting new threads after multi-threaded fork is not supported"
constexpr const char* kForkKind = "thread started after a multi-threaded fork";

struct Report {
    Tool tool = Tool::tsan;
    std::string kind;                  // the finding's kind
    std::string title;                 // text after "ThreadSanitizer: " / "AddressSanitizer: "
    std::vector<std::string> lines;    // body, pid prefix removed (title line first)
    std::vector<Stack> stacks;
    // UBSan: the "file:line:col: runtime error: ..." location
    std::string ub_file;
    int ub_line = 0;
    std::string ub_message;
};

class StudentFiles {
public:
    explicit StudentFiles(const std::vector<std::string>& files) {
        for (const auto& f : files) {
            std::string n = normalize_path(f);
            while (starts_with(n, "/")) n.erase(0, 1);
            if (!n.empty()) files_.emplace_back(n, f);
        }
    }
    // The course-relative student file that `path` is (matched by whole path
    // components at its end), or "".
    std::string match(std::string_view path) const {
        if (path.empty() || path == "<null>") return {};
        std::string n = normalize_path(path);
        const std::pair<std::string, std::string>* best = nullptr;
        for (const auto& f : files_) {
            const std::string& s = f.first;
            bool hit = n == s || (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0 &&
                                  n[n.size() - s.size() - 1] == '/');
            if (hit && (!best || s.size() > best->first.size())) best = &f;
        }
        return best ? best->second : std::string();
    }
private:
    std::vector<std::pair<std::string, std::string>> files_;  // normalised, as given
};

bool is_library_path(std::string_view f) {
    // glibc's frames are relative to its build ("../sysdeps/...", "../csu/...", "nptl/...")
    return f.empty() || f == "<null>" || starts_with(f, "/usr/") || starts_with(f, "/lib") ||
           starts_with(f, "../sysdeps/") || starts_with(f, "../csu/") || starts_with(f, "../nptl/") ||
           starts_with(f, "nptl/") || starts_with(f, "sysdeps/") || contains(f, "/libsanitizer/") ||
           contains(f, "/compiler-rt/");
}

// Parses the text after "#N " of a TSan frame ("func file:line[:col] (module+0x..)")
// or an ASan frame ("0xADDR in func file:line[:col]" / "0xADDR in func (module+0x..)").
Frame parse_frame(int index, std::string_view rest, const StudentFiles& students) {
    static const RE2 module_re(R"(^(.*?)\s*\(([^()\s]*)\+0x[0-9a-fA-F]+\)$)");
    static const RE2 loc_re(R"(^(.*?):(\d+)(?::(\d+))?$)");  // lazy: file:14:5 is line 14, column 5
    Frame fr;
    fr.index = index;
    rest = trim(rest);
    if (starts_with(rest, "0x")) {
        std::size_t i = 2;
        while (i < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i]))) ++i;
        rest = trim(rest.substr(i));
        if (starts_with(rest, "in ")) rest = trim(rest.substr(3));
    }
    static const RE2 build_id_re(R"(\s*\(BuildId: [0-9a-fA-F]+\)$)");  // newer runtimes add it
    std::string body(rest);
    RE2::Replace(&body, build_id_re, "");
    std::string before, module;
    if (RE2::FullMatch(body, module_re, &before, &module)) {
        body = before;
        fr.module = basename_of(module);
    }
    std::string_view b = trim(body);
    std::size_t sp = b.rfind(' ');
    std::string_view last = sp == std::string_view::npos ? b : b.substr(sp + 1);
    std::string file, column;
    int line = 0;
    if (last == "<null>") {
        b = sp == std::string_view::npos ? std::string_view() : trim(b.substr(0, sp));
    } else if (RE2::FullMatch(last, loc_re, &file, &line, &column)) {
        fr.file = file;
        fr.line = line;
        fr.column = column.empty() || column.size() > 6 ? 0 : std::stoi(column);
        b = sp == std::string_view::npos ? std::string_view() : trim(b.substr(0, sp));
    }
    fr.function = b == "<null>" ? std::string() : std::string(b);
    // A student file wins over the library test: the engine may compile from a
    // build directory ("../exercises/counter/counter.cpp").
    fr.student = students.match(fr.file);
    fr.user = !fr.student.empty() || (!fr.file.empty() && !is_library_path(fr.file));
    return fr;
}

bool secondary_header(std::string_view h) {
    static const RE2 re(
        R"(^(?:Location is |Mutex M\d+ (?:\(0x[0-9a-fA-F]+\) )?created at|Thread T\d+ .*created by|)"
        R"(As if synchronized via sleep|freed by thread|previously allocated by thread|allocated by thread|)"
        R"(Address 0x[0-9a-fA-F]+ is located in stack|0x[0-9a-fA-F]+ is located in stack|Indirect leak of))");
    return RE2::PartialMatch(h, re);
}

void build_stacks(Report& r, const StudentFiles& students) {
    static const RE2 frame_re(R"(^\s*#(\d+)\s+(.*)$)");
    std::string pending_header = r.lines.empty() ? std::string() : r.lines.front();
    bool in_frames = false;
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const std::string& l = r.lines[i];
        int index = 0;
        std::string rest;
        if (RE2::FullMatch(l, frame_re, &index, &rest)) {
            if (!in_frames || index == 0) {
                Stack s;
                s.header = pending_header;
                s.secondary = secondary_header(s.header);
                r.stacks.push_back(std::move(s));
                pending_header.clear();
            }
            r.stacks.back().frames.push_back(parse_frame(index, rest, students));
            in_frames = true;
        } else {
            std::string_view t = trim(l);
            if (!t.empty()) pending_header = std::string(t);
            in_frames = false;
        }
    }
}

// ------------------------------------------------------------- descriptions

std::string short_function(std::string f) {
    replace_all(f, "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string");
    replace_all(f, "std::__n4861::", "std::");
    replace_all(f, "std::__cxx11::", "std::");
    replace_all(f, "[abi:cxx11]", "");
    if (f == "operator()") return "a lambda (operator())";
    if (f.size() > 70) {
        // drop the parameter list: find the '(' that opens it (outside <...>)
        int depth = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (f[i] == '<') ++depth;
            else if (f[i] == '>') --depth;
            else if (f[i] == '(' && depth == 0 && i > 0 && f.compare(0, 8, "operator") != 0) {
                f = f.substr(0, i) + "(...)";
                break;
            }
        }
    }
    return cut(f, 90);
}

// "at counter.cpp:14 in counter::Counter::increment()", or "in std::...::xsputn(...)
// (libstdc++.so.6)" when the frame has no source line.
std::string where(const Frame* f) {
    if (!f) return "at an unknown place";
    std::string s;
    if (!f->file.empty()) s = "at " + basename_of(f->file) + ":" + std::to_string(f->line);
    if (!f->function.empty()) s += (s.empty() ? "in " : " in ") + short_function(f->function);
    if (f->file.empty() && !f->module.empty()) s += s.empty() ? "inside " + f->module : " (" + f->module + ")";
    return s.empty() ? "at an unknown place" : s;
}

std::string plain_where(const Frame* f) {
    std::string s = where(f);
    return starts_with(s, "at ") ? s.substr(3) : s;
}

std::string count(long long n, const std::string& what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string bytes(const std::string& n) { return n + (n == "1" ? " byte" : " bytes"); }

// The frame that best describes a stack: a student frame, else the first user
// frame, else the first frame that is not the sanitizer's own interceptor.
const Frame* describe_frame(const Stack& s) {
    for (const auto& f : s.frames) if (!f.student.empty()) return &f;
    for (const auto& f : s.frames) if (f.user) return &f;
    for (const auto& f : s.frames)
        if (!contains(f.file, "libsanitizer") && !f.function.empty()) return &f;
    return s.frames.empty() ? nullptr : &s.frames.front();
}

const Frame* first_student(const Stack& s) {
    for (const auto& f : s.frames) if (!f.student.empty()) return &f;
    return nullptr;
}

std::string thread_name(std::string t) {
    if (t == "T0") return "the main thread";
    if (t == "main thread") return "the main thread";
    if (starts_with(t, "thread ")) return t;
    return "thread " + t;
}

bool frees_memory(const Stack& s) {
    if (s.frames.empty()) return false;
    const std::string& f = s.frames.front().function;
    return starts_with(f, "operator delete") || f == "free" || f == "__interceptor_free" || f == "cfree";
}

const Stack* find_stack(const Report& r, const RE2& header_re) {
    for (const auto& s : r.stacks)
        if (RE2::PartialMatch(s.header, header_re)) return &s;
    return nullptr;
}

// Where a finding is placed.
struct Placement {
    const Stack* stack = nullptr;
    const Frame* frame = nullptr;
    std::string file;        // student file or ""
    int line = 0;
    bool from_context = false;  // found only in a context (secondary) stack
};

Placement place(const Report& r) {
    Placement p;
    for (int pass = 0; pass < 2 && !p.frame; ++pass) {
        for (const auto& s : r.stacks) {
            if (s.secondary != (pass == 1)) continue;
            if (const Frame* f = first_student(s)) {
                p.stack = &s;
                p.frame = f;
                p.file = f->student;
                p.line = f->line;
                p.from_context = pass == 1;
                break;
            }
        }
    }
    if (p.frame) {
        // ASan "located in stack ... in frame": the variable's own line is more precise.
        static const RE2 var_re(R"('[^']+' \(line (\d+)\) <== Memory access)");
        if (contains(p.stack->header, "is located in stack")) {
            int vline = 0;
            for (const auto& l : r.lines)
                if (RE2::PartialMatch(l, var_re, &vline)) { p.line = vline; break; }
        }
    }
    return p;
}

// ------------------------------------------------------------ TSan messages

struct Access {
    const Stack* stack;
    bool previous, atomic;
    std::string op, size, thread;
};

std::vector<Access> tsan_accesses(const Report& r) {
    static const RE2 re(
        R"(^(?i)(previous )?(atomic )?(read|write) of size (\d+) at 0x[0-9a-f]+ by (main thread|thread T\d+))");
    std::vector<Access> out;
    for (const auto& s : r.stacks) {
        std::string prev, atomic, op, size, thread;
        if (RE2::PartialMatch(s.header, re, &prev, &atomic, &op, &size, &thread)) {
            std::transform(op.begin(), op.end(), op.begin(), [](unsigned char c) { return std::tolower(c); });
            out.push_back({&s, !prev.empty(), !atomic.empty(), op, size, thread_name(thread)});
        }
    }
    return out;
}

std::string access_line(const Access& a) {
    std::string what;
    if (frees_memory(*a.stack)) {
        what = "delete/free";
    } else {
        what = std::string(a.atomic ? "atomic " : "") + a.op + " (" + bytes(a.size) + ")";
    }
    std::string s = (a.previous ? "previous " : "") + what + " by " + a.thread;
    return s + " " + where(describe_frame(*a.stack));
}

// The class a member function belongs to ("counter::Counter" for
// "counter::Counter::increment()"), "" for a free function or a lambda. A
// qualifier counts as a class when its last part starts with a capital letter
// (the course's classes do; its namespaces are lower case).
std::string owning_class(const Frame* f) {
    if (!f) return {};
    std::string fn = f->function;
    auto paren = fn.find('(');
    if (paren != std::string::npos) fn.erase(paren);
    auto sep = fn.rfind("::");
    if (sep == std::string::npos || fn.find('<') != std::string::npos || fn.find("lambda") != std::string::npos)
        return {};
    std::string owner = fn.substr(0, sep);
    auto last = owner.rfind("::");
    std::string leaf = last == std::string::npos ? owner : owner.substr(last + 2);
    if (leaf.empty() || !std::isupper(static_cast<unsigned char>(leaf[0]))) return {};
    return owner;
}

// "Location is ..." -> what the memory is
std::string tsan_location(const Report& r, const Placement& p) {
    static const RE2 global_re(R"(^Location is global '(.+)' of size (\d+))");
    static const RE2 heap_re(R"(^Location is heap block of size (\d+) at \S+ allocated by (main thread|thread T\d+))");
    static const RE2 stack_re(R"(^Location is stack of (main thread|thread T\d+))");
    static const RE2 tls_re(R"(^Location is TLS of (main thread|thread T\d+))");
    static const RE2 fd_re(R"(^Location is file descriptor (\d+))");
    for (const auto& l : r.lines) {
        std::string_view t = trim(l);
        if (!starts_with(t, "Location is ")) continue;
        std::string name, size, thread;
        if (RE2::PartialMatch(t, global_re, &name, &size)) {
            if (name == "<null>") continue;
            return "`" + short_function(name) + "` (a global variable)";
        }
        if (RE2::PartialMatch(t, heap_re, &size, &thread)) {
            for (const auto& s : r.stacks)
                if (starts_with(s.header, "Location is heap block"))
                    return "a heap object of " + size + " bytes allocated " + where(describe_frame(s));
            return "a heap object of " + size + " bytes";
        }
        if (RE2::PartialMatch(t, stack_re, &thread)) {
            // A GoogleTest body runs on the main thread: an object on its stack
            // that a member function touches is the one the test created and
            // handed to the student (snippet.cpp names the member from the line).
            std::string cls = owning_class(p.frame);
            if (thread == "main thread" && !cls.empty())
                return "a `" + short_function(cls) + "` object the test created and passed to your code (one object, "
                       "shared by all your threads)";
            if (thread == "main thread")
                return "a variable on the main thread's stack that your threads share by reference (a local of your "
                       "function, or an object the test passed in)";
            return "a local variable of " + thread_name(thread) + " (shared with other threads by reference)";
        }
        if (RE2::PartialMatch(t, tls_re, &thread)) return "a thread_local variable of " + thread_name(thread);
        if (RE2::PartialMatch(t, fd_re, &name)) return "file descriptor " + name;
        return std::string(t.substr(12));
    }
    return {};
}

std::vector<std::string> tsan_message(const Report& r, const Placement& p) {
    std::vector<std::string> m;
    const std::string& k = r.kind;
    if (k == "data race" || starts_with(k, "data race on vptr") || starts_with(k, "heap-use-after-free")) {
        std::string loc = tsan_location(r, p);
        std::vector<Access> acc = tsan_accesses(r);
        if (starts_with(k, "heap-use-after-free"))
            m.push_back("heap-use-after-free: a thread used memory after another thread freed it" +
                        (loc.empty() ? std::string() : " (" + loc + ")"));
        else if (std::any_of(acc.begin(), acc.end(), [](const Access& a) { return frees_memory(*a.stack); }))
            m.push_back(k + ": one thread frees memory that another thread uses" +
                        (loc.empty() ? std::string() : " (" + loc + ")"));
        else
            m.push_back(k + (loc.empty() ? std::string() : " on " + loc));
        for (std::size_t i = 0; i < acc.size() && i < 2; ++i) m.push_back("  " + access_line(acc[i]));
        if (acc.empty() && !r.stacks.empty()) m.push_back("  " + where(describe_frame(r.stacks.front())));
        if (p.from_context && p.frame) {
            std::string ctx = p.stack->header;
            bool in_library = false;  // some racing stack never leaves the libraries
            for (const auto& a : acc)
                in_library = in_library || std::none_of(a.stack->frames.begin(), a.stack->frames.end(),
                                                        [](const Frame& f) { return f.user; });
            std::string why = in_library ? "The racing accesses are inside library code (e.g. a shared std::ostream "
                                           "or std::string); "
                                         : "The racing accesses are not in your files; ";
            if (starts_with(ctx, "Thread ")) {
                std::string t = ctx.substr(7, ctx.find(' ', 7) - 7);
                m.push_back(why + thread_name(t) + " was started " + where(p.frame) + ".");
            } else {
                m.push_back(why + "your code involved: " + plain_where(p.frame) + ".");
            }
        }
        if (starts_with(k, "heap-use-after-free"))
            m.push_back("Keep the object alive (and join the threads using it) until every thread is done with it.");
        else
            m.push_back("Two threads use this memory at the same time and at least one writes: "
                        "protect it with a mutex or make it std::atomic.");
        return m;
    }
    if (starts_with(k, "lock-order-inversion")) {
        static const RE2 cycle_re(R"(Cycle in lock order graph: (.*))");
        static const RE2 acq_re(R"(^Mutex (M\d+) acquired here while holding mutex (M\d+) in (main thread|thread T\d+))");
        std::string cycle;
        std::string headline = "lock-order inversion (potential deadlock)";
        for (const auto& l : r.lines)
            if (RE2::PartialMatch(l, cycle_re, &cycle)) {
                static const RE2 addr_re(R"( \(0x[0-9a-fA-F]+\))");
                RE2::GlobalReplace(&cycle, addr_re, "");
                replace_all(cycle, "=>", "->");
                headline += ": mutexes " + std::string(trim(cycle)) + " are locked in opposite orders";
                break;
            }
        m.push_back(headline);
        for (std::size_t i = 0; i < r.stacks.size() && m.size() < 4; ++i) {
            std::string got, held, thread;
            if (!RE2::PartialMatch(r.stacks[i].header, acq_re, &got, &held, &thread)) continue;
            std::string line = "  " + thread_name(thread) + " locks " + got + " " +
                               where(describe_frame(r.stacks[i])) + " while holding " + held;
            if (i + 1 < r.stacks.size() && contains(r.stacks[i + 1].header, "previously acquired by the same thread"))
                line += " (locked " + where(describe_frame(r.stacks[i + 1])) + ")";
            m.push_back(line);
        }
        m.push_back("If two threads do this at the same time they wait for each other forever. Lock the mutexes in "
                    "one fixed order everywhere, or take them together with std::scoped_lock.");
        return m;
    }
    if (k == kForkKind) {
        m.push_back("a child process started a thread after fork() in a program that already had threads; "
                    "ThreadSanitizer cannot check that and stopped the child");
        m.push_back("Call fork() before starting any thread, or let the child only call async-signal-safe "
                    "functions (then exec or _exit).");
        return m;
    }
    if (k == "thread leak") {
        static const RE2 more_re(R"(And (\d+) more similar thread leaks)");
        std::string more;
        const Stack* s = r.stacks.empty() ? nullptr : &r.stacks.front();
        std::string t = "a thread";
        if (s && starts_with(s->header, "Thread ")) t = "thread " + s->header.substr(7, s->header.find(' ', 7) - 7);
        m.push_back("thread leak: " + t + " started " + where(p.frame ? p.frame : (s ? describe_frame(*s) : nullptr)) +
                    " was never joined");
        for (const auto& l : r.lines)
            if (RE2::PartialMatch(l, more_re, &more)) m.push_back("  (and " + more + " more threads like it)");
        m.push_back("join() every thread you start (or use std::jthread) before the program or its owner ends.");
        return m;
    }
    if (starts_with(k, "signal-unsafe call")) {
        const Stack* s = r.stacks.empty() ? nullptr : &r.stacks.front();
        std::string callee = s && !s->frames.empty() ? short_function(s->frames.front().function) : "a function";
        m.push_back("signal-unsafe call inside a signal handler: the handler " + where(p.frame ? p.frame : (s ? describe_frame(*s) : nullptr)) +
                    " calls " + callee + ", which is not async-signal-safe (it may allocate or lock)");
        m.push_back("In a signal handler only set a volatile std::sig_atomic_t flag or call async-signal-safe "
                    "functions such as write().");
        return m;
    }
    if (starts_with(k, "signal handler spoils errno")) {
        const Stack* s = r.stacks.empty() ? nullptr : &r.stacks.front();
        m.push_back("signal handler spoils errno: the handler " +
                    where(p.frame ? p.frame : (s ? describe_frame(*s) : nullptr)) +
                    " changes errno and does not restore it");
        m.push_back("Save errno when the handler starts and restore it before it returns.");
        return m;
    }
    // mutex misuse and everything else: say what and where, and the other stacks
    std::string mutex;
    static const RE2 mglobal_re(R"(^\s*Location is global '(.+)' of size)");
    for (const auto& l : r.lines) {
        std::string name;
        if (RE2::PartialMatch(l, mglobal_re, &name) && name != "<null>") { mutex = name; break; }
    }
    const Stack* first = r.stacks.empty() ? nullptr : &r.stacks.front();
    std::string head = k;
    if (!mutex.empty()) head += " (`" + short_function(mutex) + "`)";
    head += " " + where(p.frame && !p.from_context ? p.frame : (first ? describe_frame(*first) : nullptr));
    m.push_back(head);
    for (const auto& s : r.stacks) {
        if (&s == first) continue;
        if (s.header == "and:") m.push_back("  it was locked " + where(describe_frame(s)));
        else if (starts_with(s.header, "Mutex ") && contains(s.header, "created at"))
            m.push_back("  the mutex was first used " + where(describe_frame(s)));
        if (m.size() >= 3) break;
    }
    if (starts_with(k, "destroy of a locked mutex"))
        m.push_back("Unlock a mutex (let its lock_guard go out of scope) before the mutex is destroyed.");
    else if (starts_with(k, "unlock of an unlocked mutex"))
        m.push_back("Unlock only a mutex this thread has locked, exactly once; std::lock_guard does that for you.");
    else if (starts_with(k, "double lock"))
        m.push_back("The mutex was locked while ThreadSanitizer saw it still held; every lock needs exactly one "
                    "matching unlock (use std::lock_guard).");
    return m;
}

// ------------------------------------------------------------ ASan messages

std::string asan_access(const Report& r) {
    static const RE2 re(R"(^(READ|WRITE) of size (\d+) at 0x[0-9a-fA-F]+ thread (T\d+))");
    std::string op, size, thread;
    for (const auto& l : r.lines)
        if (RE2::PartialMatch(l, re, &op, &size, &thread)) {
            std::transform(op.begin(), op.end(), op.begin(), [](unsigned char c) { return std::tolower(c); });
            return op + " of " + size + " bytes by " + thread_name(thread);
        }
    return {};
}

// "0x.. is located 0 bytes to the right of 64-byte region" -> a phrase
std::string asan_region(const Report& r) {
    static const RE2 region_re(R"(is located (\d+) bytes (inside of|to the right of|to the left of) (\d+)-byte region)");
    static const RE2 global_re(
        R"(is located (\d+) bytes (inside of|to the right of|to the left of) global variable '([^']+)' defined in '([^']+)')");
    static const RE2 var_re(R"('([^']+)' \(line (\d+)\) <== Memory access at offset \d+ (.*))");
    std::string n, rel, size, name, def, line, how;
    for (const auto& l : r.lines) {
        if (RE2::PartialMatch(l, global_re, &n, &rel, &name, &def)) {
            std::string d = def;
            std::size_t c = d.rfind(':');
            if (c != std::string::npos && c > 0 && d.rfind(':', c - 1) != std::string::npos) d = d.substr(0, c);
            std::string g = "global variable `" + name + "` (defined at " + basename_of(d) + ")";
            if (rel == "inside of") return g;
            return n + " bytes " + (rel == "to the right of" ? "past the end of " : "before the start of ") + g;
        }
        if (RE2::PartialMatch(l, region_re, &n, &rel, &size)) {
            if (rel == "inside of") return n + " bytes inside a " + size + "-byte block";
            return n + " bytes " + (rel == "to the right of" ? "past the end of" : "before the start of") + " a " +
                   size + "-byte block";
        }
        if (RE2::PartialMatch(l, var_re, &name, &line, &how))
            return "local variable `" + name + "` (line " + line + ")";
    }
    return {};
}

std::vector<std::string> asan_message(const Report& r, const Placement& p) {
    static const RE2 freed_re(R"(^freed by thread)");
    static const RE2 alloc_re(R"(^(previously )?allocated by thread)");
    static const RE2 frame_re(R"(is located in stack of thread)");
    std::vector<std::string> m;
    const std::string& k = r.kind;
    const Stack* first = r.stacks.empty() ? nullptr : &r.stacks.front();
    const Frame* at = first ? describe_frame(*first) : nullptr;
    std::string access = asan_access(r);
    std::string region = asan_region(r);
    const Stack* freed = find_stack(r, freed_re);
    const Stack* alloc = find_stack(r, alloc_re);
    std::string alloc_at = alloc ? " (allocated " + where(describe_frame(*alloc)) + ")" : "";

    if (k == "heap-use-after-free") {
        m.push_back("heap-use-after-free: " + (access.empty() ? "an access" : access) + " " + where(at));
        if (freed) m.push_back("  uses memory that was already freed " + where(describe_frame(*freed)));
        if (alloc) m.push_back("  the memory was allocated " + where(describe_frame(*alloc)));
        m.push_back("Do not use an object after it was deleted (a coroutine frame is gone after destroy()); "
                    "check who owns it and how long it lives.");
    } else if (k == "double-free") {
        m.push_back("double-free: memory freed again " + where(at));
        if (freed) m.push_back("  it was already freed " + where(describe_frame(*freed)));
        if (alloc) m.push_back("  it was allocated " + where(describe_frame(*alloc)));
        m.push_back("Free every object exactly once: decide who owns it (std::unique_ptr helps).");
    } else if (k == "bad-free") {
        m.push_back("free/delete of memory that was not allocated with malloc/new, " + where(at));
        if (!region.empty()) m.push_back("  the pointer points into " + region);
        m.push_back("Only delete what you got from new (and free what you got from malloc).");
    } else if (k == "alloc-dealloc-mismatch" || k == "new-delete-type-mismatch") {
        static const RE2 how_re(R"(\(([^()]*(?:\(\))?[^()]*) vs ([^()]*)\))");
        std::string a, b;
        if (RE2::PartialMatch(r.title, how_re, &a, &b))
            m.push_back(k + ": memory from " + a + " released with " + b + " " + where(at));
        else
            m.push_back(k + " " + where(at));
        if (alloc) m.push_back("  it was allocated " + where(describe_frame(*alloc)));
        m.push_back("Release memory the way it was allocated: new/delete, new[]/delete[], malloc/free.");
    } else if (k == "stack-use-after-return" || k == "stack-use-after-scope") {
        const Stack* fs = find_stack(r, frame_re);
        const Frame* owner = fs ? describe_frame(*fs) : nullptr;
        m.push_back(k + ": " + (access.empty() ? "an access" : access) + " " + where(at));
        std::string var = region.empty() ? "a local variable" : region;
        if (owner)
            m.push_back("  uses " + var + " of " + short_function(owner->function) + " (" +
                        basename_of(owner->file) + ") after " +
                        (k == "stack-use-after-return" ? "that function returned" : "it went out of scope"));
        m.push_back(k == "stack-use-after-return"
                        ? "Never return or keep a pointer or reference to a local variable."
                        : "Do not keep a pointer or reference to a variable past the end of its block.");
    } else if (contains(k, "overflow") && k != "stack-overflow") {
        m.push_back(k + ": " + (access.empty() ? "an access" : access) + " " + where(at));
        if (!region.empty()) m.push_back("  goes " + (starts_with(region, "local") || starts_with(region, "global")
                                                          ? "outside " + region
                                                          : region + alloc_at));
        m.push_back("Check sizes and indexes: the access runs past the end (or start) of the buffer.");
    } else if (k == "stack-overflow") {
        int same = 0;
        if (first && at)
            for (const auto& f : first->frames) same += f.function == at->function ? 1 : 0;
        m.push_back("stack overflow " + where(at));
        if (same >= 20)
            m.push_back("  " + short_function(at->function) + " calls itself at least " + std::to_string(same) +
                        " times deep: a recursion that never stops?");
        m.push_back("Make sure every recursion reaches its base case, and keep big arrays off the stack.");
    } else if (k == "SEGV" || k == "BUS" || k == "FPE" || k == "ILL") {
        static const RE2 cause_re(R"(The signal is caused by a (READ|WRITE) memory access)");
        std::string cause;
        for (const auto& l : r.lines) RE2::PartialMatch(l, cause_re, &cause);
        std::transform(cause.begin(), cause.end(), cause.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string what = k == "SEGV" ? "crash (SEGV): invalid memory " + (cause.empty() ? std::string("access")
                                                                                        : cause)
                                       : "crash (" + k + ")";
        m.push_back(what + " " + where(at));
        for (const auto& l : r.lines)
            if (contains(l, "address points to the zero page")) {
                m.push_back("  the address is (close to) 0: a null pointer was used");
                break;
            }
    } else {
        m.push_back(k + (access.empty() ? "" : ": " + access) + " " + where(at));
        if (!region.empty()) m.push_back("  " + region);
    }
    if (p.from_context && p.frame && k != "stack-use-after-return" && k != "stack-use-after-scope")
        m.insert(m.begin() + 1, "  your code involved: " + plain_where(p.frame));
    return m;
}

std::vector<std::string> lsan_message(const Report& r, const Placement& p) {
    static const RE2 leak_re(R"(^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\))");
    static const RE2 total_re(R"(SUMMARY: \w+: (\d+) byte\(s\) leaked in (\d+) allocation\(s\))");
    long long dbytes = 0, dobjs = 0, ibytes = 0, iobjs = 0;
    for (const auto& s : r.stacks) {
        std::string kind;
        long long b = 0, o = 0;
        if (RE2::PartialMatch(s.header, leak_re, &kind, &b, &o)) {
            (kind == "Direct" ? dbytes : ibytes) += b;
            (kind == "Direct" ? dobjs : iobjs) += o;
        }
    }
    std::vector<std::string> m;
    std::string head = "memory leak: ";
    if (dbytes || ibytes) {
        head += count(dbytes + ibytes, "byte") + " in " + count(dobjs + iobjs, "allocation") + " never freed";
        if (ibytes) head += " (" + std::to_string(dbytes) + " bytes lost directly, " + std::to_string(ibytes) +
                            " more reachable only through them)";
    } else {
        long long tb = 0, ta = 0;
        for (const auto& l : r.lines)
            if (RE2::PartialMatch(l, total_re, &tb, &ta)) break;
        head += tb ? count(tb, "byte") + " in " + count(ta, "allocation") + " never freed" : "memory never freed";
    }
    m.push_back(head);
    // up to three distinct allocation sites, direct leaks first
    std::set<std::string> seen;
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& s : r.stacks) {
            std::string kind;
            long long b = 0, o = 0;
            if (!RE2::PartialMatch(s.header, leak_re, &kind, &b, &o) || (kind == "Direct") != (pass == 0)) continue;
            std::string w = where(describe_frame(s));
            if (!seen.insert(w).second || seen.size() > 3) continue;
            m.push_back("  " + count(b, "byte") + " in " + count(o, "object") + " allocated " + w +
                        (kind == "Indirect" ? " (indirect)" : ""));
        }
    (void)p;
    m.push_back("Every new needs a matching delete (a coroutine frame needs handle.destroy()); prefer owners like "
                "std::unique_ptr that free for you.");
    return m;
}

std::string ubsan_kind(const std::string& msg) {
    struct K { const char* needle; const char* kind; };
    static const K kinds[] = {
        {"signed integer overflow", "signed integer overflow"},
        {"out of bounds for type", "index out of bounds"},
        {"null pointer", "null pointer use"},
        {"misaligned address", "misaligned access"},
        {"shift exponent", "invalid shift"},
        {"left shift of", "invalid shift"},
        {"division by zero", "division by zero"},
        {"is not a valid value for type", "invalid value"},
        {"reached the end of a value-returning function", "missing return"},
        {"pointer overflow", "pointer overflow"},
        {"applying non-zero offset", "pointer overflow"},
        {"negation of", "signed integer overflow"},
        {"is outside the range of representable values", "float cast overflow"},
        {"variable length array bound", "invalid array length"},
        {"execution reached an unreachable program point", "unreachable code reached"},
        {"member call on address", "invalid object (vptr)"},
        {"member access within address", "invalid object (vptr)"},
        {"downcast of address", "invalid object (vptr)"},
        {"not within the bounds of", "index out of bounds"},
    };
    for (const auto& k : kinds)
        if (contains(msg, k.needle)) return std::string("undefined behavior (") + k.kind + ")";
    return "undefined behavior";
}

// --------------------------------------------------------------- segmenting

struct StartInfo {
    Tool tool;
    std::string kind, title;
    std::string ub_file, ub_message;
    int ub_line = 0;
    bool single_line = false;  // the whole report is this one line
};

bool report_start(std::string_view line, StartInfo& info) {
    static const RE2 tsan_re(R"(^WARNING: ThreadSanitizer: (.*?)(?: \(pid=\d+\))?\s*$)");
    static const RE2 err_re(
        R"(^ERROR: (AddressSanitizer|ThreadSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|HWAddressSanitizer|MemorySanitizer): (.*?)\s*$)");
    static const RE2 ub_re(R"(^(\S.*?): runtime error: (.*?)\s*$)");
    static const RE2 ubloc_re(R"(^(.*?):(\d+)(?::\d+)?$)");
    if (!contains(line, "Sanitizer") && !contains(line, "runtime error")) return false;
    if (contains(line, "ThreadSanitizer: starting new threads after multi-threaded fork is not supported")) {
        info = {Tool::tsan, kForkKind, std::string(line), {}, {}, 0, true};
        return true;
    }
    std::string a, b;
    if (RE2::FullMatch(line, tsan_re, &a)) {
        info = {Tool::tsan, a, a, {}, {}, 0, false};
        return true;
    }
    if (RE2::FullMatch(line, err_re, &a, &b)) {
        info.title = b;
        if (a == "LeakSanitizer") {
            info.tool = Tool::lsan;
            info.kind = "memory leak";
            return true;
        }
        info.tool = Tool::asan;
        std::string t = b;
        if (starts_with(t, "attempting ")) t.erase(0, 11);
        if (starts_with(t, "free on address which was not malloc()-ed")) {
            info.kind = "bad-free";
        } else {
            std::size_t end = t.size();
            for (std::string_view stop : {" on ", " (", ": "}) {
                std::size_t q = t.find(stop);
                if (q != std::string::npos) end = std::min(end, q);
            }
            info.kind = std::string(trim(t.substr(0, end)));
        }
        if (a == "ThreadSanitizer") info.tool = Tool::tsan;
        return true;
    }
    if (RE2::FullMatch(line, ub_re, &a, &b)) {
        info.tool = Tool::ubsan;
        info.title = b;
        info.ub_message = b;
        info.kind = ubsan_kind(b);
        std::string file;
        int l = 0;
        if (RE2::FullMatch(a, ubloc_re, &file, &l)) {
            info.ub_file = file;
            info.ub_line = l;
        } else {
            info.ub_file = a;
        }
        return true;
    }
    return false;
}

bool runtime_failure_line(std::string_view line) {
    static const RE2 re(
        R"((?:FATAL: \w*Sanitizer|\w*Sanitizer: CHECK failed|Sanitizer CHECK failed|can not mmap the shadow memory|)"
        R"(unexpected memory mapping|\w*Sanitizer failed to allocate|ReserveShadowMemoryRange failed|)"
        R"(Shadow memory range interleaves|LeakSanitizer has encountered a fatal error|)"
        R"(LeakSanitizer does not work under ptrace|failed to read suppressions file|failed to parse suppressions|)"
        R"(ERROR: Invalid value for \w+ option|runtime does not come first in initial library list|)"
        R"(Interceptors are not working|unsupported VMA range))");
    return RE2::PartialMatch(line, re);
}

Finding make_finding(Report& r, const StudentFiles& students) {
    build_stacks(r, students);
    Placement p;
    if (r.tool == Tool::ubsan) {
        std::string sf = students.match(r.ub_file);
        if (!sf.empty()) {
            p.file = sf;
            p.line = r.ub_line;
        } else {
            p = place(r);
        }
    } else {
        p = place(r);
    }
    std::vector<std::string> msg;
    switch (r.tool) {
    case Tool::tsan: msg = tsan_message(r, p); break;
    case Tool::asan: msg = asan_message(r, p); break;
    case Tool::lsan: msg = lsan_message(r, p); break;
    case Tool::ubsan: {
        std::string loc = r.ub_file.empty() ? std::string() : basename_of(r.ub_file) + ":" + std::to_string(r.ub_line);
        const Frame* fn = r.stacks.empty() ? nullptr : describe_frame(r.stacks.front());
        std::string in = fn && !fn->function.empty() ? " (in " + short_function(fn->function) + ")" : "";
        msg.push_back("undefined behavior at " + (loc.empty() ? std::string("an unknown place") : loc) + in + ": " +
                      r.ub_message);
        if (p.file.empty() == false && p.line != r.ub_line) msg.push_back("  your code involved: " + plain_where(p.frame));
        if (contains(r.kind, "signed integer overflow"))
            msg.push_back("The result does not fit in the type: use a wider type (long long) or check the range first.");
        else if (contains(r.kind, "null pointer"))
            msg.push_back("A null pointer was used: check pointers before you use them.");
        else if (contains(r.kind, "index out of bounds"))
            msg.push_back("An index is outside the array: check the bounds.");
        break;
    }
    }
    Finding f;
    f.kind = r.kind;
    f.file = p.file;
    f.line = p.file.empty() ? 0 : p.line;
    // Where to show the student's source: a race's two accesses each with its
    // thread, else the finding's own place. The text is read later, from the
    // submission only (snippet.cpp); here are just places the report names.
    if (r.tool == Tool::tsan) {
        for (const Access& a : tsan_accesses(r)) {
            if (f.snippets.size() >= 2) break;
            const Frame* fr = first_student(*a.stack);
            if (!fr || fr->line <= 0) continue;
            std::string what = frees_memory(*a.stack) ? "delete/free" : std::string(a.atomic ? "atomic " : "") + a.op;
            Snippet sn;
            sn.file = fr->student;
            sn.line = fr->line;
            sn.column = fr->column;
            sn.label = (a.previous ? "previous " : "") + what + " by " + a.thread;
            f.snippets.push_back(std::move(sn));
        }
    }
    if (f.snippets.empty() && !p.file.empty() && p.line > 0) {
        Snippet sn;
        sn.file = p.file;
        sn.line = p.line;
        sn.column = p.frame && p.frame->line == p.line ? p.frame->column : 0;
        f.snippets.push_back(std::move(sn));
    }
    if (p.file.empty() && r.kind != kForkKind) {
        // No student frame: say where it happened, so the grader's author can tell.
        const Frame* any = nullptr;
        for (int pass = 0; pass < 2 && !any; ++pass)
            for (const auto& s : r.stacks) {
                if (s.secondary != (pass == 1)) continue;
                for (const auto& fr : s.frames)
                    if (fr.user) { any = &fr; break; }
                if (any) break;
            }
        if (r.tool == Tool::ubsan && !r.ub_file.empty() && !is_library_path(r.ub_file))
            msg.push_back("  (not in your files: at " + r.ub_file + ":" + std::to_string(r.ub_line) + ")");
        else if (any)
            msg.push_back("  (not in your files: first frame outside the libraries is " + any->file + ":" +
                          std::to_string(any->line) + (any->function.empty() ? "" : " in " + short_function(any->function)) +
                          ")");
        else
            msg.push_back("  (no frame in your files; the report's stacks are all inside libraries)");
    }
    if (msg.size() > 6) msg.resize(6);
    for (std::size_t i = 0; i < msg.size(); ++i) {
        if (i) f.message += '\n';
        f.message += cut(msg[i], 300);
    }
    return f;
}

}  // namespace

SanitizerScan scan_sanitizer_output(std::string_view text, const std::vector<std::string>& student_files) {
    StudentFiles students(student_files);
    SanitizerScan scan;
    std::string clean = strip_ansi(text);

    std::vector<Report> reports;
    Report* open = nullptr;            // the report lines are being added to
    std::vector<std::string> failure;  // runtime-failure lines
    std::size_t pos = 0;
    while (pos <= clean.size()) {
        std::size_t nl = clean.find('\n', pos);
        if (nl == std::string::npos) nl = clean.size();
        std::string_view raw(clean.data() + pos, nl - pos);
        pos = nl + 1;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        std::string_view line = strip_pid_prefix(raw);

        if (runtime_failure_line(line)) {
            if (failure.size() < 12) failure.emplace_back(trim(line));
            continue;
        }
        if (!failure.empty() && failure.size() < 12 && (starts_with(line, "FATAL:") || starts_with(line, "HINT:")))
            failure.emplace_back(trim(line));

        StartInfo info;
        if (report_start(line, info)) {
            Report r;
            r.tool = info.tool;
            r.kind = info.kind;
            r.title = info.title;
            r.ub_file = info.ub_file;
            r.ub_line = info.ub_line;
            r.ub_message = info.ub_message;
            r.lines.emplace_back(line);
            reports.push_back(std::move(r));
            open = info.single_line ? nullptr : &reports.back();
            continue;
        }
        if (!open) continue;
        if (is_separator(line)) { open = nullptr; continue; }
        if (open->tool == Tool::ubsan) {
            // a UBSan report is its first line plus the stack right after it
            static const RE2 frame_re(R"(^\s*#\d+\s)");
            if (RE2::PartialMatch(line, frame_re)) {
                open->lines.emplace_back(line);
            } else if (!trim(line).empty() || open->lines.size() > 1) {
                open = nullptr;
            }
            continue;
        }
        open->lines.emplace_back(line);
        if (starts_with(trim(line), "SUMMARY: ")) open = nullptr;
    }

    std::set<std::string> seen;
    for (auto& r : reports) {
        Finding f = make_finding(r, students);
        std::string key = f.kind + '\0' + f.file + '\0' + std::to_string(f.line);
        if (f.file.empty()) key += '\0' + f.message.substr(0, f.message.find('\n'));
        if (seen.insert(key).second) scan.findings.push_back(std::move(f));
    }
    if (!failure.empty()) {
        scan.runtime_failure = true;
        for (std::size_t i = 0; i < failure.size(); ++i) {
            if (i) scan.runtime_failure_text += '\n';
            scan.runtime_failure_text += cut(failure[i], 400);
        }
    }
    return scan;
}

// ------------------------------------------------------------------ options

namespace {

// Sanitizer flags are separated by ' ', ',', ':', tab or newline; a value can be
// quoted with '...' or "..." (measured with gcc 12's runtimes: log_path='/tmp/a b:c/x'
// works for TSan and ASan). A value holding both quote characters cannot be passed.
std::string option_value(const std::string& name, const std::string& v) {
    if (v.find_first_of(" ,:\t\r\n'\"") == std::string::npos) return v;
    if (v.find('\'') == std::string::npos) return "'" + v + "'";
    if (v.find('"') == std::string::npos) return "\"" + v + "\"";
    throw std::invalid_argument("sanitizer option " + name + ": the path `" + v +
                                "` contains both ' and \" and cannot be passed to a sanitizer");
}

void add(std::string& opts, const std::string& name, const std::string& value) {
    if (!opts.empty()) opts += ':';
    opts += name + "=" + option_value(name, value);
}

}  // namespace

std::string tsan_options(const std::string& log_prefix, const std::string& suppressions) {
    std::string o =
        "halt_on_error=1:exitcode=66:detect_deadlocks=1:second_deadlock_stack=1:report_thread_leaks=1:"
        "report_destroy_locked=1:report_mutex_bugs=1:io_sync=1:atexit_sleep_ms=0:history_size=7:"
        "allow_user_segv_handler=0:color=never";
    if (!log_prefix.empty()) add(o, "log_path", log_prefix);
    if (!suppressions.empty()) add(o, "suppressions", suppressions);
    return o;
}

std::string asan_options(const std::string& log_prefix) {
    std::string o =
        "halt_on_error=1:abort_on_error=0:exitcode=67:detect_leaks=1:detect_stack_use_after_return=1:"
        "check_initialization_order=1:strict_init_order=1:alloc_dealloc_mismatch=1:new_delete_type_mismatch=1:"
        "allow_user_segv_handler=0:color=never";
    if (!log_prefix.empty()) add(o, "log_path", log_prefix);
    return o;
}

std::string ubsan_options(const std::string& log_prefix) {
    std::string o = "halt_on_error=1:print_stacktrace=1:exitcode=68:color=never";
    if (!log_prefix.empty()) add(o, "log_path", log_prefix);
    return o;
}

std::string lsan_options(const std::string& suppressions) {
    std::string o = "exitcode=23:color=never";
    if (!suppressions.empty()) add(o, "suppressions", suppressions);
    return o;
}

}  // namespace conclab
