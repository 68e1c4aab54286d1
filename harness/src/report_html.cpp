// HTML reports: the student's page and the class dashboard (report_html.hpp).
//
// Both are one file each with inline CSS/SVG/JS (no network: they must work
// from file:// on a student's laptop and in a gradebook copied to a USB key).
// All text that may come from the submission (messages, output, snippets,
// student ids) passes through html_text(); attribute values too.
#include "conclab/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include <re2/re2.h>

#include "conclab/bounds.hpp"
#include "conclab/files.hpp"
#include "conclab/gradebook.hpp"
#include "conclab/report.hpp"
#include "conclab/utf8.hpp"

namespace conclab {
namespace fs = std::filesystem;
namespace {

// Output as a student should see it when it differs from what was expected:
// tabs, carriage returns, trailing spaces and invisible characters marked.
std::string visible_output_html(std::string_view s) {
    std::string out;
    std::string pending_spaces;   // spaces are trailing until something else follows
    auto flush = [&](bool trailing) {
        if (pending_spaces.empty()) return;
        if (trailing) {
            out += "<span class=\"inv\" title=\"trailing space\">";
            for (std::size_t i = 0; i < pending_spaces.size(); ++i) out += "·";
            out += "</span>";
        } else {
            out += pending_spaces;
        }
        pending_spaces.clear();
    };
    for_each_codepoint(s, [&](char32_t cp) {
        if (cp == ' ') { pending_spaces += ' '; return; }
        if (cp == '\n') { flush(true); out += "<span class=\"inv\">↵</span>\n"; return; }
        flush(false);
        char buf[24];
        if (cp == '\t') out += "<span class=\"inv\" title=\"tab\">→</span>\t";
        else if (cp == '\r') out += "<span class=\"inv\" title=\"carriage return\">\\r</span>";
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
            out += std::string("<span class=\"inv\">") + buf + "</span>";
        } else if (is_invisible(cp)) {
            std::snprintf(buf, sizeof buf, "&lt;U+%04X&gt;", unsigned(cp));
            out += std::string("<span class=\"inv\">") + buf + "</span>";
        } else if (cp == '&') out += "&amp;";
        else if (cp == '<') out += "&lt;";
        else if (cp == '>') out += "&gt;";
        else append_utf8(out, cp);
    });
    flush(true);
    return out;
}

std::string pts(double v) { return format_points(v); }

const char* kCss = R"CSS(
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","WenQuanYi Micro Hei",sans-serif;margin:0;color:#1f2328;background:#fff}
header,main{max-width:1100px;margin:0 auto;padding:12px 16px}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.4em;margin:.2em 0}
h2{font-size:1.15em;margin:1.2em 0 .4em;display:flex;gap:.6em;align-items:baseline;flex-wrap:wrap}
.meta{color:var(--mute);font-size:.9em;margin:.2em 0}
.total{font-size:1.2em;margin:.3em 0}
.points{font-variant-numeric:tabular-nums;color:var(--mute)}
.full .points,.ok{color:var(--ok)}
.test{border:1px solid var(--line);border-left:5px solid var(--bad);border-radius:6px;margin:.5em 0;padding:.4em .7em;overflow-wrap:anywhere}
.test.passed{border-left-color:var(--ok)}
.test.timeout,.test.error{border-left-color:var(--warn)}
.test .head{display:flex;gap:.6em;align-items:baseline;flex-wrap:wrap}
.test .name{font-family:ui-monospace,monospace;font-weight:600;flex:1 1 12em}
.badge{font-size:.8em;padding:0 .5em;border-radius:1em;background:var(--bad);color:#fff;text-transform:uppercase}
.passed .badge{background:var(--ok)}.timeout .badge,.error .badge{background:var(--warn)}
.hidden-tag{font-size:.8em;color:var(--mute);border:1px solid var(--line);border-radius:1em;padding:0 .5em}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5em .7em;overflow-x:auto;margin:.4em 0;font:13px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.msg{white-space:pre-wrap}
.finding .kind{color:var(--bad);font-weight:600}
figure.snippet{margin:.4em 0}
figure.snippet figcaption{font-size:.85em;color:var(--mute);font-family:ui-monospace,monospace}
.snippet .ln{display:inline-block;min-width:3ch;text-align:right;color:var(--mute);margin-right:1ch;user-select:none}
.snippet .mark{background:#fff8c5;display:inline-block;min-width:100%}
.snippet .caret{color:var(--bad);font-weight:700}
.inv{color:#8250df;background:#fbefff}
table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.92em}
th,td{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.diff td{font-family:ui-monospace,monospace;white-space:pre-wrap}
details summary{cursor:pointer;color:var(--mute)}
.seed code,.cmd{font-family:ui-monospace,monospace;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:.5em .7em}
.card h3{font-size:1em;margin:.1em 0 .3em}
.bar{background:var(--bad);height:.8em;display:inline-block;vertical-align:middle}
.scroll{overflow-x:auto}
th[data-sort]{cursor:pointer}
th[data-sort]::after{content:" ⇅";color:var(--mute)}
td code{overflow-wrap:anywhere}
@media (max-width:600px){body{font-size:14px}header,main{padding:8px}pre{font-size:12px}table{font-size:.85em}.bar{display:none}}
)CSS";

std::string page_head(const std::string& title) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           // no network: nothing may be fetched, even by accident
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; img-src data:\">"
           "<title>" + html_text(title) + "</title><style>" + kCss + "</style></head>\n<body>\n";
}

// Marks the page with whether it fits its window (no sideways scrolling of
// the page itself): tests/html_check.sh reads it at 1280 px and at 390 px.
const char* kFitJs =
    "<script>(function(){var d=document.documentElement;"
    "d.setAttribute('data-fits',d.scrollWidth<=d.clientWidth+1?'yes':'no');})();</script>";

std::string snippet_html(const Snippet& s) {
    std::ostringstream h;
    h << "<figure class=\"snippet\" data-file=\"" << html_text(s.file) << "\" data-line=\"" << s.line << "\">"
      << "<figcaption>" << (s.label.empty() ? "" : html_text(s.label) + " — ") << html_text(s.file) << ":" << s.line
      << (s.column > 0 ? ":" + std::to_string(s.column) : "") << "</figcaption>";
    if (!s.lines.empty()) {
        h << "<pre><code>";
        for (std::size_t i = 0; i < s.lines.size(); ++i) {
            int n = s.first_line + static_cast<int>(i);
            bool mark = n == s.line;
            h << (mark ? "<span class=\"mark\">" : "") << "<span class=\"ln\">" << (mark ? "&gt;" : "") << n
              << "</span>" << html_text(s.lines[i]) << (mark ? "</span>" : "") << "\n";
            if (mark && s.column > 0)
                h << "<span class=\"ln\"></span><span class=\"caret\">"
                  << std::string(static_cast<std::size_t>(std::min(s.column - 1, 400)), ' ') << "^</span>\n";
        }
        h << "</code></pre>";
    }
    h << "</figure>\n";
    return h.str();
}

// "line 3: expected "a" but your program printed "b"" (matchers.cpp) -> rows.
std::string diff_table(const std::string& message) {
    static const RE2 re(R"(^\s*line (\d+): expected (.*) but your program printed (.*)$)");
    std::ostringstream rows;
    std::size_t n = 0;
    std::istringstream in(message);
    std::string l;
    while (std::getline(in, l) && n < 50) {
        std::string line, exp, got;
        if (!RE2::FullMatch(l, re, &line, &exp, &got)) continue;
        ++n;
        // matchers.cpp quotes with backticks; without them a cell ends where the line does
        for (auto* v : {&exp, &got})
            if (v->size() >= 2 && v->front() == '`' && v->back() == '`') *v = v->substr(1, v->size() - 2);
        rows << "<tr><td class=\"num\">" << html_text(line) << "</td><td>" << visible_output_html(exp) << "</td><td>"
             << visible_output_html(got) << "</td></tr>\n";
    }
    if (n == 0) return {};
    return "<table class=\"diff\"><thead><tr><th class=\"num\">line</th><th>expected</th><th>your program printed"
           "</th></tr></thead><tbody>" + rows.str() + "</tbody></table>\n";
}

std::string test_html(const ExerciseResult& e, const TestResult& t) {
    std::ostringstream h;
    // Hidden tests: the student sees the name, "hidden" and the points only.
    bool hidden = t.hidden;
    Status shown = hidden ? (t.status == Status::passed ? Status::passed : Status::failed) : t.status;
    h << "<div class=\"test " << to_string(shown) << "\" data-test=\"" << html_text(t.name) << "\" data-status=\""
      << to_string(shown) << "\"><div class=\"head\"><span class=\"badge\">" << to_string(shown)
      << "</span><span class=\"name\">" << html_text(t.name) << "</span>"
      << (hidden ? "<span class=\"hidden-tag\">hidden</span>" : "") << "<span class=\"points\">" << pts(t.score)
      << " / " << pts(t.max_score) << "</span></div>\n";
    if (hidden || t.status == Status::passed) return h.str() + "</div>\n";
    if (!t.message.empty() && t.message != e.message) h << "<pre class=\"msg\">" << html_text(bounded(t.message, 8192)) << "</pre>\n";
    h << diff_table(t.message);
    for (auto& s : t.snippets) h << snippet_html(s);
    for (auto& f : t.findings) {
        h << "<div class=\"finding\"><p><span class=\"kind\">" << html_text(f.kind) << "</span>";
        if (!f.file.empty()) h << " at <code>" << html_text(f.file) << ":" << f.line << "</code>";
        h << "</p><pre class=\"msg\">" << html_text(bounded(f.message, 4096)) << "</pre>\n";
        for (auto& s : f.snippets) h << snippet_html(s);
        h << "</div>\n";
    }
    if (t.status == Status::tampered && !t.evidence.empty())
        h << "<details><summary>Evidence</summary><pre>" << html_text(bounded(t.evidence, 8192)) << "</pre></details>\n";
    if (!t.hint.empty())
        h << "<details class=\"hint\"><summary>Hint</summary><p>" << html_text(t.hint) << "</p></details>\n";
    if (t.seed != 0)
        h << "<p class=\"seed\">Seed: <code>" << t.seed
          << "</code> (the schedule this run used: quote it when you ask about this test)</p>\n";
    if (!t.output.empty())
        h << "<details class=\"output\"><summary>Output (invisible characters shown)</summary><pre>"
          << visible_output_html(bounded(t.output, 64 * 1024)) << "</pre></details>\n";
    return h.str() + "</div>\n";
}

}  // namespace

