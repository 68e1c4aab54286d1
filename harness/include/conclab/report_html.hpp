#pragma once
// HTML reports (docs/reports.md): one self-contained page per submission for
// the student, and the class dashboard a batch writes for TAs. No network, no
// CDN: CSS, SVG and the few lines of script are inline, so both open from
// file://. Everything that may come from student code or a report is escaped.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "conclab/result.hpp"

namespace conclab {

// HTML text/attribute escaping of untrusted text: valid UTF-8, control and
// invisible characters shown (\xNN, <U+XXXX>), & < > " ' escaped.
std::string html_text(std::string_view s);

// The student report. A hidden test shows its name, "hidden" and its points only.
std::string to_html(const SubmissionResult& r);

// Rebuilds DIR/index.html (the class dashboard) and DIR/<student>/report.html
// for every student with a DIR/<student>/results.json, from DIR/gradebook.sqlite
// and those files. `exercise_order` orders the columns. Returns the index path.
std::filesystem::path write_dashboard(const std::filesystem::path& dir,
                                      const std::vector<std::string>& exercise_order = {});

}  // namespace conclab
