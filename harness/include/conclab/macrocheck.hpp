#pragma once
// Checks that a student's header cannot rewrite the grader: the grader's test
// files include the student's header, so a macro defined there changes what
// the grader's code after it means (e.g. `#define EXPECT_EQ(a, b) (void)0`).
// Works on the preprocessor's own view of one grader translation unit (see
// check_student_macros), so macro-built names cannot hide a definition.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conclab/code_problem.hpp"

namespace conclab {

// `preprocessed`: the output of `g++ <the grader TU's exact flags> -E -dD
// -fdirectives-only <grader.cpp> -o <file>` (line markers, #define and #undef
// kept, macros in the text not expanded; plain `-E -dD` works too, but then a
// macro that replaces every later use of one of the grader's own names is only
// seen if the name also occurs somewhere else). Read the file, not stdout:
// the compiler's warnings go to stderr.
// `student_files`: course-relative paths of the student's editable files.
// `student_sources`: their texts, by the same paths; only used for
// `#pragma push_macro/pop_macro`, which the preprocessor consumes.
// Reports, for directives in the student's files: an #undef of a name the
// student did not define; a #define of a C++ keyword, a reserved name (__x,
// _X), a name starting with GTEST/gtest/testing/CONCLAB/conclab, a name also
// #defined or #undef'd outside the student's files, or a name that occurs in
// the code outside the student's files; and push_macro/pop_macro. Include
// guards and the student's own helper macros pass.
std::vector<CodeProblem> check_student_macros(std::string_view preprocessed,
                                              const std::vector<std::string>& student_files,
                                              const std::map<std::string, std::string>& student_sources = {});

}  // namespace conclab
