// The macro check (see macrocheck.hpp): reads the preprocessor's output for one
// grader translation unit and reports what the student's header does to it.
//
// The output has three kinds of lines this needs:
//   # 12 "exercises/counter/counter.hpp" 1     where the following lines come from
//   #define NAME body / #undef NAME            kept by -dD, where they were
//   #pragma ...                                  the pragmas the compiler sees
// and the rest is code. A line is located by the last marker plus the lines
// since (the preprocessor keeps that count exact: it prints blank lines or a
// new marker where lines vanish).
//
// Why these rules: a macro changes every later use of its name, so a student
// macro is only harmless if its name is not used by anybody else in the
// translation unit: not defined or undefined by GoogleTest, the grader, the
// standard library or the compiler (before or after), and not an identifier in
// their code or macro bodies (the grader's EXPECT_EQ expands to
// EXPECT_PRED_FORMAT2 and ::testing::internal::EqHelper, so each of those names
// is covered too). Keywords and reserved names are refused outright: they may
// be used by code the student cannot see. An include guard or a helper macro
// with the student's own name passes all of this.
#include "conclab/macrocheck.hpp"

#include <re2/re2.h>

#include <cctype>
#include <optional>
#include <set>
#include <sstream>

namespace conclab {
namespace {

using re2::RE2;

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Identifiers of C++ code, line by line, skipping comments (kept by
// -fdirectives-only), string and character literals (raw ones too) and numbers.
class Lexer {
public:
    bool in_code() const { return state_ == State::code; }
    void reset() { state_ = State::code; }

    void feed(std::string_view s, std::set<std::string>* out) {
        std::size_t i = 0;
        const std::size_t n = s.size();
        while (i < n) {
            if (state_ == State::block_comment) {
                auto e = s.find("*/", i);
                if (e == std::string_view::npos) return;
                i = e + 2;
                state_ = State::code;
                continue;
            }
            if (state_ == State::raw_string) {
                auto e = s.find(raw_end_, i);
                if (e == std::string_view::npos) return;
                i = e + raw_end_.size();
                state_ = State::code;
                continue;
            }
            const char c = s[i];
            if (c == '/' && i + 1 < n && s[i + 1] == '/') return;
            if (c == '/' && i + 1 < n && s[i + 1] == '*') {
                state_ = State::block_comment;
                i += 2;
                continue;
            }
            if (c == '"' || c == '\'') {
                for (++i; i < n && s[i] != c; ++i)
                    if (s[i] == '\\') ++i;
                ++i;
                continue;
            }
            if (std::isdigit(static_cast<unsigned char>(c)) ||
                (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
                for (++i; i < n; ++i) {  // a pp-number: 0x1p-3, 1'000'000, 1.5e+10f
                    const char p = s[i - 1];
                    if (ident_char(s[i]) || s[i] == '.' || s[i] == '\'') continue;
                    if ((s[i] == '+' || s[i] == '-') && (p == 'e' || p == 'E' || p == 'p' || p == 'P')) continue;
                    break;
                }
                continue;
            }
            if (ident_start(c)) {
                std::size_t j = i;
                while (j < n && ident_char(s[j])) ++j;
                std::string_view word = s.substr(i, j - i);
                if (j < n && s[j] == '"' && (word == "R" || word == "u8R" || word == "uR" || word == "UR" || word == "LR")) {
                    auto open = s.find('(', j + 1);
                    if (open == std::string_view::npos) return;
                    raw_end_ = ")" + std::string(s.substr(j + 1, open - j - 1)) + "\"";
                    state_ = State::raw_string;
                    i = open + 1;
                    continue;
                }
                if (j < n && (s[j] == '"' || s[j] == '\'') && (word == "u8" || word == "u" || word == "U" || word == "L")) {
                    i = j;  // a literal's prefix, not a name
                    continue;
                }
                if (out) out->emplace(word);
                i = j;
                continue;
            }
            ++i;
        }
    }

private:
    enum class State { code, block_comment, raw_string } state_ = State::code;
    std::string raw_end_;
};

struct Directive {
    enum class Kind { define, undef, pragma } kind;
    std::string name;  // the macro, or the pragma's text
    std::string file;  // course-relative student file
    int line;
};

struct Place {
    std::string file;
    int line;
};

const std::set<std::string>& keywords() {
    // C++20 keywords, plus the identifiers with a special meaning in declarations.
    static const std::set<std::string> k = {
        "alignas", "alignof", "asm", "auto", "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
        "char32_t", "class", "concept", "const", "consteval", "constexpr", "constinit", "const_cast", "continue",
        "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
        "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline",
        "int", "long", "mutable", "namespace", "new", "noexcept", "nullptr", "operator", "private", "protected",
        "public", "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
        "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
        "wchar_t", "while", "final", "override", "import", "module"};
    return k;
}

bool reserved(const std::string& name) {
    return name.rfind("__", 0) == 0 || (name.size() > 1 && name[0] == '_' && std::isupper(static_cast<unsigned char>(name[1]))) ||
           name.find("__") != std::string::npos;
}

bool framework_prefix(const std::string& name) {
    static const RE2 re(R"((?i)(?:gtest|conclab).*|testing.*)");
    return RE2::FullMatch(name, re);
}

// Where another definition is, for a student: "gtest/gtest.h:1786".
std::string describe(const Place& p) {
    if (p.file.empty() || p.file[0] == '<') return "the compiler's predefined macros";
    std::string f = p.file;
    if (auto inc = f.rfind("/include/"); inc != std::string::npos) {
        f = f.substr(inc + 9);
    } else {
        auto last = f.rfind('/');
        if (last != std::string::npos && last > 0) {
            auto before = f.rfind('/', last - 1);
            if (before != std::string::npos) f = f.substr(before + 1);
        }
    }
    return f + ":" + std::to_string(p.line);
}

// "# 12 \"path\" 1 3" -> (12, path)
std::optional<std::pair<int, std::string>> line_marker(std::string_view line) {
    static const RE2 re(R"re(# (\d+) "((?:[^"\\]|\\.)*)"(?: \d+)*)re");
    int n = 0;
    std::string raw;
    if (!RE2::FullMatch(line, re, &n, &raw)) return std::nullopt;
    std::string path;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
        path += raw[i];
    }
    return std::make_pair(n, path);
}

std::string macro_name(std::string_view rest) {
    std::size_t j = 0;
    while (j < rest.size() && ident_char(rest[j])) ++j;
    return std::string(rest.substr(0, j));
}

const char* const kInstead =
    " A macro in your header changes the grader's code that includes it: use a constexpr constant or an inline "
    "function (with a name of your own) instead.";

}  // namespace

std::vector<CodeProblem> check_student_macros(std::string_view preprocessed,
                                              const std::vector<std::string>& student_files,
                                              const std::map<std::string, std::string>& student_sources) {
    std::vector<Directive> student;
    std::map<std::string, Place> elsewhere;  // first definition or #undef outside the student's files
    std::set<std::string> used;              // identifiers of the code and macro bodies outside them

    std::string file, student_file;
    std::map<std::string, std::string> student_of;  // marker path -> student file ("" if none)
    int line = 0;
    Lexer text;
    std::size_t pos = 0;
    while (pos < preprocessed.size()) {
        std::size_t end = preprocessed.find('\n', pos);
        if (end == std::string_view::npos) end = preprocessed.size();
        std::string_view l = preprocessed.substr(pos, end - pos);
        pos = end + 1;
        if (text.in_code() && l.size() > 2 && l[0] == '#' && l[1] == ' ') {
            if (auto m = line_marker(l)) {
                line = m->first;
                file = m->second;
                auto it = student_of.find(file);
                if (it == student_of.end()) {
                    std::string s;
                    for (const auto& f : student_files)
                        if (names_student_file(file, f)) s = f;
                    it = student_of.emplace(file, s).first;
                }
                student_file = it->second;
                continue;
            }
        }
        const int here = line++;
        const bool mine = !student_file.empty();
        if (text.in_code() && !l.empty() && l[0] == '#') {
            std::optional<Directive::Kind> kind;
            std::string_view rest;
            if (l.rfind("#define ", 0) == 0) kind = Directive::Kind::define, rest = l.substr(8);
            else if (l.rfind("#undef ", 0) == 0) kind = Directive::Kind::undef, rest = l.substr(7);
            else if (l.rfind("#pragma ", 0) == 0) kind = Directive::Kind::pragma, rest = l.substr(8);
            if (kind) {
                std::string name = *kind == Directive::Kind::pragma ? std::string(rest) : macro_name(rest);
                if (mine) {
                    student.push_back({*kind, name, student_file, here});
                } else if (*kind != Directive::Kind::pragma) {
                    elsewhere.emplace(name, Place{file, here});
                    if (*kind == Directive::Kind::define) {
                        Lexer body;  // the replacement list (and parameters: harmless extra names)
                        body.feed(rest.substr(name.size()), &used);
                    }
                }
                continue;
            }
        }
        text.feed(l, mine ? nullptr : &used);
    }

    std::vector<CodeProblem> out;
    std::set<std::string> own;  // macros the student's files defined so far
    static const RE2 bad_pragma(R"(\s*(?:pack\b|redefine_extname\b|GCC\s+(?:visibility|optimize|target|push_options|pop_options)\b).*)");
    for (const auto& d : student) {
        const std::string& n = d.name;
        std::string why;
        if (d.kind == Directive::Kind::define) {
            own.insert(n);
            auto other = elsewhere.find(n);
            if (keywords().count(n))
                why = "`#define " + n + "` turns the C++ keyword `" + n + "` into something else.";
            else if (reserved(n))
                why = "`#define " + n + "`: names that start with two underscores or with an underscore and a capital "
                      "letter, or contain two underscores, belong to the compiler and the standard library.";
            else if (framework_prefix(n))
                why = "`#define " + n + "`: names starting with GTEST, testing or CONCLAB belong to GoogleTest and "
                      "the grader.";
            else if (other != elsewhere.end())
                why = "`#define " + n + "`: `" + n + "` is also defined in " + describe(other->second) +
                      ", which the grader's code uses.";
            else if (used.count(n))
                why = "`#define " + n + "`: the name `" + n +
                      "` also occurs in the grader's code or in a header it includes, so this macro would replace it "
                      "there.";
            if (!why.empty()) why += kInstead;
        } else if (d.kind == Directive::Kind::undef) {
            if (own.count(n)) continue;
            auto other = elsewhere.find(n);
            why = "`#undef " + n + "` removes a macro your files did not define" +
                  (other != elsewhere.end() ? " (it comes from " + describe(other->second) + ")" : std::string()) +
                  ", so the grader's code after your header would mean something else. Remove it.";
        } else if (RE2::FullMatch(n, bad_pragma)) {
            why = "`#pragma " + n + "` changes how the grader's code after your header is compiled. Remove it.";
        }
        if (!why.empty()) out.push_back({d.file, d.line, why});
    }

    // push_macro/pop_macro leave no trace in the output (pop_macro shows as an
    // #undef, reported above): look at the student's own text.
    static const RE2 push_pop(R"(\b(push_macro|pop_macro)\b)");
    for (const auto& [path, text_of] : student_sources) {
        std::istringstream in(text_of);
        std::string l;
        std::string which;
        for (int n = 1; std::getline(in, l); ++n) {
            const auto comment = l.find("//");
            if (RE2::PartialMatch(l.substr(0, comment), push_pop, &which))
                out.push_back({path, n,
                               "`" + which + "` saves or restores macros of GoogleTest or the grader around your "
                               "header, which changes the grader's code that includes it. Remove it (and any macro "
                               "with a name that is not your own)."});
        }
    }
    return out;
}

}  // namespace conclab
