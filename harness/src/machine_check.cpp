// machine_check.hpp: the canary with its scratch directory, written once for
// every command that grades (docs/notes.md, "ThreadSanitizer": run a canary
// before trusting a tier).
#include "conclab/machine_check.hpp"

#include <atomic>
#include <filesystem>

#include <unistd.h>

#include "conclab/grade.hpp"

namespace conclab {

namespace fs = std::filesystem;

std::string check_machine(Runner& runner, const Toolchain& tc) {
    static std::atomic<unsigned> calls{0};
    const fs::path scratch = fs::temp_directory_path() / ("conclab-canary-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(calls.fetch_add(1)));
    std::string problem;
    try {
        fs::create_directories(scratch);
        problem = run_canary(runner, tc, scratch);
    } catch (const std::exception& e) {
        problem = e.what();
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
    return problem;
}

}  // namespace conclab
