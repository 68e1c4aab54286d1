#pragma once
// Time limits measured on the reference (docs/manifest.md, "Time limits").
// `conclab calibrate EX` grades reference/EX several times and writes each
// test's slowest run to exercises/EX/calibration.yaml, checked in and reviewed
// like code. A test whose manifest does not pin its wall limit then gets
// max(floor, factor x that time): a hanging submission costs seconds, not the
// half minute a hand-set limit needs to be safe everywhere.
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/run.hpp"

namespace conclab {

struct Calibration {
    std::string exercise;
    std::string sources;                    // calibration_sources() when it was measured
    int runs = 0;                           // gradings of the reference it took the slowest of
    std::string machine;                    // where it was measured (for people)
    std::map<std::string, double> seconds;  // test -> slowest run, in seconds
};

// exercises/<ex>/calibration.yaml
std::filesystem::path calibration_path(const std::filesystem::path& manifest);

// BLAKE2b of what the measured times depend on: the exercise's graders, the
// grader kit, the reference and the exercise folder (manifest, main.cpp; not
// the student's editable files, its README or the calibration itself).
std::string calibration_sources(const Course& course, const Exercise& ex);

// nullopt when the file does not exist; throws ManifestError when it is broken.
std::optional<Calibration> load_calibration(const std::filesystem::path& file);
std::string calibration_yaml(const Calibration& c);

// Sets the wall limit of every test whose manifest does not pin it, and says why.
void apply_calibration(Exercise& ex, const Calibration& c);

// load_exercise() plus the calibration beside the manifest, if any.
Exercise load_calibrated_exercise(const std::filesystem::path& manifest);

// `conclab calibrate`: grades the reference `runs` times with the manifest's
// own limits and writes the calibration. Returns the problems (empty: written).
std::vector<std::string> calibrate_exercise(const Course& course, const Exercise& ex, Runner& runner,
                                            const Toolchain& tc, int runs, std::ostream& out);
// `conclab calibrate --check`: the checked-in calibration describes the
// current sources and every test. Returns the problems (empty: fresh).
std::vector<std::string> check_calibration(const Course& course, const Exercise& ex);

}  // namespace conclab