std::string html_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for_each_codepoint(s, [&](char32_t cp) {
        char buf[24];
        switch (cp) {
            case '&': out += "&amp;"; return;
            case '<': out += "&lt;"; return;
            case '>': out += "&gt;"; return;
            case '"': out += "&quot;"; return;
            case '\'': out += "&#39;"; return;
            case '\n': case '\t': out += char(cp); return;
            default: break;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
            out += buf;
        } else if (is_invisible(cp)) {
            std::snprintf(buf, sizeof buf, "&lt;U+%04X&gt;", unsigned(cp));
            out += buf;
        } else {
            append_utf8(out, cp);
        }
    });
    return out;
}

std::string to_html(const SubmissionResult& r) {
    std::ostringstream h;
    h << page_head("conclab report" + (r.submission.empty() ? std::string() : " — " + r.submission));
    std::size_t tests = 0, passed = 0;
    for (auto& e : r.exercises)
        for (auto& t : e.tests) { ++tests; passed += t.status == Status::passed; }
    h << "<header><h1>conclab report" << (r.submission.empty() ? "" : " — " + html_text(r.submission)) << "</h1>"
      << "<p class=\"total\" id=\"total\">Total: <b>" << pts(r.score) << "</b> / " << pts(r.max_score) << " <span class=\"meta\">("
      << passed << " of " << tests << " tests passed)</span></p>";
    if (!r.sandbox.empty() || !r.grader_version.empty())
        h << "<p class=\"meta\">sandbox: " << html_text(r.sandbox) << " · grader " << html_text(r.grader_version) << "</p>";
    h << "</header>\n<main>\n";
    for (auto& e : r.exercises) {
        bool full = e.max_score > 0 && e.score >= e.max_score;
        h << "<section class=\"exercise" << (full ? " full" : "") << "\" id=\"ex-" << html_text(e.name)
          << "\" data-exercise=\"" << html_text(e.name) << "\"><h2>" << html_text(e.name) << " <span class=\"points\">"
          << pts(e.score) << " / " << pts(e.max_score) << "</span></h2>\n";
        if (!e.message.empty()) h << "<pre class=\"msg\">" << html_text(bounded(e.message, 16 * 1024)) << "</pre>\n";
        for (auto& s : e.snippets) h << snippet_html(s);
        for (auto& t : e.tests) h << test_html(e, t);
        h << "</section>\n";
    }
    h << "</main>" << kFitJs << "</body></html>\n";
    return h.str();
}

