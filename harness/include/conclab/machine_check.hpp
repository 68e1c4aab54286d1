#pragma once
// The machine check every command runs before grading anyone (grade, verify,
// batch, list --check excepted: listing trusts no sanitizer).
#include <string>

#include "conclab/build.hpp"
#include "conclab/run.hpp"

namespace conclab {

// run_canary (grade.hpp) in a scratch directory of its own, removed after.
// "" when the tier can be trusted; else what is wrong, for an `error`
// verdict on every test, never a student's failure. Never throws.
std::string check_machine(Runner& runner, const Toolchain& tc);

}  // namespace conclab
