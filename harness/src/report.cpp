// Every report format, written from one SubmissionResult (result.hpp).
//
// Rules shared by all formats:
//  - a hidden test whose details are not to be shown keeps its name and score
//    (and passed/failed), never its message, output, findings, hint or seed;
//    JUnit, Gradescope, GitHub and Markdown never show hidden details at all
//    (they are what students and CI see); JSON and the terminal follow the flag;
//  - everything that may come from student code (messages, output, findings)
//    is made valid UTF-8 and escaped for the target format.
#include <cstdint>

#include "conclab/report.hpp"
#include "conclab/utf8.hpp"
#include "conclab/snippet.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conclab {
namespace {

using ojson = nlohmann::ordered_json;

// ---------------------------------------------------------------- helpers

bool redacted(const TestResult& t, bool show_hidden) { return t.hidden && !show_hidden; }

// The status a student may see for a hidden test: only whether it passed.
Status visible_status(const TestResult& t, bool show_hidden) {
    if (!redacted(t, show_hidden)) return t.status;
    return t.status == Status::passed ? Status::passed : Status::failed;
}

}  // namespace

// "20", "37.5", "3.33"
std::string format_points(double v) {
    if (!std::isfinite(v)) return "0";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

namespace {

std::string fmt_seconds(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", std::isfinite(v) && v > 0 ? v : 0.0);
    return buf;
}

// A JSON number: an integer when the value is integral (20, not 20.0).
ojson json_number(double v) {
    if (!std::isfinite(v)) return 0;
    if (std::floor(v) == v && std::fabs(v) < 9e15) return static_cast<std::int64_t>(v);
    return v;
}

std::string hex_escape(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
    return buf;
}

// Text safe to print on a terminal: valid UTF-8, no escape sequences or other
// control characters (student output could otherwise repaint the screen).
std::string clean_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for_each_codepoint(s, [&](char32_t cp) {
        if (cp == '\n' || cp == '\t') out += char(cp);
        else if (cp == '\r') {}  // CRLF -> LF; progress-bar \r are dropped
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) out += hex_escape(cp);
        else append_utf8(out, cp);
    });
    return out;
}

// XML 1.0 character data / attribute value. Characters XML cannot carry at all
// (most C0 controls, U+FFFE/U+FFFF) are written as visible \xNN.
std::string xml_escape(std::string_view s, bool attribute) {
    std::string out;
    out.reserve(s.size() + 16);
    for_each_codepoint(s, [&](char32_t cp) {
        switch (cp) {
            case '&': out += "&amp;"; return;
            case '<': out += "&lt;"; return;
            case '>': out += "&gt;"; return;
            case '"': out += attribute ? "&quot;" : "\""; return;
            case '\'': out += attribute ? "&apos;" : "'"; return;
            case '\n': out += attribute ? "&#10;" : "\n"; return;
            case '\r': out += "&#13;"; return;
            case '\t': out += attribute ? "&#9;" : "\t"; return;
            default: break;
        }
        if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) out += hex_escape(cp);
        else append_utf8(out, cp);
    });
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : clean_text(s)) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '|': out += "&#124;"; break;
            default: out += c;
        }
    }
    return out;
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto nl = s.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < s.size()) lines.emplace_back(s.substr(start));
            break;
        }
        lines.emplace_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string first_line(std::string_view s) {
    for (auto& l : split_lines(s)) {
        auto t = trim(l);
        if (!t.empty()) return t;
    }
    return {};
}

// At most `max_lines` lines of `s`, with a note of how many were left out.
std::string head_lines(std::string_view s, std::size_t max_lines, bool tail = false) {
    auto lines = split_lines(s);
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    std::string out;
    if (lines.size() <= max_lines) {
        for (auto& l : lines) out += l + "\n";
        return out;
    }
    std::size_t cut = lines.size() - max_lines;
    if (tail) {
        out += "… (" + std::to_string(cut) + " earlier lines not shown)\n";
        for (std::size_t i = cut; i < lines.size(); ++i) out += lines[i] + "\n";
    } else {
        for (std::size_t i = 0; i < max_lines; ++i) out += lines[i] + "\n";
        out += "… (" + std::to_string(cut) + " more lines)\n";
    }
    return out;
}