// ------------------------------------------------------------------ dashboard

namespace {

// A student id is a directory name from the submissions folder: used in a path
// only when it is one plain component, and percent-encoded in links.
bool plain_component(const std::string& id) {
    return !id.empty() && id != "." && id != ".." && id.find('/') == std::string::npos && id.find('\0') == std::string::npos;
}

std::string url_component(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += char(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// Eleven bins: 0–9 %, …, 90–99 %, 100 %. An inline SVG bar chart.
std::string histogram_svg(const std::vector<double>& fractions, const std::string& label) {
    int bins[11] = {};
    for (double f : fractions) {
        if (!std::isfinite(f)) f = 0;
        int b = f >= 1.0 ? 10 : std::clamp(static_cast<int>(std::floor(f * 10)), 0, 9);
        ++bins[b];
    }
    int top = std::max(1, *std::max_element(std::begin(bins), std::end(bins)));
    const int W = 345, H = 140, bw = 28, base = 115;   // room for the last "100%" label
    std::ostringstream s;
    s << "<svg viewBox=\"0 0 " << W << " " << H << "\" width=\"100%\" role=\"img\" aria-label=\"" << html_text(label)
      << "\">";
    for (int i = 0; i < 11; ++i) {
        int hgt = bins[i] * 95 / top, x = 5 + i * (bw + 2);
        s << "<rect x=\"" << x << "\" y=\"" << base - hgt << "\" width=\"" << bw << "\" height=\"" << hgt
          << "\" fill=\"" << (i == 10 ? "#1a7f37" : "#0969da") << "\"><title>" << (i == 10 ? std::string("100%")
                                                                                   : std::to_string(i * 10) + "–" + std::to_string(i * 10 + 9) + "%")
          << ": " << bins[i] << "</title></rect>";
        if (bins[i]) s << "<text x=\"" << x + bw / 2 << "\" y=\"" << base - hgt - 3 << "\" font-size=\"11\" text-anchor=\"middle\">"
                       << bins[i] << "</text>";
        if (i % 2 == 0 || i == 10)
            s << "<text x=\"" << x + bw / 2 << "\" y=\"" << base + 14 << "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#57606a\">"
              << i * 10 << (i == 10 ? "%" : "") << "</text>";
    }
    s << "<line x1=\"3\" y1=\"" << base << "\" x2=\"" << W - 3 << "\" y2=\"" << base << "\" stroke=\"#d0d7de\"/></svg>";
    return s.str();
}

const char* kSortJs = R"JS(
document.querySelectorAll('table.sortable th[data-sort]').forEach(function(th,col){
 th.addEventListener('click',function(){
  var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),num=th.dataset.sort==='num';
  var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';
  var idx=Array.from(th.parentNode.children).indexOf(th);
  rows.sort(function(a,b){var x=a.cells[idx].dataset.v||a.cells[idx].textContent,y=b.cells[idx].dataset.v||b.cells[idx].textContent;
   return num?dir*(parseFloat(x)-parseFloat(y)):dir*x.localeCompare(y);});
  rows.forEach(function(r){tb.appendChild(r);});});});
)JS";

}  // namespace

