// Tier selection and what each tier asks the launch engine (run.cpp) to do:
// the bubblewrap command line, the cgroup, the rlimits, the uid.
#include "conclab/sandbox.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conclab/cgroup.hpp"
#include "run_internal.hpp"

namespace fs = std::filesystem;

namespace conclab {

Tier parse_tier(const std::string& name) {
    if (name == "auto" || name == "automatic") return Tier::automatic;
    if (name == "cgroup" || name == "cgroup_bwrap" || name == "cgroup+bwrap") return Tier::cgroup_bwrap;
    if (name == "bwrap") return Tier::bwrap;
    if (name == "bare") return Tier::bare;
    throw std::invalid_argument("unknown sandbox tier '" + name + "' (auto, cgroup, bwrap, bare)");
}

const char* to_string(Tier tier) {
    switch (tier) {
    case Tier::automatic: return "auto";
    case Tier::cgroup_bwrap: return "cgroup";
    case Tier::bwrap: return "bwrap";
    case Tier::bare: return "bare";
    }
    return "?";
}

bool aslr_needs_disabling() {
    std::ifstream in("/proc/sys/vm/mmap_rnd_bits");
    int bits = 0;
    return (in >> bits) && bits > 28;
}

namespace {

constexpr unsigned kNobody = 65534;
// Tasks of bubblewrap itself inside the run's pids budget: the outer monitor,
// the namespace's init, one spare for --disable-userns' extra step.
constexpr int kBwrapTasks = 3;

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');) {
        if (d.empty()) continue;
        std::string p = d + "/" + name;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

// RLIMIT_NPROC counts tasks per real uid: the budget of a bare run is what
// the uid already has plus the test's limit.
int tasks_of_uid(uid_t uid) {
    int total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string n = e.path().filename().string();
        if (n.empty() || n[0] < '1' || n[0] > '9') continue;
        // cheap filter first: /proc/<pid> belongs to the process's (e)uid
        struct stat st;
        if (::stat(e.path().c_str(), &st) != 0 || st.st_uid != uid) continue;
        std::ifstream in(e.path() / "status");
        std::string line;
        bool mine = false;
        while (std::getline(in, line)) {
            if (line.rfind("Uid:", 0) == 0) {
                std::istringstream ls(line.substr(4));
                unsigned real = 0;
                ls >> real;
                mine = real == uid;
                if (!mine) break;
            } else if (mine && line.rfind("Threads:", 0) == 0) {
                total += std::atoi(line.c_str() + 8);
                break;
            }
        }
    }
    return total;
}

// Tiers b and c as root run the program as host uid 65534: its workdir
// must be writable by it.
void chown_tree(const fs::path& dir, unsigned uid, unsigned gid) {
    auto own = [&](const fs::path& p) {
        struct stat st;
        if (::lstat(p.c_str(), &st) == 0 && (st.st_uid != uid || st.st_gid != gid)) ::lchown(p.c_str(), uid, gid);
    };
    own(dir);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        own(it->path());
}

std::vector<detail::RLimit> common_rlimits(const Limits& lim) {
    // Never RLIMIT_AS / RLIMIT_DATA: any finite value kills TSan at start.
    std::vector<detail::RLimit> rl;
    rl.push_back({RLIMIT_CORE, 0, 0});
    if (lim.file_size) rl.push_back({RLIMIT_FSIZE, lim.file_size, lim.file_size});
    if (lim.open_files > 0) {
        auto n = static_cast<std::uint64_t>(lim.open_files);
        rl.push_back({RLIMIT_NOFILE, n, n});
    }
    rl.push_back({RLIMIT_STACK, 8ull << 20, 8ull << 20});  // the usual default, for every grading
    if (lim.cpu.count() > 0) {
        // SIGXCPU at the soft limit, SIGKILL a second later; the tree-wide
        // limit is enforced by sampling, this bounds each process.
        std::uint64_t s = static_cast<std::uint64_t>((lim.cpu.count() + 999) / 1000);
        rl.push_back({RLIMIT_CPU, s, s + 1});
    }
    return rl;
}

// Unprivileged, a hard limit can only be lowered: never ask for more than
// this process has, or the launch would fail with EPERM.
void clamp_to_hard_limits(std::vector<detail::RLimit>& rl) {
    if (::geteuid() == 0) return;
    for (auto& l : rl) {
        struct rlimit cur;
        if (::getrlimit(static_cast<__rlimit_resource>(l.resource), &cur) == 0 && cur.rlim_max != RLIM_INFINITY) {
            l.hard = std::min<std::uint64_t>(l.hard, cur.rlim_max);
            l.soft = std::min(l.soft, l.hard);
        }
    }
}

std::vector<std::string> env_list(const RunSpec& spec) {
    std::vector<std::string> env;
    bool has_path = false;
    for (const auto& [k, v] : spec.env) {
        env.push_back(k + "=" + v);
        has_path |= k == "PATH";
    }
    if (!has_path) env.push_back("PATH=/usr/bin:/bin");
    return env;
}

class SandboxRunner final : public Runner {
public:
    SandboxRunner(Tier tier, std::optional<CgroupLayout> layout, std::string bwrap, std::string prlimit, bool no_aslr)
        : tier_(tier), layout_(std::move(layout)), bwrap_(std::move(bwrap)), prlimit_(std::move(prlimit)),
          no_aslr_(no_aslr), root_(::geteuid() == 0) {}

