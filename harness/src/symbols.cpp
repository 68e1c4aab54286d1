// Symbol scan (analysis step): `nm -C -u` on the student's objects, matched with RE2.
#include "conclab/symbols.hpp"

#include <re2/re2.h>

#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conclab/build.hpp"

namespace conclab {

std::vector<std::string> forbidden_symbols(const std::vector<std::filesystem::path>& objects,
                                           const std::vector<std::string>& patterns) {
    std::vector<std::unique_ptr<RE2>> res;
    for (const auto& p : patterns) {
        auto re = std::make_unique<RE2>(p, RE2::Quiet);
        if (!re->ok()) throw std::invalid_argument("bad symbol pattern '" + p + "' in the manifest: " + re->error());
        res.push_back(std::move(re));
    }
    std::set<std::string> hits;
    for (const auto& obj : objects) {
        CommandResult r = run_command({"nm", "-C", "-u", obj.string()});
        if (r.exit_code != 0) throw std::runtime_error("nm failed on " + obj.string() + ": " + r.output);
        std::istringstream in(r.output);
        std::string line;
        while (std::getline(in, line)) {
            // "                 U pthread_mutex_lock"
            auto u = line.find(" U ");
            std::string sym = u == std::string::npos ? line : line.substr(u + 3);
            for (const auto& re : res)
                if (RE2::PartialMatch(sym, *re)) hits.insert(sym);
        }
    }
    return {hits.begin(), hits.end()};
}

}  // namespace conclab
