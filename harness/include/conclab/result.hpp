#pragma once
// The result model every report format is written from.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

// tampered: the submission tried to forge, hide or steer the grader's evidence
// (docs/security.md); it scores 0 and carries the evidence for a TA.
enum class Status { passed, failed, timeout, crashed, tampered, error };
const char* to_string(Status s);                 // "passed", ..., the names in results.json
Status parse_status(std::string_view name);      // throws std::invalid_argument

// A few lines of the student's source around a place a report names
// (harness/include/conclab/snippet.hpp fills `lines`; docs/reports.md).
struct Snippet {
    std::string file;        // course-relative student file, e.g. exercises/counter/counter.cpp
    int line = 0;            // 1-based, the marked line
    int column = 0;          // 1-based; 0 when the report gave none (no caret then)
    std::string label;       // "write by thread T1", ... ("" for the place itself)
    int first_line = 0;      // number of lines.front(); 0 when the source could not be read
    std::vector<std::string> lines;   // cleaned: control characters visible, each bounded
};

// One sanitizer report (or other analysed problem) located in the student's code.
struct Finding {
    std::string kind;        // "data race", "heap-use-after-free", "memory leak", ...
    std::string file;        // course-relative, e.g. exercises/counter/counter.cpp ("" if unknown)
    int line = 0;
    std::string message;     // a few lines for the student
    std::vector<Snippet> snippets;   // where: one per place (a race: its two accesses)
};

struct TestResult {
    std::string name;
    Status status = Status::error;
    double score = 0;
    double max_score = 0;
    std::string message;     // what failed, for a student
    std::string hint;        // what to read next (from the manifest)
    std::string output;      // relevant captured output (may be cut)
    std::vector<Finding> findings;
    std::vector<Snippet> snippets;   // places in the student's files the message names
    std::string evidence;    // status tampered: what the submission did, for a TA to review
    bool hidden = false;
    std::uint64_t seed = 0;
    double seconds = 0;
    double limit_seconds = 0;   // the wall limit of one run
    std::string limit;          // where it comes from (calibration.hpp): "10 × the reference's 0.31 s"
};

struct ExerciseResult {
    std::string name;
    double score = 0;
    double max_score = 0;
    std::string message;     // "not submitted", compiler errors, tamper findings, ...
    std::vector<Snippet> snippets;   // places in the student's files the message names (compiler errors)
    std::vector<TestResult> tests;
};

struct SubmissionResult {
    std::string submission;
    double score = 0;
    double max_score = 0;
    std::vector<ExerciseResult> exercises;
    std::string sandbox;     // the isolation tier used
    std::string grader_version;
};

}  // namespace conclab
