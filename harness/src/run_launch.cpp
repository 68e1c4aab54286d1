// launch, the first step of execute() (run_steps.hpp): the pipes, the child
// plans, fork/exec of bubblewrap (through Boost.Process) or of the bare tier's
// per-run supervisor, under the run's limits; returns our ends and the pid.
//
// Every fd created here is O_CLOEXEC from birth (pipe2, open) and every child
// marks all fds >= 3 close-on-exec before exec, so a concurrent launch never
// inherits our pipe ends (which would hold EOF back).
//
// Fork safety: the grader is multi-threaded, so between fork and exec a child
// may only call async-signal-safe functions: the child code below uses raw
// syscalls and fixed buffers only (no malloc, no stdio, no locks).
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>

#include "conclab/cgroup.hpp"
#include "run_steps.hpp"

namespace bp = boost::process;

namespace conclab::detail {

namespace {

// ---------------------------------------------------------------- fds

bool make_pipe(Fd& read_end, Fd& write_end) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    read_end.reset(p[0]);
    write_end.reset(p[1]);
    return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

// ---------------------------------------------------------------- child side
// Everything from here to the end of the supervisor is called between fork
// and exec: async-signal-safe syscalls, no allocation.

constexpr unsigned kCloseRangeCloexec = 1u << 2;  // CLOSE_RANGE_CLOEXEC (5.11)

// Marks (or closes) every fd >= first close-on-exec, without /proc (no malloc).
void child_close_from(int first, bool close_now) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, first, ~0u, close_now ? 0u : kCloseRangeCloexec) == 0) return;
#endif
    struct rlimit rl;
    long max = (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) ? rl.rlim_cur : 65536;
    if (max > 1 << 20) max = 1 << 20;
    for (long fd = first; fd < max; ++fd) {
        if (close_now)
            ::close(static_cast<int>(fd));
        else
            ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    }
}

// The grader ignores SIGPIPE (and a caller may block signals): a program
// must start with default dispositions and an empty mask, or "death by
// SIGPIPE" could never be observed.
void child_reset_signals() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s)
        if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

struct ChildPlan {
    // become fds 0..nfds-1; -1 leaves that number closed. 5 and 6 are the
    // result channel (kResultFd, kKeyFd), the same numbers in every tier.
    int fds[7] = {-1, -1, -1, -1, -1, -1, -1};
    int nfds = 3;
    int cgroup_fds[6] = {-1, -1, -1, -1, -1, -1};
    int ncgroup = 0;
    const char* chdir = nullptr;
    bool setsid = true;
    bool drop = false;
    uid_t uid = 65534;
    gid_t gid = 65534;
    bool no_aslr = false;
    bool no_new_privs = false;
    bool pdeathsig = false;
    struct rlimit_entry {
        int resource;
        struct rlimit value;
    } rl[12];
    int nrl = 0;
};

// fds[i] -> i for every i, whatever numbers the sources have (one of them may
// itself be 0..6 when the grader runs with closed stdio): first out of the
// way to >= 16, then into place. A -1 entry leaves i closed-on-exec.
int child_move_fds(const ChildPlan& p) {
    int tmp[7];
    for (int i = 0; i < p.nfds; ++i) {
        tmp[i] = p.fds[i] < 0 ? -1 : ::fcntl(p.fds[i], F_DUPFD_CLOEXEC, 16);
        if (p.fds[i] >= 0 && tmp[i] < 0) return errno;
    }
    for (int i = 0; i < p.nfds; ++i) {
        if (tmp[i] < 0) {
            ::fcntl(i, F_SETFD, FD_CLOEXEC);  // whatever is there, the program does not get it
            continue;
        }
        if (::dup2(tmp[i], i) < 0) return errno;  // dup2 clears FD_CLOEXEC on i
    }
    for (int i = 0; i < p.nfds; ++i)
        if (tmp[i] >= 0) ::close(tmp[i]);
    return 0;
}

// Joining before exec means every descendant is born inside the cgroup.
// Called before child_move_fds: `cgroup_fds` are the grader's numbers, and
// after the move 0..6 belong to the run (a "0" written there went to the
// result channel or stdout, and the program ran outside its cgroup).
int child_join_cgroup(const ChildPlan& p) {
    for (int i = 0; i < p.ncgroup; ++i)
        if (::write(p.cgroup_fds[i], "0", 1) != 1) return errno ? errno : EIO;
    return 0;
}