std::string cap_bytes(std::string_view s, std::size_t max) {
    if (s.size() <= max) return std::string(s);
    std::size_t keep = max;
    // do not cut a UTF-8 sequence in half
    while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
    return std::string(s.substr(0, keep)) + "\n… (" + std::to_string(s.size() - keep) + " more bytes)\n";
}

// `exercises/counter/counter.cpp:14: data race — first line of message`
std::string finding_headline(const Finding& f) {
    std::string loc;
    if (!f.file.empty()) {
        loc = f.file;
        if (f.line > 0) loc += ":" + std::to_string(f.line);
        loc += ": ";
    }
    std::string msg = first_line(f.message);
    std::string kind = f.kind.empty() ? "finding" : f.kind;
    return loc + kind + (msg.empty() || msg == kind ? "" : " — " + msg);
}

// Lines of a finding's message after its first one, at most `max`.
std::vector<std::string> finding_details(const Finding& f, std::size_t max) {
    std::vector<std::string> rest;
    bool first_seen = false;
    for (auto& l : split_lines(f.message)) {
        if (!first_seen) {
            if (!trim(l).empty()) first_seen = true;
            continue;
        }
        if (trim(l).empty()) continue;
        rest.push_back(trim(l));
    }
    if (rest.size() > max) {
        std::size_t more = rest.size() - max;
        rest.resize(max);
        rest.push_back("… (" + std::to_string(more) + " more lines)");
    }
    return rest;
}

// Everything a student may read about one failing test, as plain text
// (JUnit bodies, Gradescope output).
std::string test_details_text(const TestResult& t, std::size_t output_cap) {
    std::string out;
    if (!trim(t.message).empty()) out += trim(t.message) + "\n";
    if (t.status == Status::tampered && !trim(t.evidence).empty()) out += "Evidence:\n" + trim(t.evidence) + "\n";
    for (auto& sn : t.snippets)
        for (auto& l : snippet_text(sn)) out += "  " + l + "\n";
    for (auto& f : t.findings) {
        out += finding_headline(f) + "\n";
        for (auto& l : finding_details(f, 6)) out += "    " + l + "\n";
        for (auto& sn : f.snippets)
            for (auto& l : snippet_text(sn)) out += "    " + l + "\n";
    }
    if (t.status != Status::passed && !trim(t.hint).empty()) out += "Hint: " + trim(t.hint) + "\n";
    if (t.seed != 0) out += "Seed: " + std::to_string(t.seed) + "\n";
    if (t.status != Status::passed && !trim(t.output).empty()) {
        out += "\nOutput:\n" + cap_bytes(head_lines(t.output, 200, true), output_cap);
    }
    return out;
}

struct Counts {
    std::size_t tests = 0, failures = 0, errors = 0;
    double seconds = 0;
};

Counts count(const ExerciseResult& e) {
    Counts c;
    for (auto& t : e.tests) {
        ++c.tests;
        if (t.status == Status::error) ++c.errors;
        else if (t.status != Status::passed) ++c.failures;
        if (std::isfinite(t.seconds) && t.seconds > 0) c.seconds += t.seconds;
    }
    return c;
}

// An exercise that has no test results but points at stake (not submitted,
// did not compile before tests were listed) is reported as one synthetic test.
bool needs_synthetic_test(const ExerciseResult& e) { return e.tests.empty() && e.max_score > 0; }

TestResult synthetic_test(const ExerciseResult& e) {
    TestResult t;
    t.name = "build";
    t.status = e.score >= e.max_score ? Status::passed : Status::failed;
    t.score = e.score;
    t.max_score = e.max_score;
    t.message = e.message;
    return t;
}

std::vector<TestResult> reported_tests(const ExerciseResult& e) {
    if (needs_synthetic_test(e)) return {synthetic_test(e)};
    return e.tests;
}

// ---------------------------------------------------------------- terminal

struct Style {
    bool on;
    std::string operator()(const char* code, const std::string& s) const {
        return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
    }
};

// A snippet on the terminal: the marked line bold, the caret red.
void print_snippet(std::ostream& out, const Style& st, const Snippet& sn, const std::string& ind) {
    auto lines = snippet_text(sn);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string l = clean_text(lines[i]);
        if (i == 0) out << ind << st("2", l) << "\n";
        else if (l.rfind("> ", 0) == 0) out << ind << st("1", l) << "\n";
        else if (l.find('^') != std::string::npos && l.find_first_not_of(" |^") == std::string::npos)
            out << ind << st("31", l) << "\n";
        else out << ind << l << "\n";
    }
}

}  // namespace

