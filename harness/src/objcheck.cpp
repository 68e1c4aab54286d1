// The object check (see objcheck.hpp): reads a student's .o with binutils and
// reports code that runs outside the tested functions, references to internals
// the student must not call, and raw system call instructions.
//
// Why on the object and not the text: the source scan (tamper.cpp) cannot follow
// the preprocessor (a name built with ##, a macro from a header), but the object
// says exactly what the code calls and what runs at start-up.
//
// What the compiler itself puts there, measured with g++ 12 on the five
// reference solutions and stubs under the grader's three flag sets
// (-fsanitize=thread -O1, -fsanitize=address,undefined,leak -O1, -O2):
//   * start-up code only for <iostream>'s std::ios_base::Init object (its
//     constructor, and __cxa_atexit of its destructor), reached through
//     _GLOBAL__sub_I_<file> -> __static_initialization_and_destruction_0;
//   * the sanitizers' module constructors/destructors (_sub_I_00099_0 ...):
//     __tsan_init; __asan_init, __asan_version_mismatch_check_v8,
//     __asan_(un)register_globals; and around dynamic initialisation
//     __asan_before/after_dynamic_init;
//   * instrumentation calls (__tsan_read4, __tsan_func_entry,
//     __tsan_atomic32_fetch_add, __asan_report_load8, __asan_stack_malloc_1,
//     __ubsan_handle_*_abort ...), in any function including the start-up ones.
// The allowed instrumentation is the family g++ emits for the sanitizer the
// object was compiled with (read from the flags recorded in its debug info), so
// an __asan_* call in a ThreadSanitizer object, or any sanitizer call in the
// -O2 object, is the student's. An explicit call of an instrumentation entry
// point itself (say __tsan_read4) cannot be told from the compiler's; the source
// scan reports those by name, and they can only add checks, not remove them.
#include "conclab/objcheck.hpp"

#include <cxxabi.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conclab/build.hpp"

