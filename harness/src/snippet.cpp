// Source snippets for reports (snippet.hpp). Everything here reads text an
// untrusted program influenced: paths and lines only select which lines of the
// submission's own files are shown; nothing else is ever opened.
#include "conclab/snippet.hpp"
#include "conclab/utf8.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <system_error>

#include <re2/re2.h>

namespace conclab {
namespace fs = std::filesystem;
namespace {

// Appends the visible form of one character; returns the columns it takes.
int append_visible(std::string& out, char32_t cp, int col) {
    char buf[16];
    if (cp == '\t') {
        int n = 4 - (col % 4);
        out.append(n, ' ');
        return n;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
        std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
        out += buf;
        return 4;
    }
    if (is_invisible(cp)) {
        std::snprintf(buf, sizeof buf, "<U+%04X>", unsigned(cp));
        out += buf;
        return static_cast<int>(std::string_view(buf).size());
    }
    append_utf8(out, cp);
    return 1;
}

}  // namespace

std::string visible_source_line(std::string_view raw) {
    std::string out;
    int col = 0;
    std::size_t i = 0;
    while (i < raw.size()) {
        std::size_t before = out.size();
        col += append_visible(out, decode_utf8(raw, i), col);
        if (out.size() > kSnippetLineBytes) {
            out.resize(before);
            out += "…";
            break;
        }
    }
    return out;
}

int visible_column(std::string_view raw, int column) {
    if (column <= 0 || static_cast<std::size_t>(column) > raw.size() + 1) return 0;
    std::string shown;
    int col = 0;
    std::size_t i = 0, end = static_cast<std::size_t>(column - 1);
    while (i < end && i < raw.size()) {
        col += append_visible(shown, decode_utf8(raw, i), col);
        if (shown.size() > kSnippetLineBytes) return 0;   // past what is shown
    }
    return col + 1;
}

void fill_snippet(Snippet& s, std::string_view source, int context) {
    s.first_line = 0;
    s.lines.clear();
    if (s.line <= 0) return;
    int from = std::max(1, s.line - context), to = s.line + context;
    int n = 1;
    std::size_t pos = 0;
    std::vector<std::string> shown;
    std::string marked_raw;
    bool found = false;
    while (pos <= source.size() && n <= to) {
        std::size_t nl = source.find('\n', pos);
        bool last = nl == std::string_view::npos;
        if (last) nl = source.size();
        if (last && pos == source.size()) break;   // no line after a final '\n'
        std::string_view l = source.substr(pos, nl - pos);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        if (n >= from) shown.push_back(visible_source_line(l));
        if (n == s.line) { found = true; marked_raw = std::string(l); }
        ++n;
        if (last) break;
        pos = nl + 1;
    }
    if (!found) { s.column = 0; return; }
    s.first_line = from;
    s.lines = std::move(shown);
    s.column = visible_column(marked_raw, s.column);
}

std::vector<Snippet> snippet_places(std::string_view text, const std::vector<std::string>& student_files,
                                    std::size_t max) {
    std::vector<Snippet> out;
    static const RE2 loc_re(R"(([^\s:'"()\[\]]+):(\d{1,7})(?::(\d{1,5}))?(?::|\b)\s*(.*))");
    std::size_t pos = 0;
    while (pos < text.size() && out.size() < max) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        re2::StringPiece line(text.data() + pos, nl - pos);
        pos = nl + 1;
        std::string path, rest;
        int l = 0;
        std::string col;
        re2::StringPiece input = line;
        while (out.size() < max && RE2::FindAndConsume(&input, loc_re, &path, &l, &col, &rest)) {
            for (const auto& f : student_files) {
                if (path == f || (path.size() > f.size() && path.compare(path.size() - f.size(), f.size(), f) == 0 &&
                                  path[path.size() - f.size() - 1] == '/')) {
                    bool dup = std::any_of(out.begin(), out.end(),
                                           [&](const Snippet& s) { return s.file == f && s.line == l; });
                    if (dup || l <= 0) break;
                    Snippet s;
                    s.file = f;
                    s.line = l;
                    s.column = col.empty() ? 0 : std::stoi(col);
                    s.label = visible_source_line(rest.substr(0, 160));
                    out.push_back(std::move(s));
                    break;
                }
            }
            break;   // one place per line: the rest of the line is its label
        }
    }
    return out;
}

