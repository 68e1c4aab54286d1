#pragma once
// Running one program under limits. The sandbox (sandbox.hpp) implements Runner;
// everything above it only sees RunSpec -> RunResult.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conclab/manifest.hpp"

namespace conclab {

struct RunSpec {
    std::vector<std::string> argv;                  // argv[0] is an absolute path
    std::filesystem::path workdir;                  // writable; cwd of the program
    std::vector<std::filesystem::path> readable;    // extra read-only paths (e.g. the bin dir)
    std::map<std::string, std::string> env;         // the whole environment (plus PATH)
    std::string stdin_data;
    Limits limits;
    // The authenticated result channel (docs/security.md). When non-empty, the
    // program starts with kKeyFd open for reading (these bytes, then EOF) and
    // kResultFd open for writing; what it writes there comes back in
    // RunResult::channel. Both are pipes, never paths: nothing in argv, the
    // environment or the file system names them.
    std::string channel_key;
};

constexpr int kResultFd = 5;   // program side: result records (write end)
constexpr int kKeyFd = 6;      // program side: the run's key (read end)
constexpr std::uint64_t kChannelLimit = 4u << 20;   // bytes of records kept

struct Captured {
    std::string text;        // head and tail, at most the limit
    std::uint64_t total = 0; // bytes the program wrote
    std::size_t cut_at = 0;  // when truncated(): the dropped bytes were between text[cut_at-1] and text[cut_at]
    bool truncated() const { return total > text.size(); }
    std::uint64_t cut() const { return total - text.size(); }   // bytes dropped
    // text with a "[... N bytes cut ...]" line where bytes were dropped, for people
    std::string display() const {
        if (!truncated()) return text;
        return text.substr(0, cut_at) + "\n[... " + std::to_string(cut()) + " bytes cut ...]\n" +
               text.substr(cut_at);
    }
};

struct RunResult {
    bool started = false;        // false: the sandbox could not start the program (grader error)
    std::string start_error;
    std::optional<int> exit_code;
    std::optional<int> signal;
    bool timed_out = false;      // wall limit
    bool cpu_exceeded = false;   // CPU limit
    bool out_of_memory = false;
    // Anonymous memory the run held when a limit stopped it (0: not stopped,
    // or not known). A program filling memory can reach the wall limit before
    // the kernel's OOM kill, the reclaim near the limit being slow on a busy
    // machine: this fact lets the judge tell that apart from a hang.
    std::uint64_t memory_when_stopped = 0;
    // How fast that memory grew over about the last second before the stop
    // (bytes per second; 0: not growing, or not known). On a busy 2-core
    // machine a TSan program filling memory grew only ~200 MiB/s and held a
    // quarter of its limit at the wall limit (docs/notes.md "Out of memory,
    // slowly"): the growth, not the level, shows it was filling memory.
    std::uint64_t memory_growth_per_s = 0;
    bool output_limited = false;
    bool process_limited = false; // best effort: pids.max was reached
    Captured out, err;
    Captured channel;            // what arrived on kResultFd (spec.channel_key set)
    std::chrono::milliseconds wall{0};
};

class Runner {
public:
    virtual ~Runner() = default;
    virtual RunResult run(const RunSpec& spec) = 0;
    virtual std::string tier() const = 0;           // human-readable isolation tier
    virtual bool isolated() const = 0;
};

}  // namespace conclab