namespace conclab {
namespace {

using re2::RE2;

struct Section {
    std::uint64_t size = 0;
    bool code = false;
};

struct Symbol {
    std::string name, section;
    std::uint64_t value = 0, size = 0;
    bool function = false, undefined = false;
};

struct Reloc {
    std::uint64_t offset = 0;
    std::string type, target;  // target: a symbol or a section name
    std::int64_t addend = 0;
};

struct Insn {
    std::uint64_t addr = 0;
    std::string text;  // "call   1c1 <_Z41__static_initialization_and_destruction_0ii>"
    std::vector<Reloc> relocs;
    std::string file;  // from the line table, as the compiler recorded it
    int line = 0;
};

struct Object {
    std::map<std::string, Section> sections;
    std::vector<Symbol> symbols;
    std::map<std::string, std::vector<Insn>> code;  // by section, in address order
    std::string producer, cu_name;
};

std::string run_tool(const std::vector<std::string>& argv) {
    // A disassembly with line numbers of a big object is a few MB; keep it all.
    CommandResult r = run_command(argv, {}, std::chrono::seconds(120), std::size_t(1) << 30);
    if (r.exit_code != 0)
        throw std::runtime_error(argv[0] + " failed on " + argv.back() + ": " + r.output.substr(0, 2000));
    return r.output;
}

std::uint64_t hex(std::string_view s) { return std::strtoull(std::string(s).c_str(), nullptr, 16); }

std::string demangle(const std::string& name) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> d(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                                  &std::free);
    return status == 0 && d ? std::string(d.get()) : name;
}

// "sym-0x4", ".text+0x49df", "sym" -> (sym, addend)
std::pair<std::string, std::int64_t> split_addend(const std::string& v) {
    for (auto pos = v.size(); pos-- > 1;) {
        if ((v[pos] == '+' || v[pos] == '-') && v.compare(pos + 1, 2, "0x") == 0) {
            auto a = static_cast<std::int64_t>(hex(v.substr(pos + 3)));
            return {v.substr(0, pos), v[pos] == '-' ? -a : a};
        }
    }
    return {v, 0};
}

void read_sections(Object& o, const std::string& out) {
    // "  0 .text   000049f5  0000000000000000  0000000000000000  00000040  2**0  CONTENTS, ..., CODE"
    static const RE2 re(R"(^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+2\*\*\d+\s+(.*)$)");
    std::istringstream in(out);
    std::string line, name, size, flags;
    while (std::getline(in, line))
        if (RE2::FullMatch(line, re, &name, &size, &flags))
            o.sections[name] = {hex(size), flags.find("CODE") != std::string::npos};
}

void read_symbols(Object& o, const std::string& out) {
    // "0000000000000993 l     F .text\t000000000000000b _sub_I_00099_0"
    // "0000000000000000         *UND*\t0000000000000000 __tsan_init"
    static const RE2 re(R"(^([0-9a-f]+) (.{7}) (\S+)\t([0-9a-f]+) (.*)$)");
    std::istringstream in(out);
    std::string line, value, flags, section, size, name;
    while (std::getline(in, line)) {
        if (!RE2::FullMatch(line, re, &value, &flags, &section, &size, &name)) continue;
        for (const char* vis : {".hidden ", ".protected ", ".internal "})
            if (name.rfind(vis, 0) == 0) name = name.substr(std::string_view(vis).size());
        Symbol s;
        s.name = name;
        s.section = section;
        s.value = hex(value);
        s.size = hex(size);
        s.function = flags[6] == 'F';
        s.undefined = section == "*UND*";
        o.symbols.push_back(std::move(s));
    }
}

void read_disassembly(Object& o, const std::string& out) {
    std::string section, file;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t end = out.find('\n', pos);
        if (end == std::string::npos) end = out.size();
        std::string_view line(out.data() + pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        if (line.rfind("Disassembly of section ", 0) == 0) {
            section = std::string(line.substr(23, line.size() - 24));
            continue;
        }
        if (line[0] == ' ') {  // "    49ed:\tcall   b6 <...>\t49ee: R_X86_64_PLT32\tsym-0x4"
            auto colon = line.find(":\t");
            if (colon == std::string_view::npos) continue;
            Insn insn;
            insn.addr = hex(line.substr(0, colon));
            insn.file = file;
            insn.line = line_no;
            std::vector<std::string_view> parts;
            for (std::size_t b = colon + 2;;) {
                auto t = line.find('\t', b);
                parts.push_back(line.substr(b, t == std::string_view::npos ? std::string_view::npos : t - b));
                if (t == std::string_view::npos) break;
                b = t + 1;
            }
            insn.text = std::string(parts[0]);
            for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
                auto r = parts[i].find(": R_");
                if (r == std::string_view::npos) continue;
                Reloc rel;
                rel.offset = hex(parts[i].substr(0, r));
                rel.type = std::string(parts[i].substr(r + 2));
                std::tie(rel.target, rel.addend) = split_addend(std::string(parts[i + 1]));
                insn.relocs.push_back(std::move(rel));
                ++i;
            }
            o.code[section].push_back(std::move(insn));
            continue;
        }
        // "/path/counter.cpp:12" or "/path/counter.cpp:12 (discriminator 1)" (objdump -l)
        if (line.back() == ':') continue;  // a symbol header or "name():"
        auto disc = line.find(" (discriminator");
        std::string_view loc = line.substr(0, disc);
        auto c = loc.rfind(':');
        if (c == std::string_view::npos || c + 1 >= loc.size()) continue;
        bool digits = std::all_of(loc.begin() + c + 1, loc.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
        if (!digits) continue;
        file = std::string(loc.substr(0, c));
        line_no = std::atoi(std::string(loc.substr(c + 1)).c_str());
    }
}

void read_compile_unit(Object& o, const std::string& out) {
    // "    <e>   DW_AT_producer    : (indirect string, offset: 0x46ca): GNU C++20 12.2.0 ... -fsanitize=thread ..."
    std::istringstream in(out);
    std::string line;
    auto value = [](const std::string& l) {
        auto p = l.find("): ");
        if (p != std::string::npos) return l.substr(p + 3);
        p = l.find(": ");
        return p == std::string::npos ? std::string() : l.substr(p + 2);
    };
    while (std::getline(in, line)) {
        if (o.producer.empty() && line.find("DW_AT_producer") != std::string::npos) o.producer = value(line);
        if (o.cu_name.empty() && line.find("DW_AT_name") != std::string::npos) o.cu_name = value(line);
        if (!o.producer.empty() && !o.cu_name.empty()) break;
    }
}

Object read_object(const std::filesystem::path& object) {
    Object o;
    const std::string path = object.string();
    read_sections(o, run_tool({"objdump", "-h", "-w", path}));
    read_symbols(o, run_tool({"objdump", "-t", "-w", path}));
    read_disassembly(o, run_tool({"objdump", "-d", "-r", "-l", "-w", "--no-show-raw-insn", path}));
    read_compile_unit(o, run_tool({"readelf", "--debug-dump=info", "--dwarf-depth=1", path}));
    return o;
}

// ---- what is allowed

struct Allowed {
    std::vector<std::unique_ptr<RE2>> instrumentation;  // for the object's sanitizers
    bool instrumented(const std::string& name) const {
        return std::any_of(instrumentation.begin(), instrumentation.end(),
                           [&](const auto& re) { return RE2::FullMatch(name, *re); });
    }
};

Allowed allowed_for(const std::string& producer) {
    // The entry points that the instrumentation passes of GCC 12 call.
    static const char* tsan =
        R"(__tsan_(?:init|func_entry|func_exit|(?:read|write)(?:1|2|4|8|16|_range)|unaligned_(?:read|write)(?:2|4|8|16))"
        R"(|volatile_(?:read|write)(?:1|2|4|8|16)|vptr_(?:update|read))"
        R"(|atomic(?:8|16|32|64|128)_(?:load|store|exchange|fetch_(?:add|sub|and|or|xor|nand)|compare_exchange_(?:strong|weak|val)))"
        R"(|atomic_(?:thread|signal)_fence))";
    static const char* asan =
        R"(__asan_(?:init|version_mismatch_check_v\d+|report_(?:load|store)(?:1|2|4|8|16|_n)(?:_noabort)?)"
        R"(|report_exp_(?:load|store)(?:1|2|4|8|16|_n)|(?:load|store)(?:1|2|4|8|16|N)(?:_noabort)?)"
        R"(|(?:un)?register_globals|handle_no_return|(?:before|after)_dynamic_init|(?:un)?poison_stack_memory)"
        R"(|stack_(?:malloc|free)_\d+|option_detect_stack_use_after_return|alloca_poison|allocas_unpoison)"
        R"(|set_shadow_(?:00|f1|f2|f3|f5|f8)|(?:poison|load)_cxx_array_cookie|shadow_memory_dynamic_address))";
    static const char* ubsan = R"(__ubsan_(?:handle_\w+|vptr_type_cache))";
    Allowed a;
    std::string list;
    static const RE2 flag_re(R"((?:^| )-fsanitize=([\w,-]+))");
    re2::StringPiece in(producer);
    std::string one;
    while (RE2::FindAndConsume(&in, flag_re, &one)) list += "," + one + ",";
    if (list.find(",thread,") != std::string::npos) a.instrumentation.push_back(std::make_unique<RE2>(tsan));
    if (list.find(",address,") != std::string::npos) a.instrumentation.push_back(std::make_unique<RE2>(asan));
    if (list.find(",undefined,") != std::string::npos) a.instrumentation.push_back(std::make_unique<RE2>(ubsan));
    return a;
}

// Start-up functions the compiler generates (and their cold/cloned parts).
bool compiler_startup_function(const std::string& name) {
    static const RE2 re(
        R"((?:_GLOBAL__sub_[ID]_.*|_sub_[ID]_\d+_\d+|_Z41__static_initialization_and_destruction_0ii)"
        R"(|__static_initialization_and_destruction_0)(?:\.(?:cold|part\.\d+|constprop\.\d+|isra\.\d+))*)");
    return RE2::FullMatch(name, re);
}

// What start-up code may call: <iostream>'s initialiser and its registration.
bool library_startup_symbol(const std::string& name) {
    static const std::set<std::string> ok = {"_ZNSt8ios_base4InitC1Ev", "_ZNSt8ios_base4InitD1Ev", "__cxa_atexit",
                                             "__dso_handle", "_Unwind_Resume", "__stack_chk_fail",
                                             "_GLOBAL_OFFSET_TABLE_"};
    return ok.count(name) > 0;
}

bool startup_section(const std::string& name) {
    static const RE2 re(R"(\.(?:init_array|preinit_array|fini_array|ctors|dtors)(?:\..*)?)");
    return RE2::FullMatch(name, re);
}

// ---- the checks

class Checker {
public:
    Checker(Object o, std::vector<std::string> student_files)
        : o_(std::move(o)), files_(std::move(student_files)), allowed_(allowed_for(o_.producer)) {
        main_file_ = student_file(o_.cu_name);
        if (main_file_.empty()) main_file_ = o_.cu_name;
    }

