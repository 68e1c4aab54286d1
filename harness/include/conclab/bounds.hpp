#pragma once
// Size bounds on what a result carries, whatever the program printed, so
// results.json always uploads (Gradescope, an LMS): each test's output at most
// kTestOutputBytes (head and tail kept, the cut said), the whole results.json
// at most kResultJsonBytes (docs/security.md).
#include <cstddef>
#include <string>
#include <string_view>

#include "conclab/result.hpp"

namespace conclab {

constexpr std::size_t kTestOutputBytes = 64 * 1024;
constexpr std::size_t kTestMessageBytes = 16 * 1024;
constexpr std::size_t kResultJsonBytes = 1024 * 1024;

// `text` if it fits in `max` bytes; else its head and tail with a line
// "[... N bytes cut ...]" between them, `max` bytes at most in all. Never
// splits a UTF-8 sequence.
std::string bounded(std::string_view text, std::size_t max);

// Applies the per-test bounds, then shrinks outputs, then messages, until
// to_json(r) fits in `max_json` bytes.
void bound_result(SubmissionResult& r, std::size_t max_json = kResultJsonBytes);

}  // namespace conclab
