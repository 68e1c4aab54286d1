#pragma once
// A student's header must mean the same wherever it is included: in the
// student's own .cpp and in every grader test file. A header that tests for
// the grader's macros (e.g. `#ifdef GTEST_INCLUDE_GTEST_GTEST_H_`) could
// otherwise hide, from everything the engine checks on the student's own
// objects, code that only exists inside the grader's translation units
// (docs/security.md).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

// The lines the preprocessor produced from each student file in one
// translation unit (`g++ -E -dD -fdirectives-only` output, line markers
// tell which file a line came from), blank lines dropped, white space folded:
// student file (course-relative) -> its text in this TU. Files the TU does not
// include are absent.
std::map<std::string, std::string> student_regions(std::string_view preprocessed,
                                                   const std::vector<std::string>& student_files);

}  // namespace conclab
