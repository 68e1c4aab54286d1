// Per-run control groups (see cgroup.hpp). Everything here runs in the grader
// process, never in a forked child: the child only writes "0" to fds that
// procs_files() names and the parent opened.
#include "conclab/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace conclab {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Small files of /sys/fs/cgroup: read and written with plain syscalls so
// that a failure has its errno (EBUSY, EACCES...) and nothing is buffered.
bool write_file(const fs::path& file, const std::string& text, int* err = nullptr) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err) *err = errno;
        return false;
    }
    ssize_t n = ::write(fd, text.data(), text.size());
    int e = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) {
        if (err) *err = n < 0 ? e : EIO;
        return false;
    }
    return true;
}

void write_or_throw(const fs::path& file, const std::string& text) {
    int err = 0;
    if (!write_file(file, text, &err))
        throw std::runtime_error("cgroup: cannot write '" + text + "' to " + file.string() + ": " +
                                 errno_text(err));
}

std::optional<std::string> read_file(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// "key value" lines (memory.events, memory.stat, pids.events, cpu.stat, memory.oom_control).
std::optional<std::uint64_t> value_of(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string k;
    std::uint64_t v;
    while (in >> k >> v)
        if (k == key) return v;
    return std::nullopt;
}

std::optional<std::uint64_t> keyed_value(const fs::path& file, const std::string& key) {
    auto text = read_file(file);
    if (!text) return std::nullopt;
    return value_of(*text, key);
}

std::vector<pid_t> read_pids(const fs::path& procs) {
    std::vector<pid_t> pids;
    auto text = read_file(procs);
    if (!text) return pids;
    std::istringstream in(*text);
    long p;
    while (in >> p) pids.push_back(static_cast<pid_t>(p));
    return pids;
}

bool writable_dir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir, ec) && ::access(dir.c_str(), W_OK) == 0;
}

struct Mount {
    std::string root, point, fstype, super_opts;
};

std::vector<Mount> cgroup_mounts() {
    // mountinfo: id parent maj:min root point opts [optional...] - fstype source superopts
    std::vector<Mount> out;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string id, parent, dev, root, point, opts, tok;
        ls >> id >> parent >> dev >> root >> point >> opts;
        while (ls >> tok && tok != "-") {}
        Mount m;
        m.root = root;
        m.point = point;
        ls >> m.fstype >> tok >> m.super_opts;
        if (m.fstype == "cgroup" || m.fstype == "cgroup2") out.push_back(m);
    }
    return out;
}

bool has_option(const std::string& opts, const std::string& name) {
    std::istringstream in(opts);
    std::string o;
    while (std::getline(in, o, ','))
        if (o == name) return true;
    return false;
}

// This process's cgroup in a hierarchy, as a directory under the mount point
// (our runs nest under it, so whatever limits the grader lives under still
// apply to them). "" = not listed.
fs::path own_dir(const Mount& m, const std::string& key /* "memory" or "" for v2 */) {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        bool match = key.empty() ? ctrls.empty() : has_option(ctrls, key);
        if (!match) continue;
        // Strip the mount's root (a container may mount a sub-tree).
        if (m.root != "/" && path.rfind(m.root, 0) == 0) path = path.substr(m.root.size());
        fs::path dir = fs::path(m.point) / fs::path(path).relative_path();
        std::error_code ec;
        if (fs::is_directory(dir, ec)) return dir;
        return fs::path(m.point);
    }
    return {};
}

std::atomic<unsigned> g_counter{0};

}  // namespace

