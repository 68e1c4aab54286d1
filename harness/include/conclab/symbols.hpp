#pragma once
// Scanning the student's object files for forbidden library calls (e.g. a mutex
// in a lock-free exercise). Undefined symbols are what the code calls out to.
#include <filesystem>
#include <string>
#include <vector>

namespace conclab {

// Demangled undefined symbols of the objects that match any of the RE2 patterns,
// sorted and unique. Throws std::runtime_error if nm fails (grader error).
std::vector<std::string> forbidden_symbols(const std::vector<std::filesystem::path>& objects,
                                           const std::vector<std::string>& patterns);

}  // namespace conclab
