// round_robin: the seed program. Not edited by students.
//
//   round_robin                          the seed's two tasks (Task1 need 12, Task2 need 11, share 0.5)
//   round_robin SHARE NAME:NEED ...      your own mix, e.g.  round_robin 0.25 A:10 B:3 C:0
//
// Tasks and scheduler log to standard output; the order in which the tasks
// finished goes to standard error, so stdout is exactly the log.
#include "round_robin.hpp"

#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
    double share = 0.5;
    std::vector<std::pair<std::string, int>> mix = {{"Task1", 12}, {"Task2", 11}};
    if (argc > 1) {
        share = std::atof(argv[1]);
        mix.clear();
        for (int k = 2; k < argc; ++k) {
            const std::string arg = argv[k];
            const auto colon = arg.rfind(':');
            if (colon == std::string::npos || colon == 0) {
                std::cerr << "usage: " << argv[0] << " [SHARE NAME:NEED ...]\n";
                return 2;
            }
            mix.emplace_back(arg.substr(0, colon), std::atoi(arg.c_str() + colon + 1));
        }
    }

    std::vector<round_robin::Task> tasks;
    for (const auto& [name, need] : mix) tasks.push_back(round_robin::countdown(name, need, std::cout));
    const std::vector<std::string> finished = round_robin::run_round_robin(std::move(tasks), share, std::cout);

    std::cerr << "finished in this order:";
    for (const std::string& name : finished) std::cerr << ' ' << name;
    std::cerr << '\n';
    return 0;
}