    std::string tier() const override {
        std::string s;
        switch (tier_) {
        case Tier::cgroup_bwrap:
            s = std::string("cgroup+bwrap: bubblewrap (user/pid/net/mount/ipc/uts namespaces, uid 65534, no "
                            "capabilities) in a per-run cgroup ") +
                (layout_ && layout_->v2 ? "v2" : "v1") + " (memory incl. swap, pids)";
            break;
        case Tier::bwrap:
            s = "bwrap: bubblewrap (user/pid/net/mount/ipc/uts namespaces, uid 65534), rlimits, memory polling; no "
                "cgroup";
            break;
        default:
            s = "bare: NOT ISOLATED: fork + setsid + rlimits + wall timer + process-tree kill; the program sees "
                "this machine's files and network";
        }
        if (no_aslr_) s += "; ASLR off (vm.mmap_rnd_bits > 28)";
        return s;
    }
    bool isolated() const override { return tier_ != Tier::bare; }

    RunResult run(const RunSpec& spec) override {
        RunResult bad;
        if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
            bad.start_error = "argv[0] must be an absolute path";
            return bad;
        }
        std::error_code ec;
        if (!spec.workdir.is_absolute() || !fs::is_directory(spec.workdir, ec)) {
            bad.start_error = "workdir must be an existing absolute directory: " + spec.workdir.string();
            return bad;
        }
        const Limits& lim = spec.limits;
        detail::Launch L;
        L.no_aslr = no_aslr_;
        L.rlimits = common_rlimits(lim);
        std::unique_ptr<RunCgroup> cg;

        if (tier_ == Tier::bare) {
            L.supervised = true;
            L.argv = spec.argv;
            L.env = env_list(spec);
            if (!spec.env.count("PWD")) L.env.push_back("PWD=" + spec.workdir.string());  // as bwrap --chdir does
            L.chdir = spec.workdir;
            L.no_new_privs = true;  // no setuid programs
            L.poll_memory = true;
            uid_t uid = ::getuid();
            if (root_) {
                L.drop_privileges = true;
                L.uid = L.gid = kNobody;
                uid = kNobody;
                chown_tree(spec.workdir, kNobody, kNobody);
            }
            if (lim.processes > 0) {
                auto n = static_cast<std::uint64_t>(lim.processes + tasks_of_uid(uid));
                L.rlimits.push_back({RLIMIT_NPROC, n, n});
            }
            clamp_to_hard_limits(L.rlimits);
            return detail::execute(L, spec);
        }

