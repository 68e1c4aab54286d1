// Output matchers (docs/manifest.md, "Output matchers").
//
// Every matcher works on the normalised output (normalize_output): line ends
// "\r\n" -> "\n", trailing blanks cut from every line and from the end. Texts
// from the manifest (exact, contains, lines, unordered) are normalised the same
// way, so an expected "Task1 need: 6\n" equals a printed "Task1 need: 6  \r\n".
//
// Regular expressions are RE2 (linear time, no recursion: a 10 MB line cannot
// blow the stack as std::regex would). A pattern that does not compile is the
// manifest's fault, not the student's: check_output throws std::invalid_argument
// naming the pattern, and the engine reports a grader error.
#include "conclab/matchers.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {
namespace {

constexpr std::size_t kShownChars = 120;  // longest excerpt of a line in a message
constexpr std::size_t kShownLines = 3;    // most lines listed in one message

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    if (text.empty()) return lines;
    std::size_t pos = 0;
    while (true) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            lines.push_back(text.substr(pos));
            break;
        }
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

// Length of the valid UTF-8 sequence starting at s[i] (0 if invalid).
std::size_t utf8_len(std::string_view s, std::size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    return n;
}

// A line as a student can read it in a message: control characters and bytes
// that are not UTF-8 become escapes, and a long line is cut (only its start is
// looked at, so this is cheap on a 10 MB line).
std::string printable(std::string_view line) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    std::size_t i = 0, shown = 0;
    for (; i < line.size() && shown < kShownChars; ++shown) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == '\t') { out += "\\t"; ++i; continue; }
        if (c == '\r') { out += "\\r"; ++i; continue; }
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
            continue;
        }
        if (c < 0x80) { out += static_cast<char>(c); ++i; continue; }
        std::size_t n = utf8_len(line, i);
        if (n == 0) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
            continue;
        }
        out.append(line.substr(i, n));
        i += n;
    }
    if (i < line.size()) out += "... (" + std::to_string(line.size() - i) + " more bytes)";
    return out;
}

std::string quote(std::string_view line) { return "`" + printable(line) + "`"; }

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::unique_ptr<RE2> compile(const std::string& pattern) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(64 << 20);
    auto re = std::make_unique<RE2>(pattern, o);
    if (!re->ok())
        throw std::invalid_argument("manifest error: the output pattern `" + pattern +
                                    "` is not a valid RE2 regular expression (" + re->error() + ")");
    return re;
}

// "your program printed nothing" or a short preview of the first lines.
std::string what_was_printed(const std::vector<std::string_view>& lines) {
    if (lines.empty()) return "your program printed nothing";
    std::string s = "your program printed " + plural(lines.size(), "line") + ", starting with " + quote(lines[0]);
    return s;
}

std::optional<std::string> compare_lines(const std::vector<std::string>& expected,
                                         const std::vector<std::string_view>& got) {
    std::vector<std::string> problems;
    std::size_t n = std::max(expected.size(), got.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < got.size() && i < expected.size() && expected[i] == got[i]) continue;
        if (problems.size() >= kShownLines) {  // only counted from here on
            if (i >= got.size() || i >= expected.size()) {
                differing += n - i;
                break;
            }
            ++differing;
            continue;
        }
        std::string p;
        if (i >= got.size()) {
            p = "line " + std::to_string(i + 1) + ": missing line " + quote(expected[i]) + " (your output has only " +
                plural(got.size(), "line") + ")";
        } else if (i >= expected.size()) {
            p = "line " + std::to_string(i + 1) + ": unexpected line " + quote(got[i]) + " (expected only " +
                plural(expected.size(), "line") + ")";
        } else if (expected[i] != got[i]) {
            p = "line " + std::to_string(i + 1) + ": expected " + quote(expected[i]) + " but your program printed " +
                quote(got[i]);
        } else {
            continue;
        }
        ++differing;
        if (problems.size() < kShownLines) problems.push_back(std::move(p));
        // after the first missing/unexpected line the rest are all of that kind
        if (i >= got.size() || i >= expected.size()) {
            differing += n - i - 1;
            break;
        }
    }
    if (problems.empty()) return std::nullopt;
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    if (differing > problems.size())
        msg += "\n(" + plural(differing - problems.size(), "more line") + " differ)";
    return msg;
}

std::vector<std::string> normalised_lines(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    out.reserve(lines.size());
    for (const auto& l : lines) {
        std::string_view v = l;
        while (!v.empty() && (v.back() == '\n' || is_blank(v.back()))) v.remove_suffix(1);
        out.emplace_back(v);
    }
    return out;
}

