// Formatting and file matching shared by the object check and the macro check.
#include "conclab/code_problem.hpp"

namespace conclab {

std::string format_code_problem(const CodeProblem& p) {
    std::string out = p.file;
    if (p.line > 0) out += ":" + std::to_string(p.line);
    return out + ": " + p.what;
}

bool names_student_file(const std::string& path, const std::string& student_file) {
    if (student_file.empty() || path.size() < student_file.size()) return false;
    if (path.compare(path.size() - student_file.size(), student_file.size(), student_file) != 0) return false;
    return path.size() == student_file.size() || path[path.size() - student_file.size() - 1] == '/';
}

}  // namespace conclab