void write_terminal(std::ostream& out, const SubmissionResult& r, const ReportOptions& opt) {
    Style st{opt.color};
    const char* bold = "1";
    const char* green = "32";
    const char* red = "31";
    const char* yellow = "33";
    const char* dim = "2";
    const char* cyan = "36";

    std::string title = "conclab";
    if (!r.submission.empty()) title += " — " + clean_text(r.submission);
    out << st(bold, title) << "\n";
    std::string meta;
    if (!r.sandbox.empty()) meta += "sandbox: " + clean_text(r.sandbox);
    if (!r.grader_version.empty()) meta += (meta.empty() ? "" : ", ") + std::string("grader ") + clean_text(r.grader_version);
    if (!meta.empty()) out << st(dim, meta) << "\n";

    std::size_t total_tests = 0, total_failed = 0;
    for (auto& e : r.exercises) {
        out << "\n";
        bool full = e.max_score > 0 ? e.score >= e.max_score : std::all_of(e.tests.begin(), e.tests.end(), [](auto& t) { return t.status == Status::passed; });
        out << st(bold, clean_text(e.name)) << "  "
            << st(full ? green : (e.score > 0 ? yellow : red), format_points(e.score) + " / " + format_points(e.max_score))
            << "\n";
        if (!trim(e.message).empty()) {
            for (auto& l : split_lines(head_lines(clean_text(e.message), 20))) out << "    " << l << "\n";
            for (auto& sn : e.snippets) print_snippet(out, st, sn, "    ");
        }
        std::size_t width = 0;
        for (auto& t : e.tests) width = std::max(width, t.name.size() + (t.hidden ? 9 : 0));
        width = std::min<std::size_t>(width, 48);
        for (auto& t : e.tests) {
            ++total_tests;
            bool red_out = redacted(t, opt.show_hidden_details);
            Status s = visible_status(t, opt.show_hidden_details);
            bool ok = s == Status::passed;
            if (!ok) ++total_failed;
            std::string name = clean_text(t.name) + (t.hidden ? " (hidden)" : "");
            std::string pad = name.size() < width ? std::string(width - name.size(), ' ') : "";
            const char* colour = ok ? green : (s == Status::timeout || s == Status::error ? yellow : red);
            out << "  " << st(colour, ok ? "✓" : "✗") << " " << name << pad << "  "
                << format_points(t.score) << " / " << format_points(t.max_score);
            if (!ok) out << "  " << st(colour, to_string(s));
            if (!red_out && t.seconds >= 1.0) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "  (%.1f s)", t.seconds);
                out << st(dim, buf);
            }
            out << "\n";
            if (red_out || ok) continue;
            const std::string ind = "      ";
            // a message the exercise already showed (does not compile, not submitted) is not repeated
            bool same_as_exercise = !trim(t.message).empty() && trim(t.message) == trim(e.message);
            if (same_as_exercise) {
                out << ind << st(dim, "(" + clean_text(first_line(e.message)) + ")") << "\n";
                continue;
            }
            for (auto& l : split_lines(head_lines(clean_text(trim(t.message)), 12))) out << ind << l << "\n";
            for (auto& sn : t.snippets) print_snippet(out, st, sn, ind);
            if (t.status == Status::tampered && !trim(t.evidence).empty()) {
                out << ind << st(red, "evidence:") << "\n";
                for (auto& l : split_lines(head_lines(clean_text(trim(t.evidence)), 8))) out << ind << "  " << l << "\n";
            }
            for (auto& f : t.findings) {
                out << ind << st(red, clean_text(finding_headline(f))) << "\n";
                for (auto& l : finding_details(f, 3)) out << ind << "    " << clean_text(l) << "\n";
                for (auto& sn : f.snippets) print_snippet(out, st, sn, ind + "    ");
            }
            if (trim(t.message).empty() && t.findings.empty() && !trim(t.output).empty()) {
                out << ind << st(dim, "output (last lines):") << "\n";
                for (auto& l : split_lines(head_lines(clean_text(t.output), 12, true))) out << ind << "  " << l << "\n";
            }
            if (!trim(t.hint).empty()) {
                auto hint = split_lines(clean_text(trim(t.hint)));
                for (std::size_t i = 0; i < hint.size(); ++i)
                    out << ind << st(cyan, i == 0 ? "hint: " + hint[i] : "      " + hint[i]) << "\n";
            }
            if (t.seed != 0) out << ind << st(dim, "seed: " + std::to_string(t.seed)) << "\n";
        }
    }
    out << "\n";
    bool all = total_failed == 0 && std::all_of(r.exercises.begin(), r.exercises.end(), [](auto& e) { return e.score >= e.max_score; });
    std::string total = "Total: " + format_points(r.score) + " / " + format_points(r.max_score);
    out << st(bold, st(all ? green : (r.score > 0 ? yellow : red), total));
    if (total_tests > 0) {
        out << "   (" << (total_tests - total_failed) << " of " << total_tests << " tests passed)";
    }
    out << "\n";
}

