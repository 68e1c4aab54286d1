// White-box tests of udp_chat: Endpoint on its own, then run_chat() called
// directly with streams this test owns.
//
// Built with ThreadSanitizer. Why the test brings its own streams:
//  - libstdc++ is not instrumented, so a race on std::cout is invisible to
//    TSan. The output stream here writes into CaptureBuf, compiled in this
//    file (instrumented): two threads writing to `out` without a lock race
//    on CaptureBuf::writes_, and TSan reports it with the student's frames.
//  - The input is a pipe the test writes to, so "input is open but idle" is
//    something the test controls (std::cin is not).
// The test's own side of the network is a raw socket (RawSocket), never the
// student's Endpoint, so a broken Endpoint cannot hide or fake a chat result.
//
// Only 127.0.0.1 is used. Every wait is bounded.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kit/census.hpp"
#include "kit/seed.hpp"
#include "peer_socket.hpp"

#include "udp_chat.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

using udp_chat_grader::free_port;
using udp_chat_grader::kLargestUdpPayload;
using udp_chat_grader::RawSocket;
using udp_chat_grader::Received;
using kit::printable;
using udp_chat_grader::udp_port_bound;

constexpr auto kShowWithin = 1000ms;   // a received datagram must be printed within this
constexpr auto kStopWithin = 1000ms;   // run_chat must return within this after /quit or EOF
constexpr auto kStartWithin = 5000ms;  // run_chat must have bound its port within this
// Before the input ends, a pause so that the receiving thread is back in its
// wait for the next datagram: stopping a thread that waits is what is tested.
constexpr auto kSettle = 200ms;

// (the test's own UDP peer socket is in peer_socket.hpp)

// Provided by send_fault_shim.cpp in the `fault` build only (weak: null in
// the `unit` build, which runs every other test without the wrappers).
extern "C" __attribute__((weak)) void conclab_send_fault_arm(int port, long nth, int err);
extern "C" __attribute__((weak)) long conclab_send_fault_count(int what);

// ------------------------------------------------------------ streams the test owns

// An output stream buffer with no buffer of its own: every character the
// student writes arrives here, in the student's thread.
class CaptureBuf : public std::streambuf {
public:
    std::string text() const {
        std::lock_guard<std::mutex> lock(m_);
        return data_;
    }

protected:
    int_type overflow(int_type ch) override {
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            char c = traits_type::to_char_type(ch);
            append(&c, 1);
        }
        return traits_type::not_eof(ch);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    void append(const char* s, std::size_t n) {
        // Deliberately NOT protected by m_: it stands for the stream's own
        // state, which std::ostream does not lock. If two threads write to
        // `out` without a lock of their own, TSan reports a race right here,
        // with the student's writing code in both stacks.
        writes_ = writes_ + 1;
        std::lock_guard<std::mutex> lock(m_);   // only so the test can read data_ meanwhile
        data_.append(s, n);
    }
    mutable std::mutex m_;
    std::string data_;
    unsigned long writes_ = 0;
};

// An input stream buffer reading a pipe: the test writes lines whenever it
// likes, and closing the write end is "end of input".
class FdInBuf : public std::streambuf {
public:
    explicit FdInBuf(int fd) : fd_(fd) {}

protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        ssize_t n;
        do n = ::read(fd_, buf_, sizeof buf_);
        while (n < 0 && errno == EINTR);
        if (n <= 0) return traits_type::eof();
        setg(buf_, buf_, buf_ + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    int fd_;
    char buf_[4096];
};

class InputPipe {
public:
    InputPipe() = default;
    ~InputPipe() {
        close_input();
        ::close(fds_[0]);
    }
    InputPipe(const InputPipe&) = delete;
    InputPipe& operator=(const InputPipe&) = delete;

