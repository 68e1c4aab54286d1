#pragma once
// The student repository: everything a student needs, nothing that reveals a solution.
#include <filesystem>
#include <string>
#include <vector>

#include "conclab/course.hpp"

namespace conclab {

// Writes the handout into `out` (must not exist or be empty). Leaves out reference/,
// hidden grader files and hidden tests (the handout's manifests list only visible tests).
void write_handout(const Course& course, const std::filesystem::path& out);

// Problems found in a handout: a reference line (differing from the stub) that
// appears in it, a hidden file present, ... Empty = clean.
std::vector<std::string> verify_handout(const Course& course, const std::filesystem::path& handout);

}  // namespace conclab
