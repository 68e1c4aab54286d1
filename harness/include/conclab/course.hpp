#pragma once
// The course tree (exercises/, reference/, graders/) and the submission being graded.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "conclab/manifest.hpp"

namespace conclab {

struct Course {
    std::filesystem::path root;            // holds exercises/, graders/, maybe reference/
    std::vector<Exercise> exercises;       // sorted by folder name (the order reports and gradebooks use)

    static Course load(const std::filesystem::path& root);   // throws ManifestError
    const Exercise* find(const std::string& name) const;
    std::filesystem::path exercise_dir(const std::string& ex) const { return root / "exercises" / ex; }
    std::filesystem::path grader_dir(const std::string& ex) const { return root / "graders" / ex; }
};

// Where a submission keeps an exercise's editable files. Two layouts are accepted:
// the handout's (SUB/exercises/<ex>/<file>) and a flat one (SUB/<file>) used for the
// reference and the known-wrong corpus.
class Submission {
public:
    static Submission handout(std::filesystem::path root, std::string id = {});
    static Submission flat(std::filesystem::path dir, std::string exercise, std::string id = {});
    // The corpus (tests/known-wrong, tests/hostile): a case folder holds only
    // the files it changes; an editable file it lacks is taken from `stub_dir`.
    static Submission corpus_case(std::filesystem::path dir, std::string exercise, std::filesystem::path stub_dir);

    const std::string& id() const { return id_; }
    const std::filesystem::path& root() const { return root_; }
    // The file, or nullopt if the submission does not have it.
    std::optional<std::filesystem::path> file(const Exercise& ex, const std::string& name) const;
    bool has_exercise(const Exercise& ex) const;   // all editable files present

private:
    std::filesystem::path root_;
    std::string id_;
    std::string flat_exercise_;            // non-empty: flat layout for this exercise only
    std::filesystem::path stub_dir_;       // non-empty: where a corpus case's missing files come from
};

}  // namespace conclab
