// The launch engine shared by every tier: start one program (bubblewrap, or
// for the bare tier a per-run supervisor), feed its stdin, capture stdout and
// stderr up to a cap, enforce wall/CPU/memory limits, kill and reap the whole
// process tree, and turn what happened into a RunResult. Three steps
// (run_steps.hpp): launch (run_launch.cpp), pump (run_pump.cpp) and decode
// (run_decode.cpp); this file holds execute() and the capture buffer.
//
// Threads: execute() may run in many threads at once. Every fd it creates is
// O_CLOEXEC from birth (pipe2) and every child marks all fds >= 3 close-on-exec
// before exec, so a concurrent launch never inherits our pipe ends (which
// would hold EOF back). No signal handlers, no SIGCHLD: exits are seen
// through pidfds, reaping is waitpid on our own pid only.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "run_internal.hpp"
#include "run_steps.hpp"

namespace conclab::detail {

// ---------------------------------------------------------------- capture

CaptureBuffer::CaptureBuffer(std::uint64_t limit)
    : head_cap_(limit / 2), tail_cap_(limit - limit / 2) {}

void CaptureBuffer::append(const char* data, std::size_t size) {
    total_ += size;
    if (head_.size() < head_cap_) {
        std::size_t n = std::min<std::uint64_t>(size, head_cap_ - head_.size());
        head_.append(data, n);
        data += n;
        size -= n;
    }
    if (size == 0 || tail_cap_ == 0) return;
    if (tail_.size() < tail_cap_) {  // still filling: plain append
        std::size_t n = std::min<std::uint64_t>(size, tail_cap_ - tail_.size());
        if (tail_.capacity() < tail_cap_ && n < size) tail_.reserve(tail_cap_);
        tail_.append(data, n);
        data += n;
        size -= n;
        if (tail_.size() < tail_cap_) return;
        tail_full_ = true;
        tail_pos_ = 0;
        if (size == 0) return;
    }
    // Ring: only the last tail_cap_ bytes matter.
    if (size >= tail_cap_) {
        std::memcpy(tail_.data(), data + (size - tail_cap_), tail_cap_);
        tail_pos_ = 0;
        return;
    }
    std::size_t first = std::min<std::size_t>(size, tail_cap_ - tail_pos_);
    std::memcpy(tail_.data() + tail_pos_, data, first);
    std::memcpy(tail_.data(), data + first, size - first);
    tail_pos_ = (tail_pos_ + size) % tail_cap_;
}

Captured CaptureBuffer::finish() const {
    Captured c;
    c.total = total_;
    c.text = head_;
    c.cut_at = head_.size();
    if (tail_full_) {
        c.text.append(tail_, tail_pos_, std::string::npos);
        c.text.append(tail_, 0, tail_pos_);
    } else {
        c.text += tail_;
    }
    return c;
}

RunResult execute(const Launch& launch, const RunSpec& spec) {
    std::string start_error;
    std::optional<Launched> run = detail::launch(launch, spec, start_error);
    if (!run) {
        RunResult r;
        r.started = false;
        r.start_error = std::move(start_error);
        return r;
    }
    return decode(launch, spec, pump(launch, spec, std::move(*run)));
}

}  // namespace conclab::detail
