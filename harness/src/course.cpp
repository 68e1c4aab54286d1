// The course tree and the submission's view of it.
#include "conclab/course.hpp"

#include <algorithm>

#include "conclab/calibration.hpp"

namespace conclab {

namespace fs = std::filesystem;

Course Course::load(const fs::path& root) {
    Course c;
    c.root = fs::absolute(root).lexically_normal();
    const fs::path dir = c.root / "exercises";
    if (!fs::is_directory(dir))
        throw ManifestError(dir.string(), 0, "", "no exercises/ folder: is this a conclab course tree?");
    std::vector<fs::path> manifests;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && fs::exists(entry.path() / "exercise.yaml"))
            manifests.push_back(entry.path() / "exercise.yaml");
    std::sort(manifests.begin(), manifests.end());
    for (const auto& m : manifests) c.exercises.push_back(load_calibrated_exercise(m));
    return c;
}

const Exercise* Course::find(const std::string& name) const {
    for (const auto& e : exercises)
        if (e.name == name) return &e;
    return nullptr;
}

Submission Submission::handout(fs::path root, std::string id) {
    Submission s;
    s.root_ = fs::absolute(root).lexically_normal();
    s.id_ = id.empty() ? s.root_.filename().string() : std::move(id);
    return s;
}

Submission Submission::flat(fs::path dir, std::string exercise, std::string id) {
    Submission s = handout(std::move(dir), std::move(id));
    s.flat_exercise_ = std::move(exercise);
    return s;
}

Submission Submission::corpus_case(fs::path dir, std::string exercise, fs::path stub_dir) {
    Submission s = flat(std::move(dir), std::move(exercise));
    s.stub_dir_ = std::move(stub_dir);
    return s;
}

std::optional<fs::path> Submission::file(const Exercise& ex, const std::string& name) const {
    fs::path p;
    if (!flat_exercise_.empty()) {
        if (ex.name != flat_exercise_) return std::nullopt;
        p = root_ / name;
        if (!stub_dir_.empty() && !fs::exists(p)) p = stub_dir_ / name;
    } else {
        p = root_ / "exercises" / ex.name / name;
    }
    // A symlink could point at the reference or another student's work: only
    // regular files count.
    if (fs::is_symlink(p) || !fs::is_regular_file(p)) return std::nullopt;
    return p;
}

bool Submission::has_exercise(const Exercise& ex) const {
    return std::all_of(ex.files.begin(), ex.files.end(), [&](const auto& f) { return file(ex, f).has_value(); });
}

}  // namespace conclab