        int nproc = 0;
        if (tier_ == Tier::cgroup_bwrap) {
            try {
                RunCgroup::Limits cl;
                cl.memory = lim.memory;
                cl.pids = lim.processes > 0 ? lim.processes + kBwrapTasks : 0;
                cg = std::make_unique<RunCgroup>(*layout_, cl);
            } catch (const std::exception& e) {
                bad.start_error = e.what();
                return bad;
            }
            L.cgroup = cg.get();
        } else {
            // No cgroup: processes via RLIMIT_NPROC, which a user namespace
            // counts per namespace, so it is set inside (prlimit(1)) once the
            // namespace exists; set on bwrap it would also cap the namespace
            // creator's own (host-wide) count. Root maps to host uid 0, which
            // RLIMIT_NPROC never limits: run as 65534 instead.
            L.poll_memory = true;
            if (root_) {
                L.drop_privileges = true;
                L.uid = L.gid = kNobody;
                chown_tree(spec.workdir, kNobody, kNobody);
            }
            if (lim.processes > 0 && !prlimit_.empty()) nproc = lim.processes + 1;  // + the namespace's init
        }
        clamp_to_hard_limits(L.rlimits);
        L.argv = bwrap_argv(spec, nproc);
        L.env = {"PATH=/usr/bin:/bin"};  // bwrap's own; the program's goes through --setenv
        L.bwrap_status = true;
        return detail::execute(L, spec);
    }

private:
    std::vector<std::string> bwrap_argv(const RunSpec& spec, int nproc) const {
        std::vector<std::string> a = {bwrap_,
                                      "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                                      "--unshare-uts", "--unshare-cgroup-try",
                                      "--uid", std::to_string(kNobody), "--gid", std::to_string(kNobody),
                                      "--hostname", "conclab",
                                      "--cap-drop", "ALL", "--die-with-parent", "--new-session",
                                      "--disable-userns"};
        auto mirror = [&](const std::string& p) {
            struct stat st;
            if (::lstat(p.c_str(), &st) != 0) return;
            if (S_ISLNK(st.st_mode)) {
                std::error_code ec;
                auto target = fs::read_symlink(p, ec);
                if (!ec) a.insert(a.end(), {"--symlink", target.string(), p});
            } else {
                a.insert(a.end(), {"--ro-bind", p, p});
            }
        };
        // The system, read-only: enough to run what the course compiles.
        mirror("/usr");
        for (const char* d : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) mirror(d);
        // A minimal /etc: the dynamic loader's cache, users, name resolution of
        // localhost, time zone. Not shadow, not ssh keys, not the TA's configs.
        a.insert(a.end(), {"--dir", "/etc"});
        for (const char* f : {"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd",
                              "/etc/group", "/etc/hosts", "/etc/host.conf", "/etc/nsswitch.conf", "/etc/gai.conf",
                              "/etc/protocols", "/etc/services", "/etc/localtime", "/etc/timezone",
                              "/etc/alternatives", "/etc/os-release"})
            mirror(f);
        const std::uint64_t tmp_size = spec.limits.memory ? spec.limits.memory : (256ull << 20);
        // private /tmp and /dev/shm, sized: without a cgroup nothing else would
        // bound what they hold (with one, they are charged to it)
        a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--size", std::to_string(tmp_size), "--tmpfs",
                           "/dev/shm", "--size", std::to_string(tmp_size), "--tmpfs", "/tmp"});
        // Readable paths and the workdir at their host paths; parents before
        // children so a nested bind is not hidden by its parent's.
        std::map<std::string, bool> binds;  // path -> writable (sorted)
        for (const auto& p : spec.readable) binds.emplace(p.lexically_normal().string(), false);
        std::string work = spec.workdir.lexically_normal().string();
        while (work.size() > 1 && work.back() == '/') work.pop_back();
        binds[work] = true;
        for (const auto& [p, rw] : binds) a.insert(a.end(), {rw ? "--bind" : "--ro-bind", p, p});
        // the root itself (a tmpfs holding the mount points, e.g. /work for a
        // workdir under it) read-only: writable are only the workdir, /tmp, /dev/shm
        a.insert(a.end(), {"--remount-ro", "/", "--chdir", work, "--clearenv"});
        for (const auto& kv : env_list(spec)) {
            auto eq = kv.find('=');
            a.insert(a.end(), {"--setenv", kv.substr(0, eq), kv.substr(eq + 1)});
        }
        a.insert(a.end(), {"--json-status-fd", "3", "--"});
        if (nproc > 0) a.insert(a.end(), {prlimit_, "--nproc=" + std::to_string(nproc), "--"});
        a.insert(a.end(), spec.argv.begin(), spec.argv.end());
        return a;
    }

    Tier tier_;
    std::optional<CgroupLayout> layout_;
    std::string bwrap_, prlimit_;
    bool no_aslr_;
    bool root_;
};

