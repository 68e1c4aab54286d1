// pump, the second step of execute() (run_steps.hpp): one poll loop per run
// feeds stdin, reads stdout, stderr, the status fd and the result channel,
// enforces the wall and CPU limits (and memory when there is no cgroup), kills
// the whole tree when one is reached, then reaps it and drains the pipes.
//
// No signal handlers, no SIGCHLD: exits are seen through pidfds, reaping is
// waitpid on our own pid only.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "conclab/cgroup.hpp"
#include "run_steps.hpp"

using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace conclab::detail {

namespace {

// ---------------------------------------------------------------- the process tree

struct ProcStat {
    pid_t pid, ppid;
    std::uint64_t cpu_ticks;  // utime+stime+cutime+cstime
    std::uint64_t rss_pages;
};

std::vector<ProcStat> scan_proc() {
    std::vector<ProcStat> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    char path[300], buf[1024];
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || std::strlen(e->d_name) > 32) continue;
        std::snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        char* rp = std::strrchr(buf, ')');
        if (!rp) continue;
        // fields after ")": 3 state, 4 ppid, ... 14 utime 15 stime 16 cutime 17 cstime ... 24 rss
        std::uint64_t f[25] = {};
        char* c = rp + 2;
        int field = 3;
        while (*c && field <= 24) {
            if (field >= 4) f[field] = std::strtoull(c, nullptr, 10);
            while (*c && *c != ' ') ++c;
            while (*c == ' ') ++c;
            ++field;
        }
        out.push_back({static_cast<pid_t>(std::atol(e->d_name)), static_cast<pid_t>(f[4]),
                       f[14] + f[15] + f[16] + f[17], f[24]});
    }
    ::closedir(d);
    return out;
}

// root and all its descendants in one scan
std::vector<const ProcStat*> tree_of(const std::vector<ProcStat>& all, pid_t root) {
    std::unordered_map<pid_t, std::vector<const ProcStat*>> kids;
    const ProcStat* top = nullptr;
    for (const auto& p : all) {
        kids[p.ppid].push_back(&p);
        if (p.pid == root) top = &p;
    }
    std::vector<const ProcStat*> out;
    if (!top) return out;
    out.push_back(top);
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto it = kids.find(out[i]->pid);
        if (it != kids.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
}

// Backstop: SIGKILL root's descendants (and root) until none are left or
// `budget` runs out. Used when the normal kill path did not end the run.
void sweep_tree(pid_t root, milliseconds budget) {
    auto end = Clock::now() + budget;
    do {
        auto all = scan_proc();
        auto tree = tree_of(all, root);
        bool any = false;
        for (auto* p : tree)
            if (p->pid != root) ::kill(p->pid, SIGKILL), any = true;
        if (!any) return;
        ::usleep(1000);
    } while (Clock::now() < end);
}

struct Sample {
    std::uint64_t cpu_ms = 0;
    std::uint64_t rss_bytes = 0;
};

// `root_is_ours`: root is the grader's supervisor, a fork of the grader that
// never execs. Its RSS counts every page it shares with the grader (measured:
// over 512 MiB under the ASan unit tests), so it is left out of the program's.
Sample sample_tree(pid_t root, bool root_is_ours) {
    static const long tick = ::sysconf(_SC_CLK_TCK);
    static const long page = ::sysconf(_SC_PAGESIZE);
    Sample s;
    auto all = scan_proc();
    for (auto* p : tree_of(all, root)) {
        if (root_is_ours && p->pid == root) continue;
        s.cpu_ms += p->cpu_ticks * 1000 / static_cast<std::uint64_t>(tick);
        s.rss_bytes += p->rss_pages * static_cast<std::uint64_t>(page);
    }
    return s;
}

}  // namespace