std::optional<CgroupLayout> CgroupLayout::detect(std::string* why) {
    auto fail = [&](const std::string& w) -> std::optional<CgroupLayout> {
        if (why) *why = w;
        return std::nullopt;
    };
    if (::geteuid() != 0) return fail("not root");
    CgroupLayout L;
    const Mount *mem = nullptr, *pids = nullptr, *frz = nullptr, *v2 = nullptr;
    auto mounts = cgroup_mounts();
    for (const auto& m : mounts) {
        if (m.fstype == "cgroup2") {
            if (!v2) v2 = &m;
        } else {
            if (has_option(m.super_opts, "memory")) mem = &m;
            if (has_option(m.super_opts, "pids")) pids = &m;
            if (has_option(m.super_opts, "freezer")) frz = &m;
        }
    }
    if (mem || pids) {  // v1 (hybrid or legacy)
        if (!mem) return fail("no v1 memory controller mounted");
        if (!pids) return fail("no v1 pids controller mounted");
        L.memory = own_dir(*mem, "memory");
        L.pids = own_dir(*pids, "pids");
        if (!writable_dir(L.memory)) return fail("cannot write " + L.memory.string());
        if (!writable_dir(L.pids)) return fail("cannot write " + L.pids.string());
        L.memsw = fs::exists(L.memory / "memory.memsw.limit_in_bytes");
        if (frz) {
            L.freezer = own_dir(*frz, "freezer");
            if (!writable_dir(L.freezer)) L.freezer.clear();
        }
        if (v2) {
            L.unified = own_dir(*v2, "");
            if (!writable_dir(L.unified)) L.unified.clear();
        }
        return L;
    }
    if (!v2) return fail("no cgroup mounted");
    // Pure v2: a non-root cgroup that holds processes cannot enable
    // controllers for its children ("no internal processes"), so runs go
    // under <mount>/conclab, enabled from the (exempt) root.
    fs::path root(v2->point);
    auto ctrls = read_file(root / "cgroup.controllers").value_or("");
    std::istringstream cs(ctrls);
    bool has_mem = false, has_pids = false;
    for (std::string c; cs >> c;) {
        has_mem |= c == "memory";
        has_pids |= c == "pids";
    }
    if (!has_mem || !has_pids) return fail("cgroup v2 without memory+pids controllers");
    if (!writable_dir(root)) return fail("cannot write " + root.string());
    fs::path parent = root / "conclab";
    std::error_code ec;
    fs::create_directory(parent, ec);
    int err = 0;
    if (!write_file(root / "cgroup.subtree_control", "+memory +pids", &err) ||
        !write_file(parent / "cgroup.subtree_control", "+memory +pids", &err))
        return fail("cannot enable memory+pids in cgroup v2: " + errno_text(err));
    L.v2 = true;
    L.memory = L.pids = L.unified = parent;
    return L;
}

RunCgroup::RunCgroup(const CgroupLayout& layout, const Limits& limits) : layout_(layout) {
    name_ = "conclab-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter.fetch_add(1));
    auto make = [&](const fs::path& parent) {
        fs::path dir = parent / name_;
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
            int e = errno;
            throw std::runtime_error("cgroup: mkdir " + dir.string() + ": " + errno_text(e));
        }
        dirs_.push_back(dir);
        return dir;
    };
    try {
        if (layout_.v2) {
            memory_dir_ = pids_dir_ = unified_dir_ = make(layout_.memory);
            if (limits.memory) {
                write_or_throw(memory_dir_ / "memory.max", std::to_string(limits.memory));
                // no swap at all: a run that needs swap is over its limit
                if (fs::exists(memory_dir_ / "memory.swap.max")) write_or_throw(memory_dir_ / "memory.swap.max", "0");
            }
        } else {
            memory_dir_ = make(layout_.memory);
            pids_dir_ = make(layout_.pids);
            if (!layout_.freezer.empty()) freezer_dir_ = make(layout_.freezer);
            if (!layout_.unified.empty()) unified_dir_ = make(layout_.unified);
            if (limits.memory) {
                // memory first: memsw may never be below it
                write_or_throw(memory_dir_ / "memory.limit_in_bytes", std::to_string(limits.memory));
                if (layout_.memsw)
                    write_or_throw(memory_dir_ / "memory.memsw.limit_in_bytes", std::to_string(limits.memory));
            }
        }
        if (limits.pids > 0) write_or_throw(pids_dir_ / "pids.max", std::to_string(limits.pids));
    } catch (...) {
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
        throw;
    }
}

