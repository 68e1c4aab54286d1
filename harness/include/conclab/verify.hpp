#pragma once
// Proving graders (docs/corpus.md): the reference earns everything, a
// known-wrong submission loses points in the tests its expect.yaml names, a
// hostile one is contained.
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "conclab/build.hpp"
#include "conclab/course.hpp"
#include "conclab/run.hpp"

namespace conclab {

struct VerifyOptions {
    std::filesystem::path dir;     // flat submission (+ expect.yaml unless `expect` is set)
    std::string exercise;          // default: expect.yaml's `exercise`
    std::string expect;            // "full", "loss", or "" = read expect.yaml
    int runs = 1;                  // grade N times; all must agree
    int test_jobs = 0;             // GradeOptions::test_jobs for gradings 2..N (grading 1: one test at a time)
    bool keep_scratch = false;
};

// Prints the report(s) and the problems found to `out`; returns the problems.
std::vector<std::string> verify_case(const Course& course, Runner& runner, const Toolchain& tc,
                                     const VerifyOptions& opt, std::ostream& out);

}  // namespace conclab