Pumped pump(const Launch& launch, const RunSpec& spec, Launched run) {
    Pumped r;
    const auto& lim = spec.limits;
    const pid_t pid = run.pid;
    const auto start = run.start;
    Fd& in_w = run.in_w;
    Fd& out_r = run.out_r;
    Fd& err_r = run.err_r;
    Fd& st_r = run.st_r;
    Fd& ctl_w = run.ctl_w;
    Fd& res_r = run.res_r;
    Fd& pidfd = run.pidfd;

    // --- the loop: I/O, limits, exit
    CaptureBuffer out(lim.output), err(lim.output), records(kChannelLimit);
    std::string status_bytes;
    std::size_t stdin_off = 0;
    // wall/cpu <= 0: no such limit (the engine always sets them)
    const auto deadline = lim.wall.count() > 0 ? start + lim.wall : Clock::time_point::max();
    // Sampling (CPU from the cgroup or /proc, RSS when polling memory): often
    // at first, when short runs live, then less (a /proc scan costs ~1 ms).
    auto sample_every = [&](Clock::time_point now) { return now - start < 1s ? milliseconds(20) : milliseconds(50); };
    auto next_sample = start + milliseconds(20);
    bool killed = false, exited = false;
    Clock::time_point kill_time{};
    std::vector<char> buf_storage(1 << 16);
    char* buf = buf_storage.data();
    const std::size_t buf_size = buf_storage.size();

    // What the run holds now: the cgroup's anonymous memory, else the tree's RSS.
    auto memory_now = [&]() -> std::uint64_t {
        if (launch.cgroup)
            if (auto bytes = launch.cgroup->anon_bytes()) return *bytes;
        return sample_tree(pid, launch.supervised).rss_bytes;
    };
    // One reading about a second before the wall limit (half-way for short
    // limits), so a stop can say how fast the memory was growing.
    const auto memory_mark_at =
        lim.wall.count() > 0 ? start + std::max<Clock::duration>(lim.wall / 2, lim.wall - 1s) : Clock::time_point::max();
    std::optional<std::pair<Clock::time_point, std::uint64_t>> memory_mark;
    auto record_memory_at_stop = [&] {
        const auto when = Clock::now();
        r.memory_when_stopped = memory_now();
        if (!memory_mark || r.memory_when_stopped <= memory_mark->second) return;
        const auto ms = std::chrono::duration_cast<milliseconds>(when - memory_mark->first).count();
        if (ms >= 100)
            r.memory_growth_per_s = (r.memory_when_stopped - memory_mark->second) * 1000 / static_cast<std::uint64_t>(ms);
    };
    auto kill_everything = [&] {
        if (killed) return;
        killed = true;
        kill_time = Clock::now();
        if (launch.supervised) {
            ctl_w.reset();  // EOF: the supervisor kills its tree and reports
        } else {
            if (launch.cgroup) launch.cgroup->kill(milliseconds(0));
            ::kill(pid, SIGKILL);  // bwrap --die-with-parent takes the sandbox down with it
            sweep_tree(pid, milliseconds(20));
        }
    };
    auto read_some = [&](Fd& fd, CaptureBuffer* cap, std::string* raw) {
        // a bounded number of reads per wakeup so one flooding stream cannot starve the clock
        for (int i = 0; i < 16 && fd; ++i) {
            ssize_t n = ::read(fd.get(), buf, buf_size);
            if (n > 0) {
                if (cap) cap->append(buf, static_cast<std::size_t>(n));
                if (raw && raw->size() < (1u << 16)) raw->append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            fd.reset();  // EOF or error
        }
    };

    while (!exited) {
        auto now = Clock::now();
        auto wake = std::min(killed ? kill_time + milliseconds(3000) : deadline, next_sample);
        int timeout = static_cast<int>(
            std::max<long long>(0, std::chrono::duration_cast<milliseconds>(wake - now).count() + 1));
        if (!pidfd) timeout = std::min(timeout, 10);

        pollfd fds[6];
        int nf = 0;
        auto add = [&](Fd& f, short ev) -> int {
            if (!f) return -1;
            fds[nf] = {f.get(), ev, 0};
            return nf++;
        };
        int i_out = add(out_r, POLLIN), i_err = add(err_r, POLLIN), i_st = add(st_r, POLLIN);
        int i_in = add(in_w, POLLOUT), i_pid = add(pidfd, POLLIN), i_res = add(res_r, POLLIN);
        int pr = ::poll(fds, static_cast<nfds_t>(nf), timeout);
        if (pr < 0 && errno != EINTR) break;
        if (pr > 0) {
            if (i_out >= 0 && fds[i_out].revents) read_some(out_r, &out, nullptr);
            if (i_err >= 0 && fds[i_err].revents) read_some(err_r, &err, nullptr);
            if (i_st >= 0 && fds[i_st].revents) read_some(st_r, nullptr, &status_bytes);
            if (i_res >= 0 && fds[i_res].revents) read_some(res_r, &records, nullptr);
            if (i_in >= 0 && fds[i_in].revents) {
                if (fds[i_in].revents & (POLLERR | POLLHUP)) {
                    in_w.reset();
                } else {
                    ssize_t n = ::write(in_w.get(), spec.stdin_data.data() + stdin_off,
                                        std::min<std::size_t>(spec.stdin_data.size() - stdin_off, 1 << 16));
                    if (n > 0) stdin_off += static_cast<std::size_t>(n);
                    if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_off == spec.stdin_data.size())
                        in_w.reset();  // all written (EOF for the program) or the program closed it
                }
            }
            if (i_pid >= 0 && fds[i_pid].revents) exited = true;
        }
        if (!pidfd) {
            siginfo_t si;
            si.si_pid = 0;
            if (::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
                exited = true;
        }
        if (exited) break;

        now = Clock::now();
        if (!killed && now >= deadline) {
            r.timed_out = true;
            record_memory_at_stop();
            kill_everything();
        }
        if (!killed && !memory_mark && now >= memory_mark_at) memory_mark.emplace(now, memory_now());
        if (!killed && now >= next_sample) {
            next_sample = now + sample_every(now);
            std::optional<std::uint64_t> cpu_ms;
            std::uint64_t rss = 0;
            if (launch.cgroup) {
                if (auto us = launch.cgroup->cpu_usec()) cpu_ms = *us / 1000;
            }
            if (!cpu_ms || launch.poll_memory) {
                Sample s = sample_tree(pid, launch.supervised);
                if (!cpu_ms) cpu_ms = s.cpu_ms;
                rss = s.rss_bytes;
            }
            if (lim.cpu.count() > 0 && *cpu_ms >= static_cast<std::uint64_t>(lim.cpu.count())) {
                r.cpu_exceeded = true;
                record_memory_at_stop();
                kill_everything();
            } else if (launch.poll_memory && lim.memory && rss > lim.memory) {
                r.out_of_memory = true;
                kill_everything();
            }
        }
        if (killed && now >= kill_time + milliseconds(3000)) {
            // The normal kill did not end it (should not happen): force it.
            sweep_tree(pid, milliseconds(200));
            ::kill(pid, SIGKILL);
            kill_time = now;
        }
    }

    // --- reap, then make sure nothing of the tree is left
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {}
    r.wall = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    if (launch.cgroup) launch.cgroup->kill(milliseconds(2000));
    in_w.reset();

    // Drain what is left in the pipes; every writer is dead by now, so EOF
    // comes at once (the bound is only against a bug).
    auto drain_end = Clock::now() + milliseconds(1000);
    while ((out_r || err_r || st_r || res_r) && Clock::now() < drain_end) {
        pollfd fds[4];
        int nf = 0;
        Fd* which[4];
        for (Fd* f : {&out_r, &err_r, &st_r, &res_r})
            if (*f) fds[nf] = {f->get(), POLLIN, 0}, which[nf++] = f;
        if (::poll(fds, static_cast<nfds_t>(nf), 50) <= 0) continue;
        for (int i = 0; i < nf; ++i)
            if (fds[i].revents) {
                if (which[i] == &out_r) read_some(out_r, &out, nullptr);
                else if (which[i] == &err_r) read_some(err_r, &err, nullptr);
                else if (which[i] == &res_r) read_some(res_r, &records, nullptr);
                else read_some(st_r, nullptr, &status_bytes);
            }
    }
    r.out = out.finish();
    r.err = err.finish();
    r.channel = records.finish();
    r.wstatus = wstatus;
    r.killed = killed;
    r.status = std::move(status_bytes);
    return r;
}

}  // namespace conclab::detail