    void check_startup(const std::filesystem::path& object);
    void check_references();
    // The instruction that first refers to `symbol`, preferring one in the
    // student's own file; nullptr when no code refers to it.
    const Insn* first_reference(const std::string& symbol) const;
    // Whether some instruction that refers to `symbol` is on a line of the
    // student's files (not inlined from a library header).
    bool written_by_student(const std::string& symbol) const;
    void check_syscalls();
    std::vector<CodeProblem> problems() && { return std::move(problems_); }

private:
    std::string student_file(const std::string& path) const {
        for (const auto& f : files_)
            if (names_student_file(path, f)) return f;
        return {};
    }
    void report(const Insn* at, std::string what) {
        CodeProblem p{main_file_, 0, std::move(what)};
        if (at) {
            if (auto f = student_file(at->file); !f.empty()) {
                p.file = f;
                p.line = at->line;
            }
        }
        for (const auto& q : problems_)
            if (q.file == p.file && q.line == p.line && q.what == p.what) return;
        if (problems_.size() < 50) problems_.push_back(std::move(p));
    }
    const Symbol* defined(const std::string& name) const {
        for (const auto& s : o_.symbols)
            if (s.name == name && !s.undefined) return &s;
        return nullptr;
    }
    const Symbol* function_at(const std::string& section, std::uint64_t addr) const {
        const Symbol* best = nullptr;
        for (const auto& s : o_.symbols)
            if (s.function && s.section == section && s.value <= addr && addr < s.value + std::max<std::uint64_t>(s.size, 1))
                if (!best || compiler_startup_function(s.name)) best = &s;  // prefer the generated name
        return best;
    }
    std::vector<const Insn*> body(const Symbol& f) const {
        std::vector<const Insn*> out;
        auto it = o_.code.find(f.section);
        if (it == o_.code.end()) return out;
        for (const auto& i : it->second)
            if (i.addr >= f.value && i.addr < f.value + std::max<std::uint64_t>(f.size, 1)) out.push_back(&i);
        return out;
    }
    bool is_code_section(const std::string& name) const {
        auto it = o_.sections.find(name);
        return it != o_.sections.end() && it->second.code;
    }
    std::string startup_name(const std::string& sym) const { return "`" + demangle(sym) + "`"; }