std::string progress_line(const std::string& exercise, const TestResult& t, const ReportOptions& opt) {
    Style st{opt.color};
    const Status s = visible_status(t, opt.show_hidden_details);
    const bool ok = s == Status::passed;
    const char* colour = ok ? "32" : (s == Status::timeout || s == Status::error ? "33" : "31");   // as write_terminal
    std::string line = clean_text(exercise) + "  " + st(colour, ok ? "✓" : "✗") + " " + clean_text(t.name) + "  " +
                       format_points(ok ? t.max_score : 0) + " / " + format_points(t.max_score);
    if (!ok) {
        line += "  " + st(colour, to_string(s));
        // The first line that says something: GoogleTest's failures start with "file:line".
        std::string why;
        if (!redacted(t, opt.show_hidden_details))
            for (const auto& l : split_lines(clean_text(trim(t.message)))) {
                why = trim(l);
                const auto colon = why.rfind(':');
                const bool location = colon != std::string::npos && colon + 1 < why.size() &&
                                      why.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
                                      why.find(' ') == std::string::npos;
                if (!why.empty() && !location) break;
            }
        if (why.size() > 100) why = why.substr(0, 97) + "...";
        if (!why.empty()) line += ": " + why;
    }
    return line;
}

// ---------------------------------------------------------------- JSON

namespace {

ojson snippets_json(const std::vector<Snippet>& v) {
    ojson a = ojson::array();
    for (auto& sn : v) {
        ojson j;
        j["file"] = sn.file;
        j["line"] = sn.line;
        j["column"] = sn.column;
        j["label"] = sn.label;
        j["first_line"] = sn.first_line;
        j["lines"] = sn.lines;
        a.push_back(std::move(j));
    }
    return a;
}

// Snippets read back (batch reports, `conclab report`): the text came from a
// file on disk, so it is bounded and made visible again before use.
std::vector<Snippet> snippets_from_json(const nlohmann::json& parent) {
    std::vector<Snippet> out;
    auto it = parent.find("snippets");
    if (it == parent.end() || !it->is_array()) return out;
    for (auto& j : *it) {
        if (out.size() >= 8) break;
        Snippet sn;
        sn.file = j.value("file", "");
        sn.line = j.value("line", 0);
        sn.column = std::clamp(j.value("column", 0), 0, static_cast<int>(kSnippetLineBytes) + 1);
        sn.label = visible_source_line(j.value("label", ""));
        sn.first_line = j.value("first_line", 0);
        if (j.contains("lines") && j["lines"].is_array())
            for (auto& l : j["lines"]) {
                if (sn.lines.size() >= 2 * kSnippetContext + 1) break;
                if (l.is_string()) sn.lines.push_back(visible_source_line(l.get<std::string>()));
            }
        out.push_back(std::move(sn));
    }
    return out;
}

}  // namespace