// A trivial run in the tier: does it start, exit 0?
bool probe(Runner& runner, std::string* why) {
    char tmpl[] = "/tmp/conclab-probe-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        if (why) *why = "mkdtemp failed";
        return false;
    }
    ::chmod(tmpl, 0755);
    RunSpec spec;
    spec.argv = {fs::exists("/usr/bin/true") ? "/usr/bin/true" : "/bin/true"};
    spec.workdir = tmpl;
    spec.limits.wall = std::chrono::milliseconds(10'000);
    RunResult r = runner.run(spec);
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    if (r.started && r.exit_code == 0) return true;
    if (why) *why = r.started ? "probe exited with " + (r.exit_code ? std::to_string(*r.exit_code) : "a signal")
                              : r.start_error;
    return false;
}

// Builds the tier's runner if this machine can run it (probe included).
std::unique_ptr<Runner> try_tier(Tier tier, const SandboxOptions& opt, std::string* why) {
    bool no_aslr = opt.disable_aslr.value_or(aslr_needs_disabling());
    if (tier == Tier::bare) return std::make_unique<SandboxRunner>(tier, std::nullopt, "", "", no_aslr);
    std::string bwrap = find_program(opt.bwrap);
    if (bwrap.empty()) {
        if (why) *why = "bubblewrap (" + opt.bwrap + ") not found";
        return nullptr;
    }
    std::optional<CgroupLayout> layout;
    if (tier == Tier::cgroup_bwrap) {
        layout = CgroupLayout::detect(why);
        if (!layout) return nullptr;
        sweep_stale_cgroups(*layout);
    }
    std::string prlimit = find_program("prlimit");
    auto runner = std::make_unique<SandboxRunner>(tier, layout, bwrap, prlimit, no_aslr);
    if (!probe(*runner, why)) return nullptr;
    return runner;
}

void ignore_sigpipe() {
    // A program that exits before reading its stdin must not kill the grader.
    struct sigaction old;
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace

std::vector<Tier> available_tiers(const SandboxOptions& options) {
    std::vector<Tier> out;
    for (Tier t : {Tier::cgroup_bwrap, Tier::bwrap})
        if (try_tier(t, options, nullptr)) out.push_back(t);
    out.push_back(Tier::bare);
    return out;
}

std::unique_ptr<Runner> make_runner(Tier tier) { return make_runner(tier, SandboxOptions{}); }

std::unique_ptr<Runner> make_runner(Tier tier, const SandboxOptions& options) {
    ignore_sigpipe();
    std::unique_ptr<Runner> runner;
    std::string why;
    if (tier == Tier::automatic) {
        std::string notes;
        for (Tier t : {Tier::cgroup_bwrap, Tier::bwrap}) {
            std::string w;
            if ((runner = try_tier(t, options, &w))) break;
            notes += std::string(notes.empty() ? "" : "; ") + to_string(t) + ": " + w;
        }
        if (!runner) {
            runner = try_tier(Tier::bare, options, nullptr);
            why = notes;
        }
    } else {
        runner = try_tier(tier, options, &why);
        if (!runner)
            throw std::runtime_error(std::string("sandbox tier '") + to_string(tier) + "' is not available: " + why);
    }
    if (options.announce) {
        std::fprintf(stderr, "conclab: sandbox: %s\n", runner->tier().c_str());
        if (!runner->isolated())
            std::fprintf(stderr,
                         "conclab: WARNING: this run is not isolated: student code can read and write what this "
                         "user can and reach the network%s%s\n",
                         why.empty() ? "" : " (", why.empty() ? "" : (why + ")").c_str());
    }
    return runner;
}

}  // namespace conclab
