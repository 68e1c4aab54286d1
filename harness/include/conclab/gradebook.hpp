#pragma once
// The batch gradebook: DIR/gradebook.sqlite (WAL, one transaction per
// submission: a killed batch loses nothing already graded and never leaves a
// half-written submission) and its CSV export DIR/gradebook.csv.
//
// Tables: runs (one per `conclab batch` invocation: timestamps, grader
// version, state), submissions (one row per student: content hash, status
// graded|error, score, when, by which run), exercises, tests, findings.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conclab/result.hpp"

struct sqlite3;
struct crypto_hash_sha256_state;

namespace conclab {

// SHA-256 (libsodium), for submission content hashes.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    void update(std::string_view data);
    std::string hex();   // finishes; the object is spent afterwards
private:
    std::unique_ptr<crypto_hash_sha256_state> state_;
};
std::string sha256_hex(std::string_view data);

struct GradebookEntry {
    std::string student;
    std::string content_hash;
    std::string status;          // "graded" or "error"
    double score = 0, max_score = 0;
    std::string error;           // status == "error": what went wrong
    std::string graded_at;       // ISO 8601 UTC
    std::string grader_version;
    std::int64_t run = 0;
    std::string node;            // the machine that graded it (batch --backend slurm: the compute node)
};

struct GradebookSummary {
    struct Exercise {
        std::string name;
        double max_score = 0;
        std::size_t graded = 0;
        double mean = 0, median = 0;
        std::size_t full = 0;    // submissions with full marks
    };
    std::size_t submissions = 0, graded = 0, errors = 0;
    double mean_total = 0, median_total = 0, max_total = 0;
    std::vector<Exercise> exercises;
    std::vector<std::pair<std::string, std::size_t>> most_failed;   // "ex/test" -> submissions not passing it
    std::vector<std::pair<std::string, std::string>> limits;        // student -> "ex/test: timeout" (timeouts and crashes)
    std::vector<std::pair<std::string, std::string>> errors_by_student;   // student -> error / grader errors
    std::vector<std::pair<std::string, std::string>> flagged;       // student -> "ex/test: evidence" (tampered)
};

class Gradebook {
public:
    // Opens (creating if needed) DIR/gradebook.sqlite. Throws std::runtime_error.
    explicit Gradebook(const std::filesystem::path& dir);
    ~Gradebook();
    Gradebook(const Gradebook&) = delete;
    Gradebook& operator=(const Gradebook&) = delete;

    static std::filesystem::path database_path(const std::filesystem::path& dir) { return dir / "gradebook.sqlite"; }
    static std::filesystem::path csv_path(const std::filesystem::path& dir) { return dir / "gradebook.csv"; }

    // A run is one invocation of `conclab batch`.
    std::int64_t begin_run(const std::string& grader_version, const std::string& command = {});
    // state: "finished", "interrupted", "failed"
    void end_run(std::int64_t run, const std::string& state);

    // Resume: is this student graded (not `error`) with this content hash?
    bool is_graded(const std::string& student, const std::string& content_hash) const;
    std::optional<GradebookEntry> entry(const std::string& student) const;
    std::vector<GradebookEntry> entries() const;   // sorted by student id

    // Replaces everything stored for `student` with `result`, in one transaction.
    // A result with a test in `error` (the grader's fault) is stored with status
    // "error", so that is_graded() is false and a re-run grades it again.
    void record(std::int64_t run, const std::string& student, const std::string& content_hash,
                const SubmissionResult& result, const std::string& node = {});
    // The grader failed on this submission (a re-run retries it).
    void record_error(std::int64_t run, const std::string& student, const std::string& content_hash,
                      const std::string& message, const std::string& grader_version = {},
                      const std::string& node = {});

    // One row per student sorted by id: student, one column per exercise (in
    // `exercise_order` first, then any others), total, max_score, status,
    // flagged (the tampered tests, space-separated; empty when none).
    // Written atomically (tmp + rename).
    void export_csv(const std::filesystem::path& file, const std::vector<std::string>& exercise_order = {}) const;
    std::string csv(const std::vector<std::string>& exercise_order = {}) const;

    GradebookSummary summary(std::size_t top_failed = 10) const;

private:
    void exec(const char* sql) const;
    sqlite3* db_ = nullptr;
    mutable std::mutex mu_;
};

// RFC 4180 field quoting.
std::string csv_field(std::string_view s);

}  // namespace conclab