fs::path write_dashboard(const fs::path& dir, const std::vector<std::string>& exercise_order) {
    // Gradebook() would create an empty database: a mistyped DIR must say so instead.
    if (!fs::is_regular_file(Gradebook::database_path(dir)))
        throw std::runtime_error("no gradebook in " + dir.string() + " (run `conclab batch SUBMISSIONS --out " +
                                 dir.string() + "` first)");
    Gradebook gb(dir);
    auto entries = gb.entries();
    auto summary = gb.summary(1000);

    struct Row {
        GradebookEntry entry;
        bool has_report = false;
        std::map<std::string, std::pair<double, double>> ex;   // name -> score, max
    };
    std::vector<Row> rows;
    std::vector<std::string> order = exercise_order;
    std::map<std::string, std::pair<std::size_t, std::size_t>> tests;   // "ex/test" -> passed, total
    std::map<std::string, std::vector<double>> ex_fractions;
    std::vector<double> totals;
    for (auto& en : entries) {
        Row row{en, false, {}};
        if (plain_component(en.student)) {
            fs::path json = dir / en.student / "results.json";
            std::error_code ec;
            // results.json is ours (written by batch) and at most 1 MiB; still bound the read.
            if (fs::is_regular_file(json, ec) && !fs::is_symlink(json, ec) && fs::file_size(json, ec) <= kResultJsonBytes) {
                std::ifstream in(json, std::ios::binary);
                std::string text((std::istreambuf_iterator<char>(in)), {});
                try {
                    SubmissionResult r = from_json(text);
                    write_file_atomic(dir / en.student / "report.html", to_html(r));
                    row.has_report = true;
                    for (auto& e : r.exercises) {
                        row.ex[e.name] = {e.score, e.max_score};
                        if (std::find(order.begin(), order.end(), e.name) == order.end()) order.push_back(e.name);
                        if (en.status == "graded" && e.max_score > 0) ex_fractions[e.name].push_back(e.score / e.max_score);
                        if (en.status != "graded") continue;
                        for (auto& t : e.tests) {
                            auto& c = tests[e.name + "/" + t.name];
                            ++c.second;
                            c.first += t.status == Status::passed;
                        }
                    }
                } catch (const std::exception&) {
                    // an unreadable results.json: the row still shows the gradebook's numbers
                }
            }
        }
        if (en.status == "graded" && en.max_score > 0) totals.push_back(en.score / en.max_score);
        rows.push_back(std::move(row));
    }

    // Only exercises someone was graded on (a batch run with --exercise counter
    // shows counter, not four empty charts).
    order.erase(std::remove_if(order.begin(), order.end(),
                               [&](const std::string& ex) {
                                   return std::none_of(rows.begin(), rows.end(),
                                                       [&](const Row& r) { return r.ex.count(ex) > 0; });
                               }),
                order.end());

    std::ostringstream h;
    std::string name = fs::absolute(dir).lexically_normal().filename().string();
    if (name.empty()) name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
    h << page_head("conclab class dashboard — " + name);
    h << "<header><h1>Class dashboard — " << html_text(name) << "</h1><p class=\"meta\" id=\"counts\">"
      << summary.submissions << " submissions, " << summary.graded << " graded, " << summary.errors
      << " with grader errors · mean " << pts(summary.mean_total) << " / " << pts(summary.max_total) << " · median "
      << pts(summary.median_total) << "</p></header>\n<main>\n";

    h << "<h2>Score distribution</h2><div class=\"cards\" id=\"distribution\">";
    h << "<div class=\"card\" data-exercise=\"total\"><h3>Total</h3>" << histogram_svg(totals, "total scores") << "</div>";
    for (auto& ex : order) {
        auto& f = ex_fractions[ex];
        h << "<div class=\"card\" data-exercise=\"" << html_text(ex) << "\"><h3>" << html_text(ex) << "</h3>"
          << histogram_svg(f, ex + " scores") << "</div>";
    }
    h << "</div>\n";

    // Most failed first: where the class needs help.
    std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> tv(tests.begin(), tests.end());
    std::stable_sort(tv.begin(), tv.end(), [](auto& a, auto& b) {
        return a.second.second - a.second.first > b.second.second - b.second.first;
    });
    h << "<h2>Tests, most failed first</h2><div class=\"scroll\"><table id=\"tests\"><thead><tr><th>test</th>"
         "<th class=\"num\">passed</th><th class=\"num\">failed</th><th>pass rate</th></tr></thead><tbody>\n";
    for (auto& [t, c] : tv) {
        double rate = c.second ? double(c.first) / double(c.second) : 0;
        h << "<tr data-test=\"" << html_text(t) << "\"><td><code>" << html_text(t) << "</code></td><td class=\"num\">"
          << c.first << "</td><td class=\"num\">" << c.second - c.first << "</td><td><span class=\"bar\" style=\"width:"
          << static_cast<int>(std::round((1 - rate) * 100)) << "px\"></span> " << static_cast<int>(std::round(rate * 100))
          << "%</td></tr>\n";
    }
    h << "</tbody></table></div>\n";

    auto list = [&](const char* id, const char* title, const std::vector<std::pair<std::string, std::string>>& v) {
        h << "<h2>" << title << " (" << v.size() << ")</h2><ul id=\"" << id << "\">";
        if (v.empty()) h << "<li class=\"meta\">none</li>";
        for (std::size_t i = 0; i < v.size() && i < 200; ++i)
            h << "<li><b>" << html_text(v[i].first) << "</b>: " << html_text(bounded(v[i].second, 300)) << "</li>";
        h << "</ul>\n";
    };
    list("flagged", "Flagged (tampered)", summary.flagged);
    list("limits", "Hit a limit (timeouts, crashes)", summary.limits);
    list("errors", "Grader errors", summary.errors_by_student);

    h << "<h2>Students</h2><div class=\"scroll\"><table class=\"sortable\" id=\"students\"><thead><tr>"
         "<th data-sort=\"text\">student</th><th class=\"num\" data-sort=\"num\">total</th>";
    for (auto& ex : order) h << "<th class=\"num\" data-sort=\"num\">" << html_text(ex) << "</th>";
    h << "<th data-sort=\"text\">status</th></tr></thead><tbody>\n";
    for (auto& row : rows) {
        auto& en = row.entry;
        h << "<tr data-student=\"" << html_text(en.student) << "\"><td>";
        if (row.has_report)
            h << "<a href=\"" << html_text(url_component(en.student)) << "/report.html\">" << html_text(en.student) << "</a>";
        else
            h << html_text(en.student);
        h << "</td><td class=\"num\" data-v=\"" << pts(en.score) << "\">" << pts(en.score) << " / " << pts(en.max_score)
          << "</td>";
        for (auto& ex : order) {
            auto it = row.ex.find(ex);
            if (it == row.ex.end()) h << "<td class=\"num\" data-v=\"-1\">—</td>";
            else h << "<td class=\"num\" data-v=\"" << pts(it->second.first) << "\">" << pts(it->second.first) << "</td>";
        }
        h << "<td>" << html_text(en.status) << "</td></tr>\n";
    }
    h << "</tbody></table></div>\n</main><script>" << kSortJs << "</script>" << kFitJs << "</body></html>\n";
    fs::path index = dir / "index.html";
    write_file_atomic(index, h.str());
    return index;
}

}  // namespace conclab
