#pragma once
// Every format is written from one SubmissionResult.
#include <iosfwd>
#include <string>

#include "conclab/result.hpp"

namespace conclab {

struct ReportOptions {
    bool color = false;
    bool show_hidden_details = true;   // false: a hidden test shows only its name and score
};

// Points as people write them: "20", "37.5", "3.33".
std::string format_points(double points);

void write_terminal(std::ostream& out, const SubmissionResult& r, const ReportOptions& opt = {});
// One line for a test as soon as it is decided ("counter  ✗ increments_are_not_lost  0 / 4  failed: ..."),
// printed while the others still run; the full report repeats it in manifest order.
std::string progress_line(const std::string& exercise, const TestResult& t, const ReportOptions& opt = {});
std::string to_json(const SubmissionResult& r, bool include_hidden_details = true);   // docs/design.md, "Results"
SubmissionResult from_json(const std::string& json);
std::string to_junit(const SubmissionResult& r);
std::string to_gradescope(const SubmissionResult& r);
// GitHub workflow commands (::error file=...,line=...::) and a Markdown summary table.
std::string to_github_annotations(const SubmissionResult& r);
std::string to_markdown_summary(const SubmissionResult& r);

}  // namespace conclab