std::string to_json(const SubmissionResult& r, bool include_hidden_details) {
    ojson j;
    j["submission"] = r.submission;
    j["score"] = json_number(r.score);
    j["max_score"] = json_number(r.max_score);
    j["exercises"] = ojson::array();
    for (auto& e : r.exercises) {
        ojson je;
        je["name"] = e.name;
        je["score"] = json_number(e.score);
        je["max_score"] = json_number(e.max_score);
        je["message"] = e.message;
        if (!e.snippets.empty()) je["snippets"] = snippets_json(e.snippets);
        je["tests"] = ojson::array();
        for (auto& t : e.tests) {
            bool red = redacted(t, include_hidden_details);
            ojson jt;
            jt["name"] = t.name;
            jt["status"] = to_string(visible_status(t, include_hidden_details));
            jt["score"] = json_number(t.score);
            jt["max_score"] = json_number(t.max_score);
            jt["message"] = red ? std::string() : t.message;
            jt["findings"] = ojson::array();
            if (!red) {
                for (auto& f : t.findings) {
                    ojson jf;
                    jf["kind"] = f.kind;
                    jf["file"] = f.file;
                    jf["line"] = f.line;
                    jf["message"] = f.message;
                    if (!f.snippets.empty()) jf["snippets"] = snippets_json(f.snippets);
                    jt["findings"].push_back(std::move(jf));
                }
            }
            jt["hidden"] = t.hidden;
            if (t.status == Status::tampered) jt["evidence"] = red ? std::string() : t.evidence;
            if (!red) {
                if (!t.snippets.empty()) jt["snippets"] = snippets_json(t.snippets);
                jt["hint"] = t.hint;
                jt["output"] = t.output;
                jt["seed"] = t.seed;
                jt["seconds"] = t.seconds;
                if (t.limit_seconds > 0) {
                    jt["limit_seconds"] = t.limit_seconds;
                    jt["limit"] = t.limit;
                }
            }
            je["tests"].push_back(std::move(jt));
        }
        j["exercises"].push_back(std::move(je));
    }
    j["sandbox"] = r.sandbox;
    j["grader_version"] = r.grader_version;
    // student output may be invalid UTF-8: replace, never throw
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

template <class T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    return it->get<T>();
}

}  // namespace

SubmissionResult from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("results JSON does not parse: ") + e.what());
    }
    try {
        if (!j.is_object()) throw std::runtime_error("results JSON: not an object");
        SubmissionResult r;
        r.submission = get_or<std::string>(j, "submission", "");
        r.score = get_or<double>(j, "score", 0);
        r.max_score = get_or<double>(j, "max_score", 0);
        r.sandbox = get_or<std::string>(j, "sandbox", "");
        r.grader_version = get_or<std::string>(j, "grader_version", "");
        if (j.contains("exercises")) {
            for (auto& je : j.at("exercises")) {
                ExerciseResult e;
                e.name = je.at("name").get<std::string>();
                e.score = get_or<double>(je, "score", 0);
                e.max_score = get_or<double>(je, "max_score", 0);
                e.message = get_or<std::string>(je, "message", "");
                e.snippets = snippets_from_json(je);
                if (je.contains("tests")) {
                    for (auto& jt : je.at("tests")) {
                        TestResult t;
                        t.name = jt.at("name").get<std::string>();
                        try {
                            t.status = parse_status(jt.at("status").get<std::string>());
                        } catch (const std::invalid_argument& e) {
                            throw std::runtime_error(std::string("results JSON: ") + e.what());
                        }
                        t.score = get_or<double>(jt, "score", 0);
                        t.max_score = get_or<double>(jt, "max_score", 0);
                        t.message = get_or<std::string>(jt, "message", "");
                        t.hint = get_or<std::string>(jt, "hint", "");
                        t.evidence = get_or<std::string>(jt, "evidence", "");
                        t.output = get_or<std::string>(jt, "output", "");
                        t.hidden = get_or<bool>(jt, "hidden", false);
                        t.seed = get_or<std::uint64_t>(jt, "seed", 0);
                        t.seconds = get_or<double>(jt, "seconds", 0);
                        t.limit_seconds = get_or<double>(jt, "limit_seconds", 0);
                        t.limit = get_or<std::string>(jt, "limit", "");
                        t.snippets = snippets_from_json(jt);
                        if (jt.contains("findings")) {
                            for (auto& jf : jt.at("findings")) {
                                Finding f;
                                f.kind = get_or<std::string>(jf, "kind", "");
                                f.file = get_or<std::string>(jf, "file", "");
                                f.line = get_or<int>(jf, "line", 0);
                                f.message = get_or<std::string>(jf, "message", "");
                                f.snippets = snippets_from_json(jf);
                                t.findings.push_back(std::move(f));
                            }
                        }
                        e.tests.push_back(std::move(t));
                    }
                }
                r.exercises.push_back(std::move(e));
            }
        }
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("results JSON has the wrong shape: ") + e.what());
    }
}

