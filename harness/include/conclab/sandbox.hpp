#pragma once
// Isolation tiers (docs/notes.md, "Sandboxing"): (a) root: cgroup + bubblewrap; (b) user namespaces:
// bubblewrap + rlimits; (c) neither: fork + setsid + rlimits + kill, not isolated.
//
// make_runner() picks (or checks) a tier once; Runner::run() may then be
// called from several threads at once (batch --jobs N): every run has its own
// pipes, cgroup and supervisor, and no process-wide state is touched after
// make_runner() except an atomic counter.
//
// What each tier guarantees (docs/README material):
//   cgroup_bwrap  root. A per-run cgroup bounds memory (swap included) and
//                 tasks (pids.max) of the whole tree and kills it atomically;
//                 bubblewrap gives new user/pid/net/mount/ipc/uts namespaces,
//                 uid 65534 with no capabilities, --die-with-parent. Visible:
//                 /usr, /bin, /lib*, a minimal /etc, /proc, /dev, a private
//                 /tmp, RunSpec::readable (read-only) and the workdir (the only
//                 writable host path), all at their host paths. Network: a
//                 fresh namespace with only its own loopback.
//   bwrap         user namespaces without cgroups (unprivileged, or root with
//                 no usable cgroup). Same filesystem and network isolation;
//                 processes bounded by RLIMIT_NPROC, counted per user
//                 namespace (set inside via prlimit(1)); memory by polling the
//                 tree's RSS; when root, runs as host uid 65534.
//   bare          no isolation at all ("this run is not isolated"): fork +
//                 setsid + rlimits + wall timer; a per-run supervisor (child
//                 subreaper) kills the process group and sweeps /proc for every
//                 descendant; memory by polling; when root, runs as uid 65534.
// Every tier: wall and CPU limits on the whole tree (CPU also RLIMIT_CPU per
// process), output capped per stream keeping head and tail, RLIMIT_FSIZE,
// RLIMIT_NOFILE, RLIMIT_CORE=0, RLIMIT_STACK; never RLIMIT_AS/RLIMIT_DATA
// (they kill TSan); ASLR off when vm.mmap_rnd_bits > 28 (TSan).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conclab/run.hpp"

namespace conclab {

enum class Tier { automatic, cgroup_bwrap, bwrap, bare };
Tier parse_tier(const std::string& name);   // "auto", "cgroup", "bwrap", "bare"
const char* to_string(Tier tier);           // the names parse_tier takes

struct SandboxOptions {
    bool announce = true;                // print the chosen tier (and the not-isolated warning) to stderr
    std::optional<bool> disable_aslr;    // default: when vm.mmap_rnd_bits > 28
    std::string bwrap = "bwrap";         // bubblewrap, a name looked up in PATH or a path
};

// Picks the strongest tier the machine allows (or the one asked for; throws
// std::runtime_error if it is not available). Probes a tier by running
// /usr/bin/true in it (a few ms). Ignores SIGPIPE in this process (children
// get the default disposition back).
std::unique_ptr<Runner> make_runner(Tier tier = Tier::automatic);
std::unique_ptr<Runner> make_runner(Tier tier, const SandboxOptions& options);

// The tiers that work here, strongest first (bare is always last).
std::vector<Tier> available_tiers(const SandboxOptions& options = {});

// vm.mmap_rnd_bits > 28: TSan needs ASLR off (what `setarch -R` does).
bool aslr_needs_disabling();

}  // namespace conclab
