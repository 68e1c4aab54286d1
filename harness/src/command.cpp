// Running trusted tools (the compiler, nm) with a time limit and captured output.
// Student programs never go through here: they go through the sandbox (run.cpp).
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/search_path.hpp>

#include <signal.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "conclab/build.hpp"

namespace conclab {

namespace bp = boost::process;

namespace {
// Children inherit every fd by default with Boost.Process v1 (docs/notes.md, "Processes"): close them.
struct close_inherited_fds : bp::extend::handler {
    template <class Exec>
    void on_exec_setup(Exec&) const {
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        ::setpgid(0, 0);  // own process group, so a timeout can kill the compiler's children too
    }
};
}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          std::chrono::seconds limit, std::size_t max_output) {
    CommandResult result;
    boost::asio::io_context io;
    bp::async_pipe pipe(io);
    boost::asio::streambuf buffer;
    std::error_code ec;
    const std::size_t cap = max_output;
    // Boost.Process v1 does not search PATH by itself.
    boost::filesystem::path exe = argv.at(0);
    if (!exe.has_parent_path()) exe = bp::search_path(argv[0]);
    if (exe.empty()) {
        result.output = "cannot run " + argv[0] + ": not found in PATH";
        return result;
    }
    bp::child child(bp::exe = exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                    bp::start_dir = cwd.empty() ? std::filesystem::current_path().string() : cwd.string(),
                    (bp::std_out & bp::std_err) > pipe, bp::std_in < bp::null, close_inherited_fds{}, ec);
    if (ec) {
        result.output = "cannot run " + argv[0] + ": " + ec.message();
        return result;
    }
    boost::asio::steady_timer timer(io, limit);
    bool timed_out = false;
    std::function<void(const boost::system::error_code&, std::size_t)> on_read;
    on_read = [&](const boost::system::error_code& err, std::size_t) {
        if (err) {  // EOF: the tool and everything it started are done
            timer.cancel();
            return;
        }
        if (buffer.size() > cap) buffer.consume(buffer.size() - cap);
        boost::asio::async_read(pipe, buffer, boost::asio::transfer_at_least(1), on_read);
    };
    boost::asio::async_read(pipe, buffer, boost::asio::transfer_at_least(1), on_read);
    timer.async_wait([&](const boost::system::error_code& err) {
        if (err) return;
        timed_out = true;
        ::kill(-child.id(), SIGKILL);  // the whole group: g++ and its cc1plus/as/ld
    });
    io.run();
    child.wait(ec);
    result.exit_code = timed_out ? -1 : child.exit_code();
    result.output.assign(std::istreambuf_iterator<char>(&buffer), {});
    if (timed_out) result.output += "\n(stopped after " + std::to_string(limit.count()) + " s)";
    return result;
}

}  // namespace conclab
