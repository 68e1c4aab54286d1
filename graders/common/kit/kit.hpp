// The whole grader kit (graders/common/README.md).
#pragma once

#include "kit/census.hpp"
#include "kit/child.hpp"
#include "kit/printable.hpp"
#include "kit/seed.hpp"
#include "kit/start_line.hpp"
#include "kit/watchdog.hpp"
