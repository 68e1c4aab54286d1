#pragma once
// The launch engine (run.cpp and its steps) as the tiers (sandbox.cpp) call
// it: not part of the sandbox's public API (sandbox.hpp), which is Runner,
// the tiers and make_runner().
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "conclab/run.hpp"

namespace conclab {

class RunCgroup;

namespace detail {

// Output of one stream, up to `limit` bytes: the first half and the last
// half are kept, the middle is counted and dropped; memory stays <= limit.
class CaptureBuffer {
public:
    explicit CaptureBuffer(std::uint64_t limit);
    void append(const char* data, std::size_t size);
    Captured finish() const;
    std::uint64_t total() const { return total_; }
private:
    std::uint64_t head_cap_, tail_cap_;
    std::string head_, tail_;          // tail_ is a ring once full
    std::size_t tail_pos_ = 0;         // next write position in the ring
    bool tail_full_ = false;
    std::uint64_t total_ = 0;
};

struct RLimit {
    int resource;
    std::uint64_t soft, hard;
};

// One launch, as the tiers (sandbox.cpp) describe it to the engine (run.cpp).
struct Launch {
    bool supervised = false;             // bare: a per-run supervisor process runs argv
    std::vector<std::string> argv;       // exec'd as is; argv[0] is an absolute path
    std::vector<std::string> env;        // "NAME=value": the whole environment of argv[0]
    std::filesystem::path chdir;         // empty: inherit
    bool bwrap_status = false;           // argv is bwrap: fd 3 = its --json-status-fd
    RunCgroup* cgroup = nullptr;         // joined before exec; limits, kill and counters
    bool drop_privileges = false;        // setgroups({}), setgid, setuid before exec
    unsigned uid = 65534, gid = 65534;
    bool no_aslr = false;
    bool no_new_privs = false;
    std::vector<RLimit> rlimits;         // applied before exec (inherited by the tree)
    bool poll_memory = false;            // no cgroup: kill when the tree's RSS > limits.memory
};

// Runs it under spec.limits: feeds stdin, captures stdout/stderr, enforces
// wall/CPU (and memory when poll_memory), kills and reaps the whole tree.
// launch (run_launch.cpp), then pump (run_pump.cpp), then decode (run_decode.cpp).
RunResult execute(const Launch& launch, const RunSpec& spec);

}  // namespace detail
}  // namespace conclab