    std::istream& stream() { return stream_; }
    void write(const std::string& s) {
        std::size_t done = 0;
        while (done < s.size()) {
            ssize_t n = ::write(fds_[1], s.data() + done, s.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::runtime_error("writing the input pipe failed");
            done += static_cast<std::size_t>(n);
        }
    }
    void close_input() {   // end of input: getline() fails after the last line
        if (fds_[1] >= 0) ::close(fds_[1]);
        fds_[1] = -1;
    }

private:
    static std::array<int, 2> make_pipe() {
        std::array<int, 2> fds{-1, -1};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        return fds;
    }
    std::array<int, 2> fds_ = make_pipe();   // declared first: initialised first
    FdInBuf buf_{fds_[0]};
    std::istream stream_{&buf_};
};

// ------------------------------------------------------------ running run_chat

// run_chat(args) on the calling thread: what it returned, or -1 and the
// exception it let out in `exception`.
int call_run_chat(std::vector<std::string>& args, std::istream& in, std::ostream& out, std::string& exception) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    try {
        return udp_chat::run_chat(static_cast<int>(args.size()), argv.data(), in, out);
    } catch (const std::exception& e) {
        exception = e.what();
    } catch (...) {
        exception = "an exception that is not a std::exception";
    }
    return -1;
}

// Runs run_chat(--port P --peer 127.0.0.1:Q) in a thread of its own, so the
// test can feed it and watch it. If run_chat never returns (a receiving
// thread that is never stopped) the test fails and abandons the thread: all
// it uses lives in a shared State that is then never freed.
class ChatRun {
public:
    struct State {
        std::unique_ptr<InputPipe> pipe;           // the chat's standard input
        CaptureBuf capture;
        std::ostream out{&capture};
        std::vector<std::string> args;
        std::atomic<bool> done{false};
        int rc = -1;                               // written before done (release)
        std::string exception;
    };

    ChatRun(std::uint16_t port, std::uint16_t peer_port, std::unique_ptr<InputPipe> pipe)
        : st_(std::make_shared<State>()), port_(port) {
        st_->pipe = std::move(pipe);
        st_->args = {"udp_chat", "--port", std::to_string(port), "--peer",
                     "127.0.0.1:" + std::to_string(peer_port)};
        thread_ = std::thread([st = st_] {
            st->rc = call_run_chat(st->args, st->pipe->stream(), st->out, st->exception);
            st->done.store(true, std::memory_order_release);
        });
    }
    ~ChatRun() {
        if (!thread_.joinable()) return;
        if (st_->done.load(std::memory_order_acquire)) thread_.join();
        else thread_.detach();   // stuck: abandon it (the test has already failed)
    }

    InputPipe& input() { return *st_->pipe; }
    std::string output() const { return st_->capture.text(); }
    bool done() const { return st_->done.load(std::memory_order_acquire); }

