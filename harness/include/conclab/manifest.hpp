#pragma once
// The exercise manifest (exercises/<ex>/exercise.yaml), see docs/manifest.md.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace conclab {

// A broken manifest: names the file, the line (1-based, 0 if unknown) and the key.
class ManifestError : public std::runtime_error {
public:
    ManifestError(std::string file, int line, std::string key, const std::string& what);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    const std::string& key() const { return key_; }
private:
    std::string file_;
    int line_;
    std::string key_;
};

struct Limits {
    std::chrono::milliseconds wall{10'000};
    std::chrono::milliseconds cpu{20'000};
    std::uint64_t memory = 2ull << 30;     // bytes, whole process tree
    int processes = 64;                    // processes + threads
    std::uint64_t output = 1ull << 20;     // bytes kept per stream
    std::uint64_t file_size = 64ull << 20;
    int open_files = 256;
};

enum class Sanitizer { none, thread, address };
const char* to_string(Sanitizer s);

struct BuildSpec {
    std::string name;
    Sanitizer sanitizer = Sanitizer::thread;
    std::string optimize;                  // empty: engine default for the sanitizer
    std::vector<std::string> sources;      // relative to graders/<ex>/
    std::vector<std::string> link;         // extra link flags
    std::string main;                      // program build: exercises/<ex>/<main>; empty: GoogleTest
    bool hidden = false;                   // its sources stay out of the handout; its tests are hidden
    bool is_program() const { return !main.empty(); }
};

struct OutputMatcher {
    enum class Kind { exact, regex, full_regex, contains, lines, unordered, forbid };
    Kind kind;
    std::string text;                      // exact/regex/full_regex/contains/forbid
    std::vector<std::string> lines;        // lines/unordered
};

struct TestSpec {
    std::string name;
    double points = 0;
    std::string build;                     // empty for symbol scans
    std::string gtest;                     // --gtest_filter; default_gtest_filter(name) unless `gtest:` says
    std::vector<std::string> args;
    std::string stdin_data;
    std::optional<int> exit_code;          // expected exit code
    std::vector<OutputMatcher> stdout_matchers, stderr_matchers;
    std::vector<std::string> forbid_symbols;  // non-empty: a symbol scan, no run
    int repeat = 1;
    Limits limits;
    // The wall limit is set in the manifest (`timeout:` or `limits: {wall:}`):
    // calibration leaves it alone (docs/manifest.md, "Time limits").
    bool wall_pinned = false;
    std::string limit_rule;                // where limits.wall comes from, said in reports
    bool hidden = false;
    // Runs with no other test of its grading beside it (stress, timing
    // windows) when tests run concurrently (GradeOptions::test_jobs).
    bool exclusive = false;
    // Mostly waits (for a datagram, a timer, a window to pass) and needs
    // little CPU: runs beside other tests beyond the core count, but never
    // beside an exclusive one (docs/design.md, "Tests that wait").
    bool waits = false;
    std::string hint;
    bool is_symbol_scan() const { return !forbid_symbols.empty(); }
};

struct Exercise {
    std::string name;
    std::string title;
    double points = 0;
    std::vector<std::string> files;        // editable files
    std::vector<BuildSpec> builds;
    std::vector<TestSpec> tests;
    Limits limits;                         // exercise defaults
    // Calibrated wall limits: max(floor, factor x the reference's time)
    // (`calibration:` in the manifest; docs/manifest.md, "Time limits").
    double calibration_factor = 10;
    std::chrono::milliseconds calibration_floor{3000};
    std::filesystem::path manifest_path;

    const BuildSpec* find_build(const std::string& name) const;
};

// The rule that ties a manifest test to its GoogleTest test (docs/manifest.md):
// the test named `x` runs TEST(<any suite>, x), i.e. the filter "*.x".
std::string default_gtest_filter(const std::string& test_name);

// Parses one manifest; throws ManifestError.
Exercise load_exercise(const std::filesystem::path& manifest);
// Parses a size ("512MiB", "2GiB", "1000") or a duration ("10s", "500ms", "2m").
std::uint64_t parse_size(const std::string& text);
std::chrono::milliseconds parse_duration(const std::string& text);

}  // namespace conclab
