#pragma once
// A per-run control group: the part of tier (a) that bounds a whole process
// tree (memory incl. swap, process count), kills it without leaving anything
// behind and tells afterwards whether a limit was hit (docs/notes.md, "Sandboxing").
//
// Works on cgroup v1 (the "hybrid" layout: one mount per controller plus a
// controller-less cgroup2 at .../unified) and on a pure cgroup v2 mount. One
// RunCgroup is one run: created before the launch, joined by the launcher
// child between fork and exec (so every descendant is born inside), removed
// by the destructor. Thread-safe in the sense that concurrent runs use
// distinct directories; one object is used by one thread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace conclab {

// Where the cgroup hierarchies are mounted and where this process's runs go.
struct CgroupLayout {
    bool v2 = false;                       // pure cgroup v2 (one mount, controllers in it)
    std::filesystem::path memory, pids;    // v1: parent dirs for run cgroups; v2: both = the parent
    std::filesystem::path freezer;         // v1 only, optional (empty): kill fallback
    std::filesystem::path unified;         // v2 dir (hybrid: controller-less) for cgroup.kill and cpu.stat; optional
    bool memsw = false;                    // v1 swap accounting (memory.memsw.*) exists
    // Empty optional: this machine offers no usable memory+pids cgroups to
    // this process (not root, read-only mount, v2 without delegation...).
    // `why` says what was missing.
    static std::optional<CgroupLayout> detect(std::string* why = nullptr);
};

class RunCgroup {
public:
    struct Limits {
        std::uint64_t memory = 0;   // bytes incl. swap; 0 = unlimited
        int pids = 0;               // tasks (processes + threads); 0 = unlimited
    };
    // Creates the directories and writes the limits; throws std::runtime_error.
    RunCgroup(const CgroupLayout& layout, const Limits& limits);
    ~RunCgroup();                   // kill() + remove the directories (best effort)
    RunCgroup(const RunCgroup&) = delete;
    RunCgroup& operator=(const RunCgroup&) = delete;

    // `cgroup.procs` files to open (O_WRONLY|O_CLOEXEC) in the parent; the
    // launcher child writes "0" to each before exec, i.e. joins itself.
    std::vector<std::filesystem::path> procs_files() const;

    // SIGKILLs every task in the group (cgroup.kill, else freezer, else a
    // loop over cgroup.procs) and waits up to `wait` for it to be empty.
    // Returns true when empty.
    bool kill(std::chrono::milliseconds wait = std::chrono::milliseconds(2000));
    bool empty() const;

    // Counters read after (or during) the run.
    std::uint64_t oom_kills() const;             // memory OOM kills in this group
    std::uint64_t pids_max_hits() const;         // fork/clone refused at pids.max
    std::optional<std::uint64_t> cpu_usec() const;  // CPU used by the group; nullopt: no cpu.stat
    // Anonymous memory charged to the group now (memory.stat: v2 "anon", v1
    // "total_rss"). Page cache is left out: reading files fills it and the
    // kernel reclaims it, so it says nothing about what the program holds.
    std::optional<std::uint64_t> anon_bytes() const;
    std::string name() const { return name_; }

private:
    CgroupLayout layout_;
    std::string name_;
    std::vector<std::filesystem::path> dirs_;   // every directory created, for cleanup
    std::filesystem::path memory_dir_, pids_dir_, freezer_dir_, unified_dir_;
};

// Removes run cgroups left behind by dead conclab processes (name
// conclab-<pid>-<n> with <pid> gone). Cheap; called when a runner is made.
void sweep_stale_cgroups(const CgroupLayout& layout);

}  // namespace conclab