    // Waits until run_chat has bound its port (or returned). false on timeout.
    bool wait_started() {
        auto deadline = Clock::now() + kStartWithin;
        while (Clock::now() < deadline) {
            if (done()) return true;
            std::optional<bool> bound = udp_port_bound(port_);
            if (!bound) {   // cannot look: give it time, then go on
                std::this_thread::sleep_for(1000ms);
                return true;
            }
            if (*bound) return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    }
    // Waits until the output contains `needle`. false on timeout.
    bool wait_output(const std::string& needle, std::chrono::milliseconds limit) {
        auto deadline = Clock::now() + limit;
        do {
            if (output().find(needle) != std::string::npos) return true;
            std::this_thread::sleep_for(2ms);
        } while (Clock::now() < deadline);
        return output().find(needle) != std::string::npos;
    }
    // Waits until run_chat returned; then joins. false if it is still running.
    bool wait_done(std::chrono::milliseconds limit) {
        auto deadline = Clock::now() + limit;
        while (!done() && Clock::now() < deadline) std::this_thread::sleep_for(2ms);
        if (!done()) return false;
        thread_.join();
        return true;
    }
    int rc() const { return st_->rc; }
    const std::string& exception() const { return st_->exception; }

private:
    std::shared_ptr<State> st_;
    std::uint16_t port_;
    std::thread thread_;
};

std::string line_for(std::uint16_t port, const std::string& text) {
    return "[127.0.0.1:" + std::to_string(port) + "] " + text + "\n";
}

#define EXPECT_RETURNS_ZERO(chat, what)                                                          \
    do {                                                                                         \
        ASSERT_TRUE((chat).wait_done(kStopWithin))                                               \
            << "run_chat() was still running 1 s after " << (what)                               \
            << ". Is your receiving thread blocked in recvfrom() forever, so join() never "      \
               "returns? Wait with a timeout (poll(2)) and check an std::atomic<bool> stop flag."; \
        EXPECT_EQ((chat).exception(), "") << "run_chat() threw an exception";                   \
        EXPECT_EQ((chat).rc(), 0) << "run_chat() should return 0 after " << (what);             \
    } while (0)

// ============================================================ Endpoint

TEST(Endpoint, endpoint_binds_and_round_trips) {
    udp_chat::Endpoint a(0);
    ASSERT_NE(a.port(), 0) << "Endpoint(0) must bind a free port chosen by the kernel, and port() "
                              "must return that port (getsockname(2)), not 0";
    udp_chat::Endpoint b(0);
    EXPECT_NE(a.port(), b.port()) << "two Endpoint(0) got the same port";

    RawSocket peer;
    a.send_to("127.0.0.1", peer.port(), "hello peer");
    auto got = peer.recv(1000ms);
    ASSERT_TRUE(got) << "send_to(\"127.0.0.1\", " << peer.port() << ", ...) sent nothing";
    EXPECT_EQ(got->text, "hello peer");
    EXPECT_EQ(got->port, a.port()) << "the datagram must come from the Endpoint's own bound port";

    peer.send(a.port(), "hello endpoint");
    auto d = a.receive(1000ms);
    ASSERT_TRUE(d) << "receive(1000ms) returned nothing although a datagram was waiting";
    EXPECT_EQ(d->text, "hello endpoint");
    EXPECT_EQ(d->host, "127.0.0.1") << "host must be the sender's dotted IPv4 address (inet_ntop)";
    EXPECT_EQ(d->port, peer.port()) << "port must be the sender's port, in host byte order (ntohs)";

    std::uint16_t port = a.port();
    a.close();
    EXPECT_NO_THROW({ udp_chat::Endpoint again(port); })
        << "after close() the port must be free again: does close() close the socket?";

    // A second close() is harmless: it must not close whatever socket got the
    // old fd number in between (a new Endpoint very likely does).
    udp_chat::Endpoint c(0);
    a.close();
    std::string send_error;
    try {
        c.send_to("127.0.0.1", peer.port(), "c still works");
    } catch (const std::exception& e) {
        send_error = std::string(" (send_to threw: ") + e.what() + ")";
    }
    auto from_c = peer.recv(send_error.empty() ? 1000ms : 0ms);
    EXPECT_TRUE(from_c && from_c->text == "c still works")
        << "after close() was called a second time on another Endpoint, this one could not send" << send_error
        << ": the second close() closed a socket that was no longer its own. Set the fd to -1 when you close it.";

    // The destructor closes the socket.
    const std::set<int> fds_before = kit::open_fds();
    { udp_chat::Endpoint gone(0); }
    EXPECT_EQ(kit::open_fds(), fds_before) << "~Endpoint() must close its socket (a file descriptor was left open)";

    // A port in use cannot be bound: std::system_error. The peer's socket does
    // not set SO_REUSEADDR, so no option of the Endpoint's can share it.
    EXPECT_THROW({ udp_chat::Endpoint taken(peer.port()); }, std::system_error)
        << "Endpoint(" << peer.port() << ") must throw std::system_error: that port is already in use";

    // A host that is not a dotted IPv4 address: std::invalid_argument.
    for (const char* bad : {"300.0.0.1", "1.2.3.4.5", "not an address", ""})
        EXPECT_THROW({ udp_chat::Endpoint e(0, bad); }, std::invalid_argument)
            << "Endpoint(0, \"" << bad << "\") must throw std::invalid_argument: not a dotted IPv4 address";
}

TEST(Endpoint, endpoint_receive_waits_at_most_the_timeout) {
    udp_chat::Endpoint e(0);
    auto t0 = Clock::now();
    auto d = e.receive(300ms);
    auto waited = Clock::now() - t0;
    EXPECT_FALSE(d) << "receive() returned a datagram although nobody sent one";
    EXPECT_GE(waited, 250ms) << "receive(300ms) returned after only "
                             << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                             << " ms with nothing received";
    EXPECT_LT(waited, 1500ms) << "receive(300ms) waited "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                              << " ms: it must return std::nullopt when the timeout expires";

    // A datagram that arrives during the wait ends it at once.
    RawSocket peer;
    std::thread sender([&] {
        std::this_thread::sleep_for(200ms);
        peer.send(e.port(), "arrives late");
    });
    t0 = Clock::now();
    d = e.receive(5000ms);
    waited = Clock::now() - t0;
    sender.join();
    ASSERT_TRUE(d) << "receive(5000ms) missed a datagram sent 200 ms into the wait";
    EXPECT_EQ(d->text, "arrives late");
    EXPECT_LT(waited, 2000ms) << "receive() must return as soon as a datagram arrives, not at the timeout";

    // Timeout 0: just look.
    peer.send(e.port(), "already here");
    d = e.receive(0ms);
    ASSERT_TRUE(d) << "receive(0ms) must return a datagram that is already waiting";
    EXPECT_EQ(d->text, "already here");
    t0 = Clock::now();
    EXPECT_FALSE(e.receive(0ms));
    EXPECT_LT(Clock::now() - t0, 500ms) << "receive(0ms) must not wait";
}

TEST(Endpoint, endpoint_keeps_empty_and_binary_datagrams) {
    udp_chat::Endpoint e(0);
    RawSocket peer;

    peer.send(e.port(), "");
    auto d = e.receive(1000ms);
    ASSERT_TRUE(d) << "an empty datagram is a datagram: receive() must return it (text \"\"), not "
                      "std::nullopt. recvfrom() returning 0 means \"0 bytes\", not \"closed\".";
    EXPECT_EQ(d->text, "");
    EXPECT_EQ(d->port, peer.port());

    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);   // '\0' first, 0xff last
    binary += std::string("\0\0tail after two NULs\xff\xfe", 23);
    peer.send(e.port(), binary);
    d = e.receive(1000ms);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->text.size(), binary.size())
        << "the text was cut: keep the length recvfrom() returned, never strlen() / a C string";
    EXPECT_TRUE(d->text == binary) << "got " << printable(d->text);

