// Which lines of a preprocessed translation unit came from the student's files.
#include "conclab/header_context.hpp"

#include "conclab/code_problem.hpp"
#include "conclab/text.hpp"

namespace conclab {

namespace {

// A GCC line marker: `# 12 "path" 1 3`. Returns the path, or nullopt-like "".
bool line_marker(std::string_view line, std::string& file) {
    if (line.size() < 5 || line[0] != '#' || line[1] != ' ') return false;
    std::size_t i = 2;
    if (i >= line.size() || line[i] < '0' || line[i] > '9') return false;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
    if (i + 1 >= line.size() || line[i] != ' ' || line[i + 1] != '"') return false;
    std::size_t end = line.find('"', i + 2);
    if (end == std::string_view::npos) return false;
    file.assign(line.substr(i + 2, end - i - 2));
    return true;
}

}  // namespace

std::map<std::string, std::string> student_regions(std::string_view preprocessed,
                                                   const std::vector<std::string>& student_files) {
    std::map<std::string, std::string> regions;
    std::string current, marker_file;   // the student file the lines now come from ("" = none)
    std::size_t pos = 0;
    while (pos < preprocessed.size()) {
        std::size_t nl = preprocessed.find('\n', pos);
        std::string_view line =
            preprocessed.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? preprocessed.size() : nl + 1;
        if (line_marker(line, marker_file)) {
            current.clear();
            for (const auto& f : student_files)
                if (names_student_file(marker_file, f)) current = f;
            if (!current.empty()) regions[current];   // included, even if it adds no line
            continue;
        }
        if (current.empty()) continue;
        std::string text = fold_spaces(line);
        if (!text.empty()) regions[current] += text + "\n";
    }
    return regions;
}

}  // namespace conclab
