// The seed's trace (Task1 need 12, Task2 need 11, share 0.5), exactly as the
// statement gives it: both round_robin graders compare against it.
#pragma once

namespace round_robin_grader {

inline constexpr const char* kSeedTrace = R"(Task1 need: 12 slice: 6
Task2 need: 11 slice: 5
Task1 need: 6
Task2 need: 6
Task1 need: 0
Task1 finished
Task2 need: 1
Task2 need: 0
Task2 finished
All finished!
)";

}  // namespace round_robin_grader
