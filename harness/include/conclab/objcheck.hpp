#pragma once
// Checks a student's compiled object (not its text) for code that could steer
// the grader: code that runs outside the tested functions (.init_array and
// friends, beyond what the standard library and the sanitizers put there),
// references to GoogleTest's, the grader's or the sanitizers' internals and to
// run-time loading/tracing (dlsym, ptrace, process_vm_*, prctl), and raw system
// call instructions. Decided from binutils' view of the ELF object (objdump),
// so macro-built names and preprocessor tricks cannot hide anything. See
// objcheck.cpp for what is allowed and why.
#include <filesystem>
#include <string>
#include <vector>

#include "conclab/code_problem.hpp"

namespace conclab {

// `object`: a relocatable .o compiled by the grader from one student source, with
// -g (the compiler flags recorded in its debug info tell which sanitizer's
// instrumentation is expected). `student_files`: course-relative paths of the
// student's editable files (BuildOutcome::student_files); problems are located
// in them by the debug info's file:line. Empty result: nothing found.
// Throws std::runtime_error if objdump/readelf cannot read the object (grader error).
std::vector<CodeProblem> check_student_object(const std::filesystem::path& object,
                                              const std::vector<std::string>& student_files);

}  // namespace conclab
