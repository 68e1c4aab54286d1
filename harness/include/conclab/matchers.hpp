#pragma once
// Output matchers (docs/manifest.md). RE2 everywhere: output is untrusted and
// std::regex overflows the stack on long lines.
#include <optional>
#include <string>
#include <string_view>

#include "conclab/manifest.hpp"

namespace conclab {

// Normalises line ends and trailing blanks (per line and at the end).
std::string normalize_output(std::string_view text);

// nullopt if the output satisfies the matcher, else a short student-facing
// explanation ("line 3: expected `Task1 need: 6`, got `Task2 need: 6`").
std::optional<std::string> check_output(const OutputMatcher& m, std::string_view output);

}  // namespace conclab
