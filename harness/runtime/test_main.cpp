// The trusted main of every GoogleTest grader binary (instead of gtest_main).
//
// The graded code runs in this process and can write any file, print anything
// and exit at any moment, so a verdict may not come from a file or the exit
// code (docs/security.md). This main reports each test's result as a sealed
// record on the result channel (conclab/channel_record.hpp): a pipe at
// kResultFd whose MAC key arrives on another pipe (kKeyFd) after start-up.
// The supervisor counts a run only when the final "done" record arrives, so a
// student's _exit(0) in the middle of a test reads as "ended before the test
// finished", never as a pass.
//
// Without the channel (a maintainer running a grader binary by hand) it is a
// plain GoogleTest main.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "conclab/channel_record.hpp"
#include "conclab/run.hpp"

namespace {

using nlohmann::json;

class Channel {
public:
    // Reads the key (exactly kKeyBytes, then EOF) and closes kKeyFd. False when
    // there is no channel.
    bool open() {
        if (::fcntl(conclab::kKeyFd, F_GETFD) < 0 || ::fcntl(conclab::kResultFd, F_GETFD) < 0) return false;
        if (sodium_init() < 0) return false;
        // Guarded memory, no access between uses: reading the key takes more
        // than a stray pointer (docs/security.md says what stays out of scope).
        key_ = static_cast<unsigned char*>(sodium_malloc(conclab::channel::kKeyBytes));
        if (!key_) return false;
        std::size_t got = 0;
        while (got < conclab::channel::kKeyBytes) {
            ssize_t n = ::read(conclab::kKeyFd, key_ + got, conclab::channel::kKeyBytes - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        ::close(conclab::kKeyFd);
        sodium_mprotect_noaccess(key_);
        ::fcntl(conclab::kResultFd, F_SETFD, FD_CLOEXEC);  // a program the test execs does not get it
        return got == conclab::channel::kKeyBytes;
    }

    void send(json payload) {
        payload["seq"] = seq_++;
        const std::string body = payload.dump(-1, ' ', true, json::error_handler_t::replace);
        sodium_mprotect_readonly(key_);
        const std::string line = conclab::channel::seal(body, key_);
        sodium_mprotect_noaccess(key_);
        const char* p = line.data();
        std::size_t left = line.size();
        while (left > 0) {
            ssize_t n = ::write(conclab::kResultFd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // gone: the supervisor sees a missing record
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }

private:
    unsigned char* key_ = nullptr;
    long seq_ = 0;
};

// Each finished test becomes one record: its full name, whether it passed, and
// its failures as GoogleTest's JSON report writes them ("file:line\nmessage").
class ChannelListener : public testing::EmptyTestEventListener {
public:
    explicit ChannelListener(Channel& ch) : ch_(ch) {}

    void OnTestPartResult(const testing::TestPartResult& part) override {
        if (!part.failed()) return;
        if (failures_.size() >= kMaxFailures) {
            ++dropped_;
            return;
        }
        std::string text = std::string(part.file_name() ? part.file_name() : "unknown file") + ":" +
                           std::to_string(part.line_number()) + "\n" + (part.message() ? part.message() : "");
        if (text.size() > kMaxFailureBytes) text = text.substr(0, kMaxFailureBytes) + "\n[... cut]";
        failures_.push_back(std::move(text));
    }

    void OnTestEnd(const testing::TestInfo& info) override {
        const testing::TestResult* r = info.result();
        json rec = {{"type", "test"},
                    {"name", std::string(info.test_suite_name()) + "." + info.name()},
                    {"result", r->Skipped() ? "skipped" : r->Passed() ? "passed" : "failed"},
                    {"failures", failures_},
                    {"more_failures", dropped_}};
        ch_.send(std::move(rec));
        ++tests_;
        if (!r->Passed()) ++failed_;
        failures_ = json::array();
        dropped_ = 0;
    }

    void OnTestProgramEnd(const testing::UnitTest&) override {
        ch_.send({{"type", "done"}, {"tests", tests_}, {"failed", failed_}});
    }

private:
    static constexpr std::size_t kMaxFailures = 20;
    static constexpr std::size_t kMaxFailureBytes = 8 * 1024;
    Channel& ch_;
    json failures_ = json::array();
    long dropped_ = 0, tests_ = 0, failed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    static Channel channel;  // read before any test code runs
    const bool sealed = channel.open();
    testing::InitGoogleTest(&argc, argv);
    if (sealed) testing::UnitTest::GetInstance()->listeners().Append(new ChannelListener(channel));
    return RUN_ALL_TESTS();
}