    // A reference made by start-up code (`from`, nullptr for a section entry) to
    // `target` (+ offset into a section). Follows the compiler's own start-up
    // functions; anything else that is code is reported.
    void startup_reference(const Insn* from, const std::string& where, const std::string& target,
                           std::uint64_t offset, std::deque<const Symbol*>& todo);

    Object o_;
    std::vector<std::string> files_;
    Allowed allowed_;
    std::string main_file_;
    std::vector<CodeProblem> problems_;
    std::set<const Symbol*> seen_;
};

void Checker::startup_reference(const Insn* from, const std::string& where, const std::string& target,
                                std::uint64_t offset, std::deque<const Symbol*>& todo) {
    const Symbol* fn = nullptr;
    if (o_.sections.count(target)) {  // a section symbol: the target is at `offset` in it
        if (!is_code_section(target)) return;  // data (the ios_base::Init object, sanitizer tables)
        fn = function_at(target, offset);
    } else if (const Symbol* s = defined(target)) {
        if (!is_code_section(s->section)) return;  // the student's own data: not code
        fn = s->function ? s : function_at(s->section, s->value);
    } else if (target.rfind(".L", 0) == 0) {  // an assembler-local label: constants
        return;
    } else {  // defined elsewhere
        if (library_startup_symbol(target) || allowed_.instrumented(target)) return;
        report(from, where + " calls " + startup_name(target) +
                         " before main() starts, outside the tests, where it could interfere with the grader. "
                         "Do not give global variables constructors or destructors that run code: create the "
                         "object inside your functions, or make it a constexpr constant.");
        return;
    }
    if (fn && compiler_startup_function(fn->name)) {
        if (seen_.insert(fn).second) todo.push_back(fn);
        return;
    }
    std::string name = fn ? startup_name(fn->name) : "code at " + target;
    if (!from) {  // a constructor function or a pointer placed in the section itself
        const Insn* first = nullptr;
        if (fn) {
            auto b = body(*fn);
            if (!b.empty()) first = b.front();
        }
        report(first, name + " is listed in " + where +
                          ", so it runs before main() starts (or after it ends), outside the tests, where it "
                          "could interfere with the grader. Remove the constructor/destructor attribute or "
                          "section attribute and do this work inside your functions.");
        return;
    }
    report(from, where + " runs " + name +
                     " before main() starts (or after it ends), outside the tests, where it could interfere with "
                     "the grader. Do not give global variables constructors or destructors that run code: create "
                     "the object inside your functions, or make it a constexpr constant.");
}

void Checker::check_startup(const std::filesystem::path& object) {
    std::vector<std::string> entries;
    for (const auto& [name, sec] : o_.sections) {
        if (startup_section(name)) entries.push_back(name);
        // Code placed into the program's own .init/.fini runs outside the tests.
        if (sec.code && sec.size > 0 && (name == ".init" || name == ".fini"))
            report(nullptr, "puts code into the program's " + name +
                                " section, which runs outside the tests — remove the section attribute.");
    }
    if (entries.empty()) return;
    std::vector<std::string> argv = {"objdump", "-r", "-w"};
    for (const auto& e : entries) argv.insert(argv.end(), {"-j", e});
    argv.push_back(object.string());
    const std::string out = run_tool(argv);

    static const RE2 header(R"(RELOCATION RECORDS FOR \[(.*)\]:)");
    static const RE2 row(R"(([0-9a-f]+)\s+(R_\S+)\s+(.*?)\s*)");
    std::map<std::string, std::size_t> relocs_in;
    std::deque<const Symbol*> todo;
    std::istringstream in(out);
    std::string line, section, off, type, value;
    while (std::getline(in, line)) {
        if (RE2::FullMatch(line, header, &section)) continue;
        if (!RE2::FullMatch(line, row, &off, &type, &value) || section.empty()) continue;
        ++relocs_in[section];
        auto [target, addend] = split_addend(value);
        startup_reference(nullptr, section, target, static_cast<std::uint64_t>(addend), todo);
    }
    for (const auto& e : entries) {
        // Every 8-byte slot must be a relocated pointer; anything else is a raw address.
        if (o_.sections[e].size > 8 * relocs_in[e])
            report(nullptr, e + " has an entry that is not a function of your file; what is listed there runs "
                                "before main() starts — remove it.");
    }

    // Follow the compiler's start-up functions: every call and address they use.
    while (!todo.empty()) {
        const Symbol* fn = todo.front();
        todo.pop_front();
        const auto insns = body(*fn);
        const std::string where = "the start-up code of a global variable in this file";
        for (std::size_t k = 0; k < insns.size(); ++k) {
            const Insn& i = *insns[k];
            const std::uint64_t next = k + 1 < insns.size() ? insns[k + 1]->addr : fn->value + fn->size;
            for (const auto& r : i.relocs) {
                std::uint64_t offset = static_cast<std::uint64_t>(r.addend);
                // PC-relative: the CPU adds the end of the instruction, not the field.
                if (r.type.find("PC") != std::string::npos || r.type.find("PLT") != std::string::npos)
                    offset = static_cast<std::uint64_t>(r.addend + static_cast<std::int64_t>(next - r.offset));
                startup_reference(&i, where, r.target, offset, todo);
            }
            const bool branch = i.text.rfind("call", 0) == 0 || i.text.rfind("jmp", 0) == 0 ||
                                i.text.rfind("notrack", 0) == 0 || i.text.rfind("bnd", 0) == 0;
            if (!branch || !i.relocs.empty()) continue;
            if (i.text.find('*') != std::string::npos) {
                report(&i, where + " calls code through a function pointer before main() starts, outside the "
                                   "tests, where it could interfere with the grader. Do not give global variables "
                                   "constructors or destructors that run code.");
                continue;
            }
            // "call   1c1 <...>": a direct branch inside this section
            auto sp = i.text.find_first_of(" \t");
            if (sp == std::string::npos) continue;
            auto b = i.text.find_first_not_of(" \t", sp);
            if (b == std::string::npos) continue;
            std::uint64_t to = hex(i.text.substr(b, i.text.find(' ', b) - b));
            if (to >= fn->value && to < fn->value + std::max<std::uint64_t>(fn->size, 1)) continue;  // local jump
            startup_reference(&i, where, fn->section, to, todo);
        }
    }
}

void Checker::check_references() {
    static const RE2 framework(R"((?:^|[^\w])testing::|^testing::)");
    static const RE2 grader(R"((?i)conclab|^__wrap_|^__real_)");
    static const RE2 sanitizer(
        R"(^__(?:tsan|asan|lsan|ubsan|msan|hwasan|dfsan|sanitizer)_|(?:^|[^\w])__(?:tsan|asan|lsan|ubsan|sanitizer|interception)::)");
    // The namespaces of the graders' own helpers (graders/common/kit: kit::;
    // the graders: grader::, probe::, interleave::, <exercise>_grader::). A
    // reference to one calls into the grader. A DEFINITION in one is worse:
    // an inline variable or function the student's object defines there is
    // merged by the linker with the grader's own (both are COMDAT), so the
    // student's code could write a counter the grader reads (for example
    // kit::bounded_futex_timeouts; tests/hostile/grader_namespace_counter).
    static const RE2 grader_namespace(R"((?:^|[^\w:])(?:kit|grader|probe|interleave|\w+_grader)::)");
    static const std::set<std::string> loaders = {"dlopen", "dlmopen", "dlsym", "dlvsym"};
    static const std::set<std::string> tracers = {"ptrace", "process_vm_readv", "process_vm_writev", "prctl"};
    for (const auto& s : o_.symbols) {
        if (s.name.empty()) continue;
        if (!s.undefined) {
            const std::string shown = demangle(s.name);
            if (RE2::PartialMatch(shown, grader_namespace))
                report(first_reference(s.name), "defines `" + shown + "` in a namespace of the grader's own code: "
                       "those names belong to the grader, and a definition there can replace the grader's. Use "
                       "your own names.");
            continue;
        }
        std::string name = s.name.substr(0, s.name.find('@'));  // a .symver'd reference "dlsym@GLIBC_2.2.5"
        const std::string shown = demangle(name);
        std::string what;
        if (RE2::PartialMatch(shown, framework))
            what = "uses GoogleTest's internals (`" + shown + "`): only the grader may talk to the test framework. "
                   "Remove it; your code is tested through its own functions.";
        else if (RE2::PartialMatch(shown, grader) || RE2::PartialMatch(shown, grader_namespace))
            what = "uses the grader's own code (`" + shown + "`): only the grader may. Remove it.";
        else if (RE2::PartialMatch(shown, sanitizer) && !allowed_.instrumented(name))
            what = "calls the sanitizer runtime directly (`" + shown + "`): the grader needs the sanitizers to see "
                   "your code exactly as it runs. Remove it.";
        else if (loaders.count(name))
            what = "loads or looks up code at run time (`" + name + "`), which hides what your code calls from the "
                   "grader. Call the functions you need directly.";
        else if (name == "syscall" && written_by_student(s.name))
            // e.g. a mkdir the grader's census would not see (tests/hostile/mkdir_by_syscall). Only a call
            // written in the student's file: libstdc++'s own inline code calls syscall(SYS_futex, ...) for
            // std::atomic::wait and the C++20 semaphores, and that is fine.
            what = "makes a system call by its number (`syscall()`), which goes around the C library functions the "
                   "grader watches. Call the C library's own function for it (write, mkdir, gettid, ...).";
        else if (tracers.count(name))
            what = "uses `" + name + "`, which reads or changes other processes (or this process's own settings) "
                   "behind the grader's back. Remove it; the exercise never needs it.";
        if (what.empty()) continue;
        report(first_reference(s.name), what);
    }
}

bool Checker::written_by_student(const std::string& symbol) const {
    for (const auto& [sec, insns] : o_.code)
        for (const auto& i : insns)
            for (const auto& r : i.relocs)
                if (r.target == symbol && !student_file(i.file).empty()) return true;
    return false;
}

const Insn* Checker::first_reference(const std::string& symbol) const {
    const Insn* first = nullptr;
    for (const auto& [sec, insns] : o_.code) {
        for (const auto& i : insns)
            for (const auto& r : i.relocs)
                if (r.target == symbol &&
                    (!first || (student_file(first->file).empty() && !student_file(i.file).empty())))
                    first = &i;
    }
    return first;
}

void Checker::check_syscalls() {
    static const RE2 raw(R"((?:syscall|sysenter)\s*|int\s+\$0x80\s*)");
    for (const auto& [sec, insns] : o_.code) {
        for (const auto& i : insns) {
            if (!RE2::FullMatch(i.text, raw)) continue;
            const Symbol* fn = function_at(sec, i.addr);
            std::string in = fn ? " in " + startup_name(fn->name) : "";
            report(&i, "makes a raw system call (the `" + i.text.substr(0, i.text.find_first_of(" \t")) +
                           "` instruction)" + in +
                           ", which goes around the C library the grader watches. Use the standard library "
                           "(std::atomic, std::thread, ...) or the C library's functions instead.");
        }
    }
}

}  // namespace

std::vector<CodeProblem> check_student_object(const std::filesystem::path& object,
                                              const std::vector<std::string>& student_files) {
    Checker c(read_object(object), student_files);
    c.check_startup(object);
    c.check_references();
    c.check_syscalls();
    return std::move(c).problems();
}

}  // namespace conclab