int child_restrict(const ChildPlan& p, const char** what) {
    if (p.setsid && ::setsid() < 0) return *what = "setsid", errno;
    if (p.chdir && ::chdir(p.chdir) != 0) return *what = "chdir", errno;
    if (p.no_aslr) {
        int cur = ::personality(0xffffffff);
        if (cur == -1 || ::personality(static_cast<unsigned long>(cur) | ADDR_NO_RANDOMIZE) == -1)
            return *what = "personality(ADDR_NO_RANDOMIZE)", errno;
    }
    for (int i = 0; i < p.nrl; ++i)
        if (::setrlimit(static_cast<__rlimit_resource>(p.rl[i].resource), &p.rl[i].value) != 0)
            return *what = "setrlimit", errno;
    if (p.drop) {
        // Raw syscalls: glibc's wrappers would try to signal the (gone) other threads.
        if (::syscall(SYS_setgroups, 0, nullptr) != 0) return *what = "setgroups", errno;
        if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) return *what = "setresgid", errno;
        if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) return *what = "setresuid", errno;
    }
    if (p.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return *what = "no_new_privs", errno;
    // after the uid change, which clears it
    if (p.pdeathsig && ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return *what = "pdeathsig", errno;
    return 0;
}

// Boost.Process v1 initializer: the sandbox's half of fork+exec. On failure it
// reports through Boost's error pipe (bp::child then throws) and exits.
struct ChildSetup : bp::extend::handler {
    const ChildPlan* plan;
    explicit ChildSetup(const ChildPlan* p) : plan(p) {}
    template <typename Executor>
    void on_exec_setup(Executor& exec) const {
        const char* what = "moving fds";
        child_reset_signals();
        // Join first: the cgroup fds are numbers of the grader's fd table, and
        // the move below may put one of the run's pipes at that very number
        // (docs/notes.md, "Low fd numbers").
        int err = child_join_cgroup(*plan);
        if (err) what = "joining the run cgroup";
        else err = child_move_fds(*plan);
        if (!err) err = child_restrict(*plan, &what);
        if (err) {
            exec.set_error(std::error_code(err, std::system_category()), what);
            ::_exit(127);
        }
        // Boost's own error pipe is already CLOEXEC; so is everything else now.
        child_close_from(plan->nfds, false);
    }
    // Parent side, when the child reported a failure (exec or setup): Boost
    // does not reap it; do it here or it stays a zombie.
    template <typename Executor>
    void on_error(Executor& exec, const std::error_code&) const {
        if (exec.pid > 0)
            while (::waitpid(exec.pid, nullptr, 0) < 0 && errno == EINTR) {}
    }
};


// ---------------------------------------------------------------- supervisor
// The bare tier's per-run process. It is the child subreaper of the program's
// tree, so every orphan (even one that called setsid and double-forked)
// becomes its child and can be found and reaped; it ends the run by killing
// the process group, then sweeping /proc for descendants until it has no
// child left, and only then reports the program's wait status and exits.
// Talks to the grader over fd 3 (control: readable or EOF = kill now) and
// fd 4 (status). A per-run process instead of making the multi-threaded
// grader itself a subreaper: orphans of concurrent runs never mix.

int step_index(const char* what) {
    for (int i = 0; i < kStepCount; ++i)
        if (std::strcmp(kSteps[i], what) == 0) return i;
    return 0;
}

void write_all(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

// "/proc/<pid>/stat" into buf (no snprintf: not async-signal-safe).
void proc_stat_path(char* buf, long pid) {
    char digits[24];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + pid % 10), pid /= 10;
    while (pid > 0);
    std::memcpy(buf, "/proc/", 6);
    int k = 6;
    while (n > 0) buf[k++] = digits[--n];
    std::memcpy(buf + k, "/stat", 6);
}

// ppid from /proc/<pid>/stat, -1 if gone.
long read_ppid(long pid) {
    char path[48], buf[512];
    proc_stat_path(path, pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char* rp = nullptr;  // the command name may contain ')': take the last one
    for (char* c = buf; *c; ++c)
        if (*c == ')') rp = c;
    if (!rp || rp[1] != ' ' || !rp[2] || rp[3] != ' ') return -1;
    long v = 0;
    for (char* c = rp + 4; *c >= '0' && *c <= '9'; ++c) v = v * 10 + (*c - '0');
    return v;
}

struct SweepMemory {
    long* pid = nullptr;  // pairs (pid, ppid) of one /proc scan
    long* ppid = nullptr;
    std::size_t cap = 0;
    unsigned char* in_tree = nullptr;  // bitmap over pids
    long max_pid = 0;
};

// SIGKILLs every descendant of `self` (transitive, from one /proc scan);
// returns how many were signalled.
int kill_descendants(SweepMemory& m, long self) {
    int dfd = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return 0;
    std::size_t n = 0;
    alignas(8) char buf[16384];
    for (;;) {
        long got = ::syscall(SYS_getdents64, dfd, buf, sizeof buf);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            struct Dirent64 {
                std::uint64_t ino;
                std::int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            auto* d = reinterpret_cast<Dirent64*>(buf + off);
            off += d->reclen;
            long pid = 0;
            const char* c = d->name;
            if (*c < '1' || *c > '9') continue;
            for (; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
            if (*c || pid == self || pid >= m.max_pid || n >= m.cap) continue;
            long pp = read_ppid(pid);
            if (pp <= 0) continue;
            m.pid[n] = pid;
            m.ppid[n] = pp;
            ++n;
        }
    }
    ::close(dfd);
    // Closure over ppid links, by repeated passes (the tree is shallow).
    std::memset(m.in_tree, 0, static_cast<std::size_t>(m.max_pid / 8 + 1));
    auto set = [&](long p) { m.in_tree[p >> 3] |= static_cast<unsigned char>(1u << (p & 7)); };
    auto has = [&](long p) { return p >= 0 && p < m.max_pid && (m.in_tree[p >> 3] >> (p & 7)) & 1; };
    set(self);
    int killed = 0;
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t i = 0; i < n; ++i)
            if (!has(m.pid[i]) && has(m.ppid[i])) {
                set(m.pid[i]);
                ::kill(static_cast<pid_t>(m.pid[i]), SIGKILL);
                ++killed;
                grew = true;
            }
    }
    return killed;
}

[[noreturn]] void supervisor_main(const ChildPlan& sup, const ChildPlan& prog, char* const* argv,
                                  char* const* envp) {
    child_reset_signals();
    // The grader's terminal signals must not kill the supervisor (the program
    // is in its own session and would be orphaned); the grader's death shows
    // up as EOF on the control pipe instead.
    struct sigaction ign;
    std::memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    for (int s : {SIGPIPE, SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU})
        ::sigaction(s, &ign, nullptr);
    // Join before the move, as in ChildSetup: a cgroup fd may sit at a number
    // the move gives to a pipe.
    if (child_join_cgroup(sup) != 0) ::_exit(121);
    if (child_move_fds(sup) != 0) ::_exit(120);
    // Close (not just mark) everything else now: the supervisor never execs,
    // and fds of concurrent launches (e.g. Boost's exec-error pipe) must not
    // stay open in it.
    child_close_from(sup.nfds, true);
    const int ctl = 3, status = 4;
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    auto report = [&](std::int32_t kind, std::int32_t value, std::int32_t step) {
        SupStatus s{kind, value, step};
        write_all(status, &s, sizeof s);
    };

    int ep[2];
    if (::pipe2(ep, O_CLOEXEC) != 0) {
        report(1, errno, step_index("fork"));
        ::_exit(0);
    }
    pid_t main_pid = ::fork();
    if (main_pid == 0) {
        child_reset_signals();
        const char* what = "exec";
        int err = child_restrict(prog, &what);
        if (!err) {
            // The program keeps 0-2 and, when the run has a result channel,
            // kResultFd and kKeyFd (already in place: the supervisor has them
            // at the same numbers); the supervisor's own 3 and 4 it does not.
            child_close_from(3, false);
            for (int fd = 5; fd < sup.nfds; ++fd) ::fcntl(fd, F_SETFD, 0);
            ::execve(argv[0], argv, envp);
            err = errno;
            what = "exec";
        }
        std::int32_t msg[2] = {err, step_index(what)};
        write_all(ep[1], msg, sizeof msg);
        ::_exit(127);
    }
    ::close(ep[1]);
    if (main_pid < 0) {
        report(1, errno, step_index("fork"));
        ::_exit(0);
    }
    std::int32_t msg[2];
    ssize_t got;
    do got = ::read(ep[0], msg, sizeof msg);
    while (got < 0 && errno == EINTR);
    ::close(ep[0]);
    bool exec_failed = got == static_cast<ssize_t>(sizeof msg);

    if (!exec_failed) {
        // Wait for the program to end or the grader to ask for the end.
        int pfd = pidfd_open(main_pid);
        for (;;) {
            struct pollfd fds[2] = {{ctl, POLLIN, 0}, {pfd, POLLIN, 0}};
            int r = ::poll(fds, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 20);
            if (r < 0 && errno != EINTR) break;
            if (fds[0].revents) break;
            if (pfd >= 0 && fds[1].revents) break;
            siginfo_t si;
            si.si_pid = 0;
            if (pfd < 0 && ::waitid(P_PID, static_cast<id_t>(main_pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                si.si_pid != 0)
                break;
        }
        if (pfd >= 0) ::close(pfd);
    }

    // End of the run: nothing of the tree may survive it.
    ::kill(-main_pid, SIGKILL);  // its process group (setsid made it the leader)
    long max_pid = 4194304;      // PID_MAX_LIMIT on 64-bit
    SweepMemory mem;
    mem.cap = 1 << 16;
    mem.max_pid = max_pid;
    void* a = ::mmap(nullptr, mem.cap * 2 * sizeof(long) + static_cast<std::size_t>(max_pid / 8 + 1),
                     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bool have_mem = a != MAP_FAILED;
    if (have_mem) {
        mem.pid = static_cast<long*>(a);
        mem.ppid = mem.pid + mem.cap;
        mem.in_tree = reinterpret_cast<unsigned char*>(mem.ppid + mem.cap);
    }
    long self = ::getpid();
    int main_status = 0;
    bool have_main = false;
    for (;;) {
        // Reap first: when the program ended alone (the usual case) there is
        // no child left and no /proc scan is needed. A descendant always has
        // a live ancestor chain up to us (we are its subreaper), so "no child"
        // means "no descendant".
        int st = 0;
        pid_t w;
        while ((w = ::waitpid(-1, &st, WNOHANG)) > 0)
            if (w == main_pid) main_status = st, have_main = true;
        if (w < 0 && errno == ECHILD) break;  // no child left: the tree is empty
        if (w < 0 && errno == EINTR) continue;
        int killed = have_mem ? kill_descendants(mem, self) : 0;
        if (killed == 0) {
            // every remaining child is already dying; wait for one
            w = ::waitpid(-1, &st, 0);
            if (w == main_pid) main_status = st, have_main = true;
            if (w < 0 && errno == ECHILD) break;
        } else {
            struct timespec ts{0, 500'000};
            ::nanosleep(&ts, nullptr);
        }
    }
    if (exec_failed)
        report(1, msg[0], msg[1]);
    else if (have_main)
        report(2, main_status, 0);
    ::_exit(0);
}


// ---------------------------------------------------------------- parent side

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::optional<Launched> launch(const Launch& launch, const RunSpec& spec, std::string& start_error) {
    auto fail = [&](std::string why) -> std::optional<Launched> {
        start_error = std::move(why);
        return std::nullopt;
    };
    if (launch.argv.empty()) return fail("empty command");

    // --- pipes (parent ends non-blocking; every fd O_CLOEXEC)
    Fd in_r, in_w, out_r, out_w, err_r, err_w, st_r, st_w, ctl_r, ctl_w, res_r, res_w, key_r, key_w;
    if (!spec.stdin_data.empty()) {
        if (!make_pipe(in_r, in_w)) return fail("pipe: " + errno_text(errno));
    } else {
        in_r.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!in_r) return fail("/dev/null: " + errno_text(errno));
    }
    if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)) return fail("pipe: " + errno_text(errno));
    bool want_status = launch.bwrap_status || launch.supervised;
    if (want_status && !make_pipe(st_r, st_w)) return fail("pipe: " + errno_text(errno));
    if (launch.supervised && !make_pipe(ctl_r, ctl_w)) return fail("pipe: " + errno_text(errno));
    const bool channel = !spec.channel_key.empty();
    if (channel) {
        if (!make_pipe(res_r, res_w) || !make_pipe(key_r, key_w)) return fail("pipe: " + errno_text(errno));
        // The key is small (< PIPE_BUF): written whole now, then EOF, so the
        // program's first read gets all of it and a second read gets nothing.
        if (spec.channel_key.size() > 512 ||
            ::write(key_w.get(), spec.channel_key.data(), spec.channel_key.size()) !=
                static_cast<ssize_t>(spec.channel_key.size()))
            return fail("cannot write the run's key");
        key_w.reset();
    }

    std::vector<Fd> cg_fds;
    if (launch.cgroup)
        for (const auto& f : launch.cgroup->procs_files()) {
            cg_fds.emplace_back(::open(f.c_str(), O_WRONLY | O_CLOEXEC));
            if (!cg_fds.back()) return fail("open " + f.string() + ": " + errno_text(errno));
        }
    if (cg_fds.size() > 6) return fail("too many cgroup hierarchies");

    // --- child plans
    ChildPlan prog;
    prog.fds[0] = in_r.get();
    prog.fds[1] = out_w.get();
    prog.fds[2] = err_w.get();
    prog.nfds = 3;
    std::string chdir = launch.chdir.string();
    prog.chdir = chdir.empty() ? nullptr : chdir.c_str();
    prog.drop = launch.drop_privileges;
    prog.uid = launch.uid;
    prog.gid = launch.gid;
    prog.no_aslr = launch.no_aslr;
    prog.no_new_privs = launch.no_new_privs;
    for (const auto& l : launch.rlimits) {
        if (prog.nrl == 12) break;
        prog.rl[prog.nrl].resource = l.resource;
        prog.rl[prog.nrl].value.rlim_cur = l.soft;
        prog.rl[prog.nrl].value.rlim_max = l.hard;
        ++prog.nrl;
    }

    auto argv = c_strings(launch.argv);
    auto envp = c_strings(launch.env);
    const auto start = Clock::now();
    pid_t pid = -1;

    if (launch.supervised) {
        ChildPlan sup;
        sup.fds[0] = in_r.get();
        sup.fds[1] = out_w.get();
        sup.fds[2] = err_w.get();
        sup.fds[3] = ctl_r.get();
        sup.fds[4] = st_w.get();
        sup.nfds = 5;
        if (channel) {
            sup.fds[kResultFd] = res_w.get();
            sup.fds[kKeyFd] = key_r.get();
            sup.nfds = 7;
        }
        for (std::size_t i = 0; i < cg_fds.size(); ++i) sup.cgroup_fds[i] = cg_fds[i].get();
        sup.ncgroup = static_cast<int>(cg_fds.size());
        prog.pdeathsig = true;  // the supervisor dies -> so does the program
        pid = ::fork();
        if (pid == 0) supervisor_main(sup, prog, argv.data(), envp.data());
        if (pid < 0) return fail("fork: " + errno_text(errno));
    } else {
        if (launch.bwrap_status) {
            prog.fds[3] = st_w.get();
            prog.nfds = 4;
        }
        if (channel) {  // bwrap passes inherited fds through to the program
            prog.fds[kResultFd] = res_w.get();
            prog.fds[kKeyFd] = key_r.get();
            prog.nfds = 7;
        }
        for (std::size_t i = 0; i < cg_fds.size(); ++i) prog.cgroup_fds[i] = cg_fds[i].get();
        prog.ncgroup = static_cast<int>(cg_fds.size());
        // bwrap (or whatever argv[0] is) gets exactly launch.env, nothing of ours
        bp::environment env;
        for (const auto& kv : launch.env) {
            auto eq = kv.find('=');
            if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        std::vector<std::string> args(launch.argv.begin() + 1, launch.argv.end());
        std::error_code ec;  // an error handler: Boost reports instead of throwing, and calls on_error
        try {
            bp::child c(bp::exe = launch.argv[0], bp::args = args, env, ChildSetup(&prog), ec);
            if (!ec) {
                pid = c.id();
                c.detach();  // reaped below with waitpid, by pid
            }
        } catch (const std::exception& e) {
            return fail(std::string("cannot start ") + launch.argv[0] + ": " + e.what());
        }
        if (ec || pid <= 0)
            return fail(std::string("cannot start ") + launch.argv[0] + ": " +
                        (ec ? ec.message() : std::string("no process")));
    }
    // our copies of the child's ends: close now, or EOF never comes
    in_r.reset();
    out_w.reset();
    err_w.reset();
    st_w.reset();
    ctl_r.reset();
    res_w.reset();
    key_r.reset();
    cg_fds.clear();

    for (Fd* f : {&in_w, &out_r, &err_r, &st_r, &res_r})
        if (*f) set_nonblocking(f->get());
    Launched run;
    run.pid = pid;
    run.pidfd.reset(pidfd_open(pid));
    run.in_w = std::move(in_w);
    run.out_r = std::move(out_r);
    run.err_r = std::move(err_r);
    run.st_r = std::move(st_r);
    run.ctl_w = std::move(ctl_w);
    run.res_r = std::move(res_r);
    run.start = start;
    return run;
}

}  // namespace conclab::detail