namespace {

// The file's text, or nullopt when it may not or cannot be read.
std::optional<std::string> read_student_file(const Course& course, const Exercise& ex, const Submission& sub,
                                             const std::string& name) {
    auto p = sub.file(ex, name);   // regular file, not a symlink
    if (!p) return std::nullopt;
    std::error_code ec;
    fs::path real = fs::canonical(*p, ec);
    if (ec) return std::nullopt;
    // A directory on the way may still be a symlink (exercises/counter -> the
    // reference): the file must really be inside the submission or the stub.
    auto inside = [&](const fs::path& dir) {
        std::error_code e2;
        fs::path d = fs::canonical(dir, e2);
        if (e2) return false;
        auto rel = real.lexically_relative(d);
        return !rel.empty() && *rel.begin() != "..";
    };
    if (!inside(sub.root()) && !inside(course.exercise_dir(ex.name))) return std::nullopt;
    std::ifstream in(real, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(static_cast<std::size_t>(kSnippetFileBytes), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// "a `counter::Counter` object the test created" + the member the line uses.
void name_member(Finding& f) {
    static const std::string marker = " object the test created";
    auto at = f.message.find(marker);
    auto nl = f.message.find('\n');
    if (at == std::string::npos || (nl != std::string::npos && at > nl) || f.snippets.empty()) return;
    const Snippet& s = f.snippets.front();
    if (s.lines.empty() || s.line < s.first_line) return;
    std::size_t idx = static_cast<std::size_t>(s.line - s.first_line);
    if (idx >= s.lines.size()) return;
    const std::string& line = s.lines[idx];
    static const RE2 this_re(R"(this->([A-Za-z_]\w{0,63}))");
    static const RE2 member_re(R"(\b((?:m_[A-Za-z_]\w{0,60})|(?:[A-Za-z]\w{0,62}_))\b)");
    std::string member;
    if (!RE2::PartialMatch(line, this_re, &member)) RE2::PartialMatch(line, member_re, &member);
    if (member.empty()) return;
    auto a = f.message.rfind(" a `", at);
    if (a == std::string::npos) return;
    f.message.replace(a, 3, " `" + member + "`, a member of the ");
}

}  // namespace

void attach_snippets(SubmissionResult& r, const Course& course, const Submission& sub) {
    for (auto& e : r.exercises) {
        const Exercise* ex = course.find(e.name);
        if (!ex) continue;
        std::vector<std::string> files;
        for (const auto& f : ex->files) files.push_back("exercises/" + ex->name + "/" + f);
        std::map<std::string, std::optional<std::string>> cache;
        auto fill = [&](Snippet& s) {
            auto it = std::find(files.begin(), files.end(), s.file);
            if (it == files.end()) { s.lines.clear(); s.first_line = 0; s.column = 0; return; }
            auto c = cache.find(s.file);
            if (c == cache.end())
                c = cache.emplace(s.file, read_student_file(course, *ex, sub, ex->files[it - files.begin()])).first;
            if (c->second) fill_snippet(s, *c->second);
        };
        if (e.snippets.empty()) e.snippets = snippet_places(e.message, files);
        for (auto& s : e.snippets) fill(s);
        for (auto& t : e.tests) {
            if (t.snippets.empty() && t.message != e.message) {
                // a place a finding already shows ("data race at counter.cpp:17") is not shown twice
                for (auto& s : snippet_places(t.message, files)) {
                    bool shown = false;
                    for (auto& f : t.findings)
                        for (auto& fs_ : f.snippets) shown = shown || (fs_.file == s.file && fs_.line == s.line);
                    if (!shown) t.snippets.push_back(std::move(s));
                }
            }
            for (auto& s : t.snippets) fill(s);
            // The first three findings get source (a results.json stays under 1 MiB
            // however many reports a program prints); the rest keep file:line only.
            std::size_t shown = 0;
            for (auto& f : t.findings) {
                if (shown >= 3) { f.snippets.clear(); continue; }
                for (std::size_t i = 0; i < f.snippets.size(); ++i) {
                    // both accesses of a race on one line: the code once, both captions
                    bool same = false;
                    for (std::size_t k = 0; k < i; ++k)
                        same = same || (f.snippets[k].file == f.snippets[i].file && f.snippets[k].line == f.snippets[i].line);
                    if (same) {
                        f.snippets[i].lines.clear();
                        f.snippets[i].first_line = 0;
                        f.snippets[i].column = 0;
                        f.snippets[i].label += " (the same line)";
                    }
                    else fill(f.snippets[i]);
                }
                if (!f.snippets.empty()) ++shown;
                name_member(f);
            }
        }
    }
}

std::vector<std::string> snippet_text(const Snippet& s) {
    std::vector<std::string> out;
    std::string head = s.label.empty() ? "" : s.label + " — ";
    out.push_back(head + s.file + ":" + std::to_string(s.line) + (s.column > 0 ? ":" + std::to_string(s.column) : ""));
    int width = static_cast<int>(std::to_string(s.first_line + static_cast<int>(s.lines.size())).size());
    for (std::size_t i = 0; i < s.lines.size(); ++i) {
        int n = s.first_line + static_cast<int>(i);
        std::string num = std::to_string(n);
        num.insert(0, static_cast<std::size_t>(std::max(0, width - static_cast<int>(num.size()))), ' ');
        out.push_back(std::string(n == s.line ? "> " : "  ") + num + " | " + s.lines[i]);
        if (n == s.line && s.column > 0)
            out.push_back("  " + std::string(static_cast<std::size_t>(width), ' ') + " | " +
                          std::string(static_cast<std::size_t>(s.column - 1), ' ') + "^");
    }
    return out;
}

}  // namespace conclab
