#pragma once
// One finding of the mechanical checks on a student's code (object check,
// macro check): where it is and what to do about it.
#include <string>

namespace conclab {

struct CodeProblem {
    std::string file;  // course-relative student path, e.g. exercises/counter/counter.cpp
    int line = 0;      // 1-based; 0 when the finding has no line (e.g. a section entry)
    std::string what;  // for the student: what was found and what to do instead
};

// "exercises/counter/counter.cpp:12: <what>", or without ":12" when line is 0.
std::string format_code_problem(const CodeProblem& p);

// Does `path` (as recorded by the compiler: absolute, or relative to its working
// directory) name the course-relative `student_file`? Compared by whole path
// components from the end, so "x/my_counter.cpp" is not "counter.cpp".
bool names_student_file(const std::string& path, const std::string& student_file);

}  // namespace conclab
