#pragma once
// Source context for findings and messages: the student's line ±2, the line
// marked, a caret under the column when the report gave one (docs/reports.md).
//
// The places come from untrusted text (sanitizer reports, compiler output,
// assertion messages the student's program can influence), so:
//  - only a submission's own editable files are ever read, as regular files
//    (no symlink, no path outside the submission or the stub), at most
//    kSnippetFileBytes of each;
//  - every line is made printable (control, zero-width and bidi characters
//    shown as \xNN / <U+XXXX>, invalid UTF-8 as U+FFFD) and cut to
//    kSnippetLineBytes; each format escapes it again for itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conclab/course.hpp"
#include "conclab/result.hpp"

namespace conclab {

constexpr int kSnippetContext = 2;                       // lines before and after
constexpr std::size_t kSnippetLineBytes = 200;           // one shown line, at most
constexpr std::uintmax_t kSnippetFileBytes = 1 << 20;    // read of one student file, at most
constexpr std::size_t kSnippetsPerMessage = 3;           // places taken from one message

// One raw source line as it may be shown: tabs expanded to 4 columns (so a
// caret lines up), everything invisible made visible, cut at kSnippetLineBytes.
std::string visible_source_line(std::string_view raw);

// The display column (1-based) of byte column `column` of `raw` after
// visible_source_line; 0 when it is unknown or cut off.
int visible_column(std::string_view raw, int column);

// Fills s.first_line / s.lines from `source` (the file's text): the marked
// line and `context` lines either side. A line past the end leaves s empty.
// Also turns s.column into the display column of the shown text.
void fill_snippet(Snippet& s, std::string_view source, int context = kSnippetContext);

// The places "…exercises/<ex>/<file>:LINE[:COL]" that `text` names, where the
// path is one of `student_files` (course-relative). At most `max`, each with
// the rest of its line as label ("error: expected ';' before '}'").
std::vector<Snippet> snippet_places(std::string_view text, const std::vector<std::string>& student_files,
                                    std::size_t max = kSnippetsPerMessage);

// For every finding, test message and exercise message of `r`: adds the places
// messages name and reads every snippet's lines from `sub` (see the rules
// above). A race on "a `X` object the test created" then names the member the
// marked line uses ("`value_`, a member of …").
void attach_snippets(SubmissionResult& r, const Course& course, const Submission& sub);

// Plain-text form (terminal, JUnit, Gradescope):
//   previous write by thread T1 — exercises/counter/counter.cpp:9
//        8 |     void increment() noexcept {
//   >    9 |         value_ += 1;
//          |         ^
std::vector<std::string> snippet_text(const Snippet& s);

}  // namespace conclab
