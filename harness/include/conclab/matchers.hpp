#pragma once
// Output matchers (docs/manifest.md). RE2 everywhere: output is untrusted and
// std::regex overflows the stack on long lines.
#include <optional>
#include <string>
#include <string_view>

#include "conclab/manifest.hpp"

namespace conclab {

// Normalises line ends ("\r\n" -> "\n") and trailing blanks (spaces, tabs, per line
// and at the end, including trailing empty lines). A lone '\r' inside a line stays.
std::string normalize_output(std::string_view text);

// nullopt if the output satisfies the matcher, else a short student-facing
// explanation ("line 3: expected `Task1 need: 6` but your program printed
// `Task2 need: 6`"; "missing line `X`"; "unexpected line `Y`"; at most 3 lines are
// listed, each cut to 120 characters, control and non-UTF-8 bytes shown as \xNN).
// Every kind works on normalize_output(output); exact/contains texts and lines/unordered
// lines are normalised the same way. regex: RE2 partial match; full_regex: RE2 full
// match ('.' does not match '\n' unless the pattern says (?s)); forbid: RE2 partial
// match per line. Linear in the output size.
// An invalid RE2 pattern is the manifest's fault: throws std::invalid_argument whose
// what() starts with "manifest error:" and quotes the pattern.
std::optional<std::string> check_output(const OutputMatcher& m, std::string_view output);

}  // namespace conclab