RunCgroup::~RunCgroup() {
    kill(std::chrono::milliseconds(1000));
    // rmdir can fail with EBUSY for a moment after the last task is reaped.
    for (int attempt = 0; attempt < 100 && !dirs_.empty(); ++attempt) {
        for (auto it = dirs_.begin(); it != dirs_.end();) {
            if (::rmdir(it->c_str()) == 0 || errno == ENOENT)
                it = dirs_.erase(it);
            else
                ++it;
        }
        if (!dirs_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::vector<fs::path> RunCgroup::procs_files() const {
    std::vector<fs::path> out;
    for (const auto& d : dirs_) out.push_back(d / "cgroup.procs");
    return out;
}

bool RunCgroup::empty() const {
    // v1: the pids hierarchy holds every task of the run; v2: the one dir.
    for (const auto& d : {pids_dir_, unified_dir_}) {
        if (d.empty()) continue;
        auto text = read_file(d / "cgroup.procs");
        if (text && text->find_first_not_of(" \n") != std::string::npos) return false;
    }
    return true;
}

bool RunCgroup::kill(std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    if (empty()) return true;
    // cgroup.kill (5.14+) kills the whole group atomically, forks in flight included.
    bool killed = !unified_dir_.empty() && write_file(unified_dir_ / "cgroup.kill", "1");
    if (!killed && !freezer_dir_.empty() && write_file(freezer_dir_ / "freezer.state", "FROZEN")) {
        // Frozen tasks cannot fork: one pass of SIGKILL reaches every one of them.
        for (int i = 0; i < 200; ++i) {
            auto st = read_file(freezer_dir_ / "freezer.state").value_or("");
            if (st.rfind("FROZEN", 0) == 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        for (pid_t p : read_pids(freezer_dir_ / "cgroup.procs")) ::kill(p, SIGKILL);
        write_file(freezer_dir_ / "freezer.state", "THAWED");
        killed = true;
    }
    auto sleep = std::chrono::microseconds(200);
    while (!empty()) {
        if (!killed || std::chrono::steady_clock::now() > deadline - wait / 2) {
            // last resort (or a slow kill): SIGKILL whatever is listed, repeatedly
            for (const auto& d : {pids_dir_, unified_dir_})
                if (!d.empty())
                    for (pid_t p : read_pids(d / "cgroup.procs")) ::kill(p, SIGKILL);
        }
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(sleep);
        sleep = std::min(sleep * 2, std::chrono::microseconds(10'000));
    }
    return true;
}

std::uint64_t RunCgroup::oom_kills() const {
    if (layout_.v2) return keyed_value(memory_dir_ / "memory.events", "oom_kill").value_or(0);
    return keyed_value(memory_dir_ / "memory.oom_control", "oom_kill").value_or(0);
}

std::optional<std::uint64_t> RunCgroup::anon_bytes() const {
    if (layout_.v2) return keyed_value(memory_dir_ / "memory.stat", "anon");  // memory.swap.max is 0
    // v1 limits memory+swap together (memsw): a page swapped out is still held.
    // One reading for both, so a page moving to swap is counted once.
    auto stat = read_file(memory_dir_ / "memory.stat");
    if (!stat) return std::nullopt;
    auto rss = value_of(*stat, "total_rss");
    if (!rss) return rss;
    return *rss + value_of(*stat, "total_swap").value_or(0);
}

std::uint64_t RunCgroup::pids_max_hits() const {
    return keyed_value(pids_dir_ / "pids.events", "max").value_or(0);
}

std::optional<std::uint64_t> RunCgroup::cpu_usec() const {
    if (unified_dir_.empty()) return std::nullopt;
    return keyed_value(unified_dir_ / "cpu.stat", "usage_usec");
}

void sweep_stale_cgroups(const CgroupLayout& layout) {
    // Only empty directories go: rmdir refuses a cgroup that still has tasks,
    // and a "dead" pid may belong to a grader in another pid namespace.
    for (const auto& parent : {layout.memory, layout.pids, layout.freezer, layout.unified}) {
        if (parent.empty()) continue;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(parent, ec)) {
            std::string n = e.path().filename().string();
            if (n.rfind("conclab-", 0) != 0) continue;
            long pid = std::strtol(n.c_str() + 8, nullptr, 10);
            if (pid <= 0 || pid == ::getpid()) continue;
            if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
            ::rmdir(e.path().c_str());
        }
    }
}

}  // namespace conclab