    e.send_to("127.0.0.1", peer.port(), binary);
    auto r = peer.recv(1000ms);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->text == binary) << "send_to() changed binary text: sent " << printable(r->text)
                                   << " (use text.data() and text.size())";
    e.send_to("127.0.0.1", peer.port(), "");
    r = peer.recv(1000ms);
    ASSERT_TRUE(r) << "send_to() with empty text must send an empty datagram";
    EXPECT_EQ(r->text, "");
}

TEST(Endpoint, endpoint_keeps_the_largest_datagram) {
    udp_chat::Endpoint e(0);
    RawSocket peer;
    std::string big(kLargestUdpPayload, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);

    peer.send(e.port(), big);
    auto d = e.receive(1000ms);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->text.size(), big.size())
        << "a 65,507-byte datagram came back with " << d->text.size()
        << " bytes: recvfrom() silently drops what does not fit your buffer. 65,507 bytes is "
           "the largest UDP payload over IPv4: use a buffer that large.";
    EXPECT_TRUE(d->text == big) << "the bytes differ";

    e.send_to("127.0.0.1", peer.port(), big);
    auto r = peer.recv(1000ms);
    ASSERT_TRUE(r) << "send_to() of 65,507 bytes sent nothing";
    EXPECT_EQ(r->text.size(), big.size());
    EXPECT_TRUE(r->text == big);

    // One byte more is not one UDP datagram over IPv4: sendto(2) fails with
    // EMSGSIZE, and send_to() must say so (std::system_error), not drop it.
    std::string too_big(kLargestUdpPayload + 1, 'z');
    EXPECT_THROW(e.send_to("127.0.0.1", peer.port(), too_big), std::system_error)
        << "send_to() of 65,508 bytes (one more than the largest UDP payload over IPv4) must throw "
           "std::system_error: sendto(2) returns -1 with errno EMSGSIZE. Check what sendto() returns; "
           "a failure ignored here is a line the chat drops without a word.";
    if (auto extra = peer.recv(100ms))
        ADD_FAILURE() << "send_to() of 65,508 bytes delivered a datagram of " << extra->text.size()
                      << " bytes: a text that does not fit one datagram must not be sent in part";
}

// ============================================================ run_chat

TEST(Chat, chat_prints_while_input_idle) {
    RawSocket peer, other;
    std::uint16_t port = free_port();
    ChatRun chat(port, peer.port(), std::make_unique<InputPipe>());
    ASSERT_TRUE(chat.wait_started()) << "run_chat() did not bind port " << port << " within 5 s";
    ASSERT_FALSE(chat.done()) << "run_chat() returned " << chat.rc()
                              << " although its input is still open (exception: " << chat.exception() << ")";
    std::this_thread::sleep_for(200ms);   // nobody types anything

    peer.send(port, "hello while you wait");
    EXPECT_TRUE(chat.wait_output(line_for(peer.port(), "hello while you wait"), kShowWithin))
        << "a datagram that arrived while the input was open but idle was not printed within 1 s.\n"
           "A thread blocked in getline() cannot print anything: a second thread must receive and "
           "print. Expected the line " << printable(line_for(peer.port(), "hello while you wait"))
        << "\noutput so far: " << printable(chat.output());

    // Another sender, later, still without input.
    std::this_thread::sleep_for(300ms);
    other.send(port, "and me too");
    EXPECT_TRUE(chat.wait_output(line_for(other.port(), "and me too"), kShowWithin))
        << "the second datagram (from another port, input still idle) was not printed within 1 s; "
           "output so far: " << printable(chat.output());

    std::this_thread::sleep_for(kSettle);
    chat.input().close_input();
    EXPECT_RETURNS_ZERO(chat, "the end of its input");
}