// Multiset difference by sorting (hash maps were slow on 100k+ lines under ASan).
std::optional<std::string> check_unordered(const std::vector<std::string>& expected_raw,
                                           const std::vector<std::string_view>& got) {
    const std::vector<std::string> expected = normalised_lines(expected_raw);
    std::vector<std::string_view> e(expected.begin(), expected.end()), g(got);
    std::sort(e.begin(), e.end());
    std::sort(g.begin(), g.end());
    // what is left over on each side, sorted, with multiplicity
    std::vector<std::string_view> missing_set, unexpected_set;
    std::set_difference(e.begin(), e.end(), g.begin(), g.end(), std::back_inserter(missing_set));
    std::set_difference(g.begin(), g.end(), e.begin(), e.end(), std::back_inserter(unexpected_set));
    if (missing_set.empty() && unexpected_set.empty()) return std::nullopt;

    // list them in the order of the manifest / of the output
    auto in_order = [](const auto& sequence, std::vector<std::string_view> left) {
        std::vector<std::string_view> shown;
        for (std::string_view line : sequence) {
            if (shown.size() == kShownLines) break;
            auto it = std::lower_bound(left.begin(), left.end(), line);
            if (it != left.end() && *it == line) {
                shown.push_back(line);
                left.erase(it);
            }
        }
        return shown;
    };
    std::string msg;
    auto list = [&](const std::vector<std::string_view>& shown, std::size_t total, const char* what) {
        for (auto line : shown) msg += (msg.empty() ? "" : "\n") + std::string(what) + " " + quote(line);
        if (total > shown.size()) msg += "\n(" + std::to_string(total - shown.size()) + " more " + what + "s)";
    };
    list(in_order(expected, missing_set), missing_set.size(), "missing line");
    list(in_order(got, unexpected_set), unexpected_set.size(), "unexpected line");
    msg += "\n(the lines may come in any order; expected " + plural(expected.size(), "line") + ", your program printed " +
           std::to_string(got.size()) + ")";
    return msg;
}

}  // namespace

std::string normalize_output(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        std::size_t e = end;
        while (e > pos && is_blank(text[e - 1])) --e;  // trailing blanks, incl. the '\r' of "\r\n"
        out.append(text.substr(pos, e - pos));
        if (nl == std::string_view::npos) break;
        out += '\n';
        pos = nl + 1;
    }
    while (!out.empty() && (out.back() == '\n' || is_blank(out.back()))) out.pop_back();
    return out;
}

std::optional<std::string> check_output(const OutputMatcher& m, std::string_view output) {
    using Kind = OutputMatcher::Kind;
    const std::string text = normalize_output(output);
    const std::vector<std::string_view> got = split_lines(text);

    switch (m.kind) {
    case Kind::exact: {
        const std::string want = normalize_output(m.text);
        if (want == text) return std::nullopt;
        std::vector<std::string> expected;
        for (auto l : split_lines(want)) expected.emplace_back(l);
        if (auto diff = compare_lines(expected, got)) return diff;
        return "the output differs from the expected text";  // not reached: equal lines mean equal text
    }
    case Kind::lines:
        return compare_lines(normalised_lines(m.lines), got);
    case Kind::unordered:
        return check_unordered(m.lines, got);
    case Kind::contains: {
        const std::string needle = normalize_output(m.text);
        if (text.find(needle) != std::string::npos) return std::nullopt;
        return "expected the output to contain " + quote(needle) + ", but it does not (" + what_was_printed(got) + ")";
    }
    case Kind::regex: {
        auto re = compile(m.text);
        if (RE2::PartialMatch(text, *re)) return std::nullopt;
        return "no part of the output matches the pattern " + quote(m.text) + " (" + what_was_printed(got) + ")";
    }
    case Kind::full_regex: {
        auto re = compile(m.text);
        if (RE2::FullMatch(text, *re)) return std::nullopt;
        return "the output as a whole does not match the pattern " + quote(m.text) + " (" + what_was_printed(got) +
               ")";
    }
    case Kind::forbid: {
        auto re = compile(m.text);
        std::string msg;
        std::size_t hits = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            if (!RE2::PartialMatch(got[i], *re)) continue;
            if (++hits <= kShownLines)
                msg += (msg.empty() ? "" : "\n") + std::string("line ") + std::to_string(i + 1) + ": " +
                       quote(got[i]) + " matches the forbidden pattern " + quote(m.text);
        }
        if (hits == 0) return std::nullopt;
        if (hits > kShownLines) msg += "\n(" + plural(hits - kShownLines, "more line") + " match it)";
        return msg;
    }
    }
    throw std::invalid_argument("manifest error: unknown output matcher kind");
}

}  // namespace conclab