// ---------------------------------------------------------------- JUnit

std::string to_junit(const SubmissionResult& r) {
    Counts all;
    std::vector<Counts> per;
    for (auto& e : r.exercises) {
        ExerciseResult tmp;
        tmp.tests = reported_tests(e);
        auto c = count(tmp);
        per.push_back(c);
        all.tests += c.tests;
        all.failures += c.failures;
        all.errors += c.errors;
        all.seconds += c.seconds;
    }
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<testsuites name=\"" << xml_escape("conclab" + (r.submission.empty() ? "" : ": " + r.submission), true)
      << "\" tests=\"" << all.tests << "\" failures=\"" << all.failures << "\" errors=\"" << all.errors
      << "\" skipped=\"0\" time=\"" << fmt_seconds(all.seconds) << "\">\n";
    for (std::size_t i = 0; i < r.exercises.size(); ++i) {
        auto& e = r.exercises[i];
        auto& c = per[i];
        x << "  <testsuite name=\"" << xml_escape(e.name, true) << "\" tests=\"" << c.tests << "\" failures=\""
          << c.failures << "\" errors=\"" << c.errors << "\" skipped=\"0\" time=\"" << fmt_seconds(c.seconds)
          << "\">\n";
        x << "    <properties>\n"
          << "      <property name=\"score\" value=\"" << format_points(e.score) << "\"/>\n"
          << "      <property name=\"max_score\" value=\"" << format_points(e.max_score) << "\"/>\n";
        if (!r.grader_version.empty())
            x << "      <property name=\"grader_version\" value=\"" << xml_escape(r.grader_version, true) << "\"/>\n";
        if (!r.sandbox.empty())
            x << "      <property name=\"sandbox\" value=\"" << xml_escape(r.sandbox, true) << "\"/>\n";
        x << "    </properties>\n";
        for (auto& t : reported_tests(e)) {
            bool red = t.hidden;   // JUnit is what CI shows: never hidden details
            std::string name = t.name + (t.hidden ? " (hidden)" : "");
            x << "    <testcase name=\"" << xml_escape(name, true) << "\" classname=\"" << xml_escape(e.name, true)
              << "\" time=\"" << fmt_seconds(t.seconds) << "\"";
            if (t.status == Status::passed) {
                x << "/>\n";
                continue;
            }
            x << ">\n";
            const char* elem = t.status == Status::error ? "error" : "failure";
            std::string message, body;
            if (red) {
                message = "hidden test " + std::string(t.status == Status::error ? "could not run" : "failed") +
                          " (" + format_points(t.score) + " / " + format_points(t.max_score) + ")";
            } else {
                message = first_line(t.message);
                if (message.empty() && !t.findings.empty()) message = finding_headline(t.findings.front());
                if (message.empty()) message = to_string(t.status);
                body = test_details_text(t, 64 * 1024);
            }
            std::string type = red ? (t.status == Status::error ? "error" : "failed") : to_string(t.status);
            x << "      <" << elem << " message=\"" << xml_escape(message, true) << "\" type=\"" << type << "\"";
            if (body.empty()) x << "/>\n";
            else x << ">" << xml_escape(body, false) << "</" << elem << ">\n";
            x << "    </testcase>\n";
        }
        if (!trim(e.message).empty() && !needs_synthetic_test(e))
            x << "    <system-out>" << xml_escape(cap_bytes(e.message, 64 * 1024), false) << "</system-out>\n";
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

// ---------------------------------------------------------------- Gradescope

std::string to_gradescope(const SubmissionResult& r) {
    ojson j;
    j["score"] = json_number(r.score);
    double seconds = 0;
    std::string summary = "conclab: " + format_points(r.score) + " / " + format_points(r.max_score) + "\n";
    for (auto& e : r.exercises) {
        summary += "\n" + e.name + ": " + format_points(e.score) + " / " + format_points(e.max_score) + "\n";
        if (!trim(e.message).empty()) summary += cap_bytes(head_lines(e.message, 40), 16 * 1024);
    }
    j["output"] = summary;
    j["output_format"] = "text";
    j["test_output_format"] = "text";
    j["test_name_format"] = "text";
    j["stdout_visibility"] = "hidden";   // the grader's own log may mention hidden tests
    j["tests"] = ojson::array();
    for (std::size_t i = 0; i < r.exercises.size(); ++i) {
        auto& e = r.exercises[i];
        auto tests = reported_tests(e);
        for (std::size_t k = 0; k < tests.size(); ++k) {
            auto& t = tests[k];
            if (std::isfinite(t.seconds) && t.seconds > 0) seconds += t.seconds;
            ojson jt;
            jt["score"] = json_number(t.score);
            jt["max_score"] = json_number(t.max_score);
            jt["status"] = t.status == Status::passed ? "passed" : "failed";
            jt["name"] = e.name + ": " + t.name;
            jt["name_format"] = "text";
            jt["number"] = std::to_string(i + 1) + "." + std::to_string(k + 1);
            std::string output;
            if (t.hidden) {
                output = "Hidden test: " + std::string(t.status == Status::passed ? "passed" : "not passed") + ".";
            } else if (t.status == Status::passed) {
                output = "Passed.";
            } else {
                output = std::string(to_string(t.status)) + "\n" + test_details_text(t, 16 * 1024);
            }
            jt["output"] = output;
            jt["output_format"] = "text";
            jt["visibility"] = t.hidden ? "hidden" : "visible";
            jt["tags"] = ojson::array({e.name});
            j["tests"].push_back(std::move(jt));
        }
    }
    j["execution_time"] = static_cast<std::int64_t>(std::ceil(seconds));
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// ---------------------------------------------------------------- GitHub

namespace {

// As in GitHub's actions/toolkit (command.ts): data escapes %, \r, \n;
// properties also ',' and ':'.
std::string gh_escape_data(std::string_view s) {
    std::string out;
    for (char c : clean_text(s)) {
        switch (c) {
            case '%': out += "%25"; break;
            case '\r': out += "%0D"; break;
            case '\n': out += "%0A"; break;
            default: out += c;
        }
    }
    return out;
}

std::string gh_escape_property(std::string_view s) {
    std::string out;
    for (char c : gh_escape_data(s)) {
        switch (c) {
            case ':': out += "%3A"; break;
            case ',': out += "%2C"; break;
            default: out += c;
        }
    }
    return out;
}

std::string gh_command(const std::string& cmd, const std::string& file, int line, const std::string& title,
                       const std::string& message) {
    std::string props;
    auto add = [&](const std::string& k, const std::string& v) {
        if (v.empty()) return;
        props += (props.empty() ? " " : ",") + k + "=" + gh_escape_property(v);
    };
    add("file", file);
    if (!file.empty() && line > 0) add("line", std::to_string(line));
    add("title", title);
    return "::" + cmd + props + "::" + gh_escape_data(message) + "\n";
}

// "exercises/counter/counter.cpp:14:5: error: ..." lines of a compiler message.
struct CompilerDiag { std::string file; int line; std::string severity, text; };
std::vector<CompilerDiag> compiler_diagnostics(std::string_view message) {
    std::vector<CompilerDiag> out;
    for (auto& l : split_lines(message)) {
        auto c1 = l.find(':');
        if (c1 == std::string::npos || c1 == 0) continue;
        std::string file = l.substr(0, c1);
        if (file.find(' ') != std::string::npos) continue;
        std::size_t p = c1 + 1, q = p;
        while (q < l.size() && std::isdigit(static_cast<unsigned char>(l[q]))) ++q;
        if (q == p || q >= l.size() || l[q] != ':') continue;
        int line = std::atoi(l.substr(p, q - p).c_str());
        std::size_t r = q + 1, s = r;
        while (s < l.size() && std::isdigit(static_cast<unsigned char>(l[s]))) ++s;
        if (s > r && s < l.size() && l[s] == ':') r = s + 1;
        std::string rest = trim(l.substr(r));
        for (std::string sev : {"fatal error", "error", "warning"}) {
            if (rest.rfind(sev + ":", 0) == 0) {
                out.push_back({file, line, sev == "warning" ? "warning" : "error", trim(rest.substr(sev.size() + 1))});
                break;
            }
        }
        if (out.size() >= 20) break;
    }
    return out;
}

}  // namespace

std::string to_github_annotations(const SubmissionResult& r) {
    std::string out;
    for (auto& e : r.exercises) {
        if (!trim(e.message).empty()) {
            auto diags = compiler_diagnostics(e.message);
            for (auto& d : diags) out += gh_command(d.severity, d.file, d.line, e.name + ": does not compile", d.text);
            if (diags.empty() && e.score < e.max_score)
                out += gh_command("warning", "", 0, e.name, head_lines(e.message, 20));
        }
        for (auto& t : e.tests) {
            if (t.status == Status::passed) continue;
            std::string title = e.name + "/" + t.name;
            if (t.hidden) {
                out += gh_command("error", "", 0, title + " (hidden)",
                                  "A hidden test did not pass (" + format_points(t.score) + " / " + format_points(t.max_score) + ").");
                continue;
            }
            const char* cmd = t.status == Status::error ? "warning" : "error";
            std::string head = std::string(to_string(t.status)) + ": " + (trim(t.message).empty() ? std::string() : trim(t.message));
            std::string hint = trim(t.hint).empty() ? "" : "\nHint: " + trim(t.hint);
            bool placed = false;
            for (auto& f : t.findings) {
                if (f.file.empty()) continue;
                std::string msg = f.kind + (f.message.empty() ? "" : ": " + head_lines(f.message, 8));
                out += gh_command(cmd, f.file, f.line, title + ": " + f.kind, trim(msg) + hint);
                placed = true;
            }
            if (!placed) {
                std::string msg = head_lines(head, 15);
                for (auto& f : t.findings) msg += finding_headline(f) + "\n";
                out += gh_command(cmd, "", 0, title, trim(msg) + hint);
            }
        }
    }
    out += gh_command("notice", "", 0, "conclab score", "Score: " + format_points(r.score) + " / " + format_points(r.max_score));
    return out;
}

std::string to_markdown_summary(const SubmissionResult& r) {
    std::ostringstream m;
    m << "### conclab";
    if (!r.submission.empty()) m << " — " << html_escape(r.submission);
    m << ": " << format_points(r.score) << " / " << format_points(r.max_score) << "\n\n";
    m << "| | Exercise | Score | Tests passed |\n|---|---|---:|---:|\n";
    for (auto& e : r.exercises) {
        std::size_t passed = 0;
        for (auto& t : e.tests) passed += t.status == Status::passed;
        bool full = e.score >= e.max_score;
        m << "| " << (full ? "✅" : "❌") << " | " << html_escape(e.name) << " | " << format_points(e.score) << " / "
          << format_points(e.max_score) << " | " << passed << " / " << e.tests.size();
        if (!trim(e.message).empty()) m << " — " << html_escape(first_line(e.message));
        m << " |\n";
    }
    for (auto& e : r.exercises) {
        std::vector<const TestResult*> failing;
        for (auto& t : e.tests)
            if (t.status != Status::passed) failing.push_back(&t);
        if (failing.empty() && trim(e.message).empty()) continue;
        m << "\n<details><summary>" << html_escape(e.name) << ": " << failing.size() << " test"
          << (failing.size() == 1 ? "" : "s") << " not passed</summary>\n\n";
        if (!trim(e.message).empty())
            m << "<pre>" << html_escape(cap_bytes(head_lines(e.message, 25), 8 * 1024)) << "</pre>\n\n";
        for (auto* t : failing) {
            m << "- <b>" << html_escape(t->name) << "</b>";
            if (t->hidden) {
                m << " (hidden) — " << format_points(t->score) << " / " << format_points(t->max_score) << "\n";
                continue;
            }
            m << " — " << to_string(t->status) << ", " << format_points(t->score) << " / " << format_points(t->max_score)
              << "\n";
            std::string text;
            if (!trim(t->message).empty()) text += head_lines(trim(t->message), 12);
            for (auto& f : t->findings) text += finding_headline(f) + "\n";
            if (!trim(t->hint).empty()) text += "hint: " + trim(t->hint) + "\n";
            if (!text.empty()) m << "  <pre>" << html_escape(cap_bytes(text, 8 * 1024)) << "</pre>\n";
        }
        m << "\n</details>\n";
    }
    return m.str();
}

}  // namespace conclab