TEST(Chat, chat_sends_each_line_to_the_peer) {
    RawSocket peer;
    std::uint16_t port = free_port();
    const std::vector<std::string> lines = {"first line", "second line", "", "  spaced  out  ",
                                            "last line, without a newline"};
    // The input ends after the typing, as at a terminal (Ctrl-D comes last):
    // a chat whose input ended at once could finish before its receiving
    // thread ever ran, and a receiver that never stops would then go unseen
    // in some gradings and not in others.
    ChatRun chat(port, peer.port(), std::make_unique<InputPipe>());
    ASSERT_TRUE(chat.wait_started()) << "run_chat() did not bind port " << port << " within 5 s";
    chat.input().write("first line\nsecond line\n\n  spaced  out  \nlast line, without a newline");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i + 1 == lines.size()) {   // the last line has no '\n': it is read at the end of input
            std::this_thread::sleep_for(kSettle);
            chat.input().close_input();
        }
        auto r = peer.recv(2000ms);
        ASSERT_TRUE(r) << "line " << i + 1 << " of the input (" << printable(lines[i])
                       << ") did not arrive at the peer as a datagram within 2 s."
                       << (lines[i].empty() ? " An empty line is sent too, as an empty datagram." : "");
        EXPECT_EQ(r->text, lines[i]) << "datagram " << i + 1 << " must be exactly input line " << i + 1
                                     << ", without its '\\n'";
        EXPECT_EQ(r->port, port) << "send from the socket bound to --port, so the peer can answer";
    }
    EXPECT_RETURNS_ZERO(chat, "the end of its input");
    EXPECT_FALSE(peer.recv(100ms)) << "more datagrams arrived than there were input lines";
}

TEST(Chat, chat_quit_stops_both_threads) {
    RawSocket peer;
    std::uint16_t port = free_port();
    ChatRun chat(port, peer.port(), std::make_unique<InputPipe>());
    ASSERT_TRUE(chat.wait_started()) << "run_chat() did not bind port " << port << " within 5 s";
    peer.send(port, "are you there?");
    ASSERT_TRUE(chat.wait_output(line_for(peer.port(), "are you there?"), kShowWithin))
        << "a datagram that arrived while the input was idle was not printed within 1 s (is there a "
           "receiving thread?); output so far: " << printable(chat.output());

    std::this_thread::sleep_for(kSettle);
    chat.input().write("before quit\n/quit\nafter quit\n");   // the input stays open
    auto r = peer.recv(2000ms);
    ASSERT_TRUE(r) << "the line before /quit was not sent";
    EXPECT_EQ(r->text, "before quit");
    EXPECT_RETURNS_ZERO(chat, "the line \"/quit\" (input still open)");
    while (auto extra = peer.recv(100ms))
        ADD_FAILURE() << "after \"before quit\" the peer received " << printable(extra->text)
                      << ": \"/quit\" is a command (not sent) and nothing after it is read";
}

