#pragma once
// Grading a folder of submissions (one subdirectory per student) into a gradebook.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/sandbox.hpp"

namespace conclab {

struct BatchOptions {
    std::filesystem::path submissions;     // one subdirectory per student
    std::filesystem::path out;             // gradebook.sqlite, gradebook.csv, <student>/results.json
    int jobs = 0;                          // 0: number of cores
    std::vector<std::string> exercises;    // empty: all
    bool regrade = false;                  // ignore what is already graded
    Tier tier = Tier::automatic;
};

// Returns 0 if every submission was graded (whatever its score), 2 if the
// grader itself failed on some (they are listed as `error`, and a re-run retries them).
int run_batch(const Course& course, const Toolchain& tc, const BatchOptions& opt);

}  // namespace conclab
