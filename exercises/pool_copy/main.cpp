// pool_copy SRC DST [-j N] — the program around your copy_tree().
// This file is given: do not edit it (the grader uses its own copy).
//
// Prints one summary line on stdout:
//     copied <files> files (<bytes> bytes) with <N> workers, <failed> failed
// then one line per failed file on stderr, sorted:
//     error: <relative/path>: <reason>
// Exit status: 0 all copied, 1 some file failed, 2 bad usage or the copy could not start.
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "pool_copy.hpp"

namespace {

int usage() {
    std::cerr << "usage: pool_copy SRC DST [-j N]\n"
                 "copies the folder SRC into DST with a pool of N worker threads (default 3)\n";
    return 2;
}

// A whole non-negative decimal number, or -1.
long parse_count(const std::string& text) {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stol(text);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> positional;
    long workers = 3;   // the seed's Pool(3)
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-j") {
            if (++i == argc) return usage();
            workers = parse_count(argv[i]);
        } else if (arg.rfind("-j", 0) == 0) {
            workers = parse_count(arg.substr(2));
        } else if (arg == "-h" || arg == "--help") {
            usage();
            return 0;
        } else {
            positional.push_back(arg);
        }
        if (workers < 0) return usage();
    }
    if (positional.size() != 2) return usage();

    try {
        pool_copy::CopyReport report =
            pool_copy::copy_tree(positional[0], positional[1], static_cast<std::size_t>(workers));
        // Tasks finish in any order: sort so the output is the same on every run.
        std::sort(report.errors.begin(), report.errors.end());
        std::cout << "copied " << report.files_copied << " files (" << report.bytes_copied << " bytes) with "
                  << workers << " workers, " << report.errors.size() << " failed" << std::endl;
        for (const auto& e : report.errors) std::cerr << "error: " << e << '\n';
        return report.errors.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "pool_copy: " << e.what() << '\n';
        return 2;
    }
}