TEST(Chat, chat_race_free_under_load) {
    // Two senders and the input all at once, then the end of input. TSan
    // watches the stop flag, the socket object and `out` while both of the
    // chat's threads are busy.
    RawSocket peer, a, b;
    std::uint16_t port = free_port();
    ChatRun chat(port, peer.port(), std::make_unique<InputPipe>());
    ASSERT_TRUE(chat.wait_started()) << "run_chat() did not bind port " << port << " within 5 s";
    ASSERT_FALSE(chat.done()) << "run_chat() returned early: " << chat.rc();

    constexpr int kEach = 150;
    auto message = [](char who, int i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%c-%04d ", who, i);
        return std::string(buf) + std::string(static_cast<std::size_t>(i % 50), who);
    };
    // Sends are paced (1 ms) so the socket's receive buffer never overflows:
    // a loss here would be the machine's, not the student's.
    // The last kTail datagrams of each sender arrive after the last input
    // line, while the input stays open and idle.
    constexpr int kTail = 20;
    // Halfway, one typed line is too long for a datagram (65,508 bytes): its
    // error path runs while datagrams arrive. Its message belongs on
    // std::cerr, never in `out`, and the chat goes on.
    constexpr int kTooLongAt = kEach / 2;
    for (int i = 0; i < kEach; ++i) {
        a.send(port, message('A', i));
        b.send(port, message('B', i));
        if (i == kTooLongAt) chat.input().write(std::string(kLargestUdpPayload + 1, 'L') + "\n");
        if (i < kEach - kTail) chat.input().write("typed line " + std::to_string(i) + "\n");
        std::this_thread::sleep_for(1ms);
    }
    // Everything must be printed while the input is still open, within 5 s.
    // A chat that prints each datagram within kShowWithin (the promise the
    // other tests check) never goes twice that long without a line while some
    // are missing, so the wait ends there: a stuck chat costs 2 s, not 5.
    auto deadline = Clock::now() + 5s;
    auto last_progress = Clock::now();
    std::ptrdiff_t last_lines = -1;
    std::string before_eof;
    for (;;) {
        before_eof = chat.output();
        const auto lines = std::count(before_eof.begin(), before_eof.end(), '\n');
        const auto now = Clock::now();
        if (lines >= 2 * kEach || now > deadline) break;
        if (lines != last_lines) {
            last_lines = lines;
            last_progress = now;
        } else if (now - last_progress > 2 * kShowWithin) {
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    chat.input().close_input();
    EXPECT_RETURNS_ZERO(chat, "the end of its input");
    std::string out = chat.output();

    // Every line whole, each once, each sender's lines in the order sent.
    std::map<std::string, std::pair<char, int>> expected;
    for (int i = 0; i < kEach; ++i) {
        expected[line_for(a.port(), message('A', i))] = {'A', i};
        expected[line_for(b.port(), message('B', i))] = {'B', i};
    }
    std::map<char, int> last{{'A', -1}, {'B', -1}};
    std::size_t start = 0;
    int good = 0;
    while (start < out.size()) {
        std::size_t end = out.find('\n', start);
        std::string line = out.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
        start = end == std::string::npos ? out.size() : end + 1;
        auto it = expected.find(line);
        if (it == expected.end()) {
            ADD_FAILURE() << "this output line is not one whole received message: " << printable(line)
                          << "\nLines of two writers mixed? Only one thread should write to `out` "
                             "(or every write must hold the same mutex), one whole line per write. "
                             "Nothing but received datagrams goes to `out`: a message about a line that "
                             "could not be sent (one typed line here is 65,508 bytes) goes to std::cerr.";
            return;
        }
        auto [who, seq] = it->second;
        if (seq <= last[who]) {
            ADD_FAILURE() << "message " << printable(line) << " printed twice or out of order (sender " << who
                          << " sent them in order)";
            return;
        }
        last[who] = seq;
        ++good;
    }
    EXPECT_EQ(good, 2 * kEach) << "only " << good << " of " << 2 * kEach << " datagrams were printed";
    auto printed_in_time = std::count(before_eof.begin(), before_eof.end(), '\n');
    EXPECT_GE(printed_in_time, 2 * kEach)
        << "only " << printed_in_time << " of " << 2 * kEach
        << " datagrams were printed within 5 s while the input was open (the last " << 2 * kTail
        << " arrived while nothing was typed): received datagrams must be printed as they arrive, "
           "by a thread of their own.";
}


// ============================================================ a send the kernel refuses

// std::cerr's text while a test runs. Locked, unlike CaptureBuf: the chat may
// report from either thread, and that is allowed (std::cerr is the student's
// to use), so a race here would be the grader's, not the student's.
class ErrCapture : public std::streambuf {
public:
    std::string text() const {
        std::lock_guard<std::mutex> lock(m_);
        return data_;
    }

protected:
    int_type overflow(int_type ch) override {
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            std::lock_guard<std::mutex> lock(m_);
            data_ += traits_type::to_char_type(ch);
        }
        return traits_type::not_eof(ch);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::lock_guard<std::mutex> lock(m_);
        data_.append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    mutable std::mutex m_;
    std::string data_;
};

const char* errno_name(int err) { return err == ENOBUFS ? "ENOBUFS" : err == EAGAIN ? "EAGAIN" : "?"; }

TEST(Faults, chat_survives_a_refused_send) {
    ASSERT_TRUE(conclab_send_fault_arm != nullptr && conclab_send_fault_count != nullptr)
        << "grader error: this test must run in the build linked with send_fault_shim.cpp";
    // Which error, and which typed line meets it: seeded (the seed is printed).
    kit::SplitMix rng(kit::seed());
    const int err = rng.below(2) == 0 ? ENOBUFS : EAGAIN;
    constexpr int kLines = 8;
    const int refused = 1 + rng.below(kLines - 2);   // never the first or the last line
    const std::string reason = std::string(errno_name(err)) + " (" + std::strerror(err) + ")";

    // 1. Endpoint::send_to: the refusal must come out as std::system_error.
    {
        udp_chat::Endpoint e(0);
        RawSocket peer;
        conclab_send_fault_arm(peer.port(), 0, err);
        try {
            e.send_to("127.0.0.1", peer.port(), "refused by the kernel");
            if (conclab_send_fault_count(0) == 0)
                FAIL() << "the grader could not make your send fail: send_to() must send with "
                          "sendto(2), send(2), sendmsg(2) or write(2) (man 2 sendto)";
            ADD_FAILURE() << "sendto(2) returned -1 with errno " << reason
                          << " (the send queue is full), but send_to() did not throw: the line was "
                             "dropped without a word. Check what sendto() returns and throw "
                             "std::system_error(errno, std::generic_category(), ...) when it is -1.";
        } catch (const std::system_error& ex) {
            EXPECT_EQ(ex.code().value(), err)
                << "send_to() threw std::system_error with error " << ex.code().value() << " ("
                << ex.what() << "), but sendto(2) failed with " << reason
                << ": build the exception from errno right after the failed call, before "
                   "anything else can change errno";
        } catch (const std::exception& ex) {
            ADD_FAILURE() << "sendto(2) failed with " << reason << " and send_to() threw "
                          << ex.what() << ", not std::system_error";
        }
        conclab_send_fault_arm(0, -1, 0);
        if (auto got = peer.recv(100ms))
            ADD_FAILURE() << "sendto(2) failed with " << reason << " but the peer received "
                          << printable(got->text)
                          << ": send_to() must report the failure (std::system_error), not retry it";
        e.send_to("127.0.0.1", peer.port(), "the next one goes through");
        auto next = peer.recv(1000ms);
        EXPECT_TRUE(next && next->text == "the next one goes through")
            << "after one refused datagram the next send_to() must work again";
    }
    if (HasFailure()) return;

    // 2. run_chat: the refused line is reported on std::cerr, the chat goes on.
    RawSocket peer;
    std::uint16_t port = free_port();
    // std::cerr is swapped for the whole run; the buffer is never freed, so a
    // chat that never returns (abandoned by ChatRun) can still write to it.
    auto* err_text = new ErrCapture;
    std::streambuf* old_cerr = std::cerr.rdbuf(err_text);
    struct Restore {
        std::streambuf* old;
        ~Restore() { std::cerr.rdbuf(old); }
    } restore{old_cerr};

    conclab_send_fault_arm(peer.port(), refused, err);
    ChatRun chat(port, peer.port(), std::make_unique<InputPipe>());
    ASSERT_TRUE(chat.wait_started()) << "run_chat() did not bind port " << port << " within 5 s";
    std::printf("[ fault    ] typed line %d of %d is refused with %s\n", refused + 1, kLines,
                errno_name(err));
    const std::string still_there = "are you still listening?";
    for (int i = 0; i < kLines; ++i) {
        const std::string text = "line " + std::to_string(i + 1);
        chat.input().write(text + "\n");
        if (i != refused) {
            auto r = peer.recv(2000ms);
            ASSERT_TRUE(r) << "typed line " << i + 1 << " (" << printable(text)
                           << ") never reached the peer"
                           << (i > refused ? " — it comes after the line whose sendto(2) failed with " +
                                                 reason + ". A send error must not end the chat or stop "
                                                 "the lines after it: catch it, report it on std::cerr "
                                                 "and go on with the next line."
                                           : std::string("."))
                           << (chat.done() ? " run_chat() had already returned " + std::to_string(chat.rc()) +
                                                 (chat.exception().empty() ? "" : ", exception: " + chat.exception())
                                           : std::string());
            EXPECT_EQ(r->text, text);
            continue;
        }
        if (auto extra = peer.recv(300ms))
            ADD_FAILURE() << "sendto(2) failed with " << reason << " for typed line " << i + 1
                          << ", yet the peer received " << printable(extra->text);
        ASSERT_EQ(conclab_send_fault_count(1), 1)
            << "the grader could not make the send of typed line " << i + 1
            << " fail: run_chat must send with Endpoint::send_to(), and send_to() with sendto(2), "
               "send(2), sendmsg(2) or write(2)";
        ASSERT_FALSE(chat.done()) << "run_chat() returned " << chat.rc()
                                  << " when sending typed line " << i + 1 << " failed with " << reason
                                  << (chat.exception().empty() ? "" : " (exception: " + chat.exception() + ")")
                                  << ". A send error must not end the chat: catch it, report it on std::cerr and go "
                                     "on with the next line.";
        auto deadline = Clock::now() + kShowWithin;
        while (err_text->text().empty() && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
        EXPECT_FALSE(err_text->text().empty())
            << "sending typed line " << i + 1 << " failed with " << reason
            << " and nothing was written to std::cerr: report the line as not sent (with the reason, "
               "e.what() of the std::system_error) so the user knows it was lost";
        // The receiving thread must still be there.
        peer.send(port, still_there);
        EXPECT_TRUE(chat.wait_output(line_for(peer.port(), still_there), kShowWithin))
            << "after the send of typed line " << i + 1 << " failed with " << reason
            << ", a datagram from the peer was not printed within 1 s: the receiving thread must "
               "keep running. Output so far: " << printable(chat.output());
    }
    conclab_send_fault_arm(0, -1, 0);
    std::this_thread::sleep_for(kSettle);
    chat.input().close_input();
    EXPECT_RETURNS_ZERO(chat, "the end of its input (one line of which could not be sent)");
    EXPECT_EQ(chat.output(), line_for(peer.port(), still_there))
        << "`out` must hold only the received datagram: the \"not sent\" report goes to std::cerr, "
           "never to `out`";
}


// ============================================================ bad command lines

// run_chat(argv) on its own thread's stack, std::cerr captured: what it
// returned, what it wrote to `out` and to std::cerr, or the exception it let out.
struct ChatExit {
    int rc = -1;
    std::string out, err, exception;
};

ChatExit run_chat_with(std::vector<std::string> args) {
    std::istringstream in("hello\n");   // ends at once: a chat that starts anyway returns
    std::ostringstream out;
    ErrCapture err;
    std::streambuf* old_cerr = std::cerr.rdbuf(&err);
    ChatExit r;
    r.rc = call_run_chat(args, in, out, r.exception);
    std::cerr.rdbuf(old_cerr);
    r.out = out.str();
    r.err = err.text();
    return r;
}

std::string shown(const std::vector<std::string>& args) {
    std::string s;
    for (const auto& a : args) s += (s.empty() ? "" : " ") + (a.empty() ? std::string("''") : a);
    return s;
}

TEST(Chat, chat_rejects_bad_arguments) {
    const std::vector<std::vector<std::string>> bad = {
        {"udp_chat"},
        {"udp_chat", "--port", "x", "--peer", "127.0.0.1:9"},
        {"udp_chat", "--port", "0", "--peer", "no-port"},
        {"udp_chat", "--peer", "127.0.0.1:9"},
    };
    for (const auto& args : bad) {
        ChatExit r = run_chat_with(args);
        EXPECT_EQ(r.exception, "") << "`" << shown(args) << "`: run_chat() let an exception out; catch it, print "
                                      "a usage message on std::cerr and return 2";
        EXPECT_EQ(r.rc, 2) << "`" << shown(args) << "` is a bad command line: run_chat() must return 2";
        EXPECT_EQ(r.out, "") << "`" << shown(args) << "`: nothing may be written to `out`";
        EXPECT_NE(r.err, "") << "`" << shown(args) << "`: write a usage message on std::cerr";
    }

    RawSocket taken;   // its port is in use (no SO_REUSEADDR)
    const std::vector<std::string> args = {"udp_chat", "--port", std::to_string(taken.port()), "--peer",
                                           "127.0.0.1:9"};
    ChatExit r = run_chat_with(args);
    EXPECT_EQ(r.exception, "") << "`" << shown(args) << "` (port in use): run_chat() let an exception out: "
                               << r.exception << ". Catch the std::system_error, print it on std::cerr, return 1";
    EXPECT_EQ(r.rc, 1) << "`" << shown(args) << "`: the port is in use, so run_chat() must return 1";
    EXPECT_EQ(r.out, "") << "`" << shown(args) << "`: nothing may be written to `out`";
    EXPECT_NE(r.err, "") << "`" << shown(args) << "`: say on std::cerr why the port could not be bound";
}

}  // namespace
