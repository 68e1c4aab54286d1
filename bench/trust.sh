#!/bin/sh
# What the defences of docs/security.md cost per test and per submission:
#   1. the result channel: a one-test GoogleTest TSan binary with gtest_main
#      and no channel (before) against conclab's trusted main with a sealed
#      channel (now), each run RUNS times in every sandbox tier available;
#   2. sandboxed compilation: compiling the counter reference's counter.cpp
#      with the TSan flags, directly (exec) against in each sandbox tier.
#   bench/trust.sh [RUNS] [BUILD_DIR]     (default 20, build; needs a built tree)
# Prints figures only; nothing here is asserted anywhere.
set -eu
RUNS=${1:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${2:-$ROOT/build}" && pwd)
OUT=$(mktemp -d /tmp/conclab-trust-bench-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
chmod 755 "$OUT"
CXX=${CXX:-g++}
GTEST_INC=/usr/src/googletest/googletest/include

echo "building the bench driver and two test binaries..." >&2
$CXX -std=c++20 -O2 -I"$ROOT/harness/include" \
    "$ROOT/bench/sandbox_bench.cpp" "$ROOT"/harness/src/run*.cpp "$ROOT/harness/src/sandbox.cpp" \
    "$ROOT/harness/src/cgroup.cpp" "$ROOT/harness/src/channel.cpp" \
    -o "$OUT/sandbox_bench" -lboost_filesystem -lsodium -pthread
printf '#include <gtest/gtest.h>\n#include <atomic>\n#include <thread>\nTEST(Bench, OneThread) { std::atomic<int> x{0}; std::thread t([&] { ++x; }); t.join(); EXPECT_EQ(x, 1); }\n' \
    > "$OUT/one_test.cpp"
$CXX -std=c++20 -g -O1 -fsanitize=thread -pthread -isystem "$GTEST_INC" -c "$OUT/one_test.cpp" -o "$OUT/one_test.o"
$CXX -fsanitize=thread -pthread -o "$OUT/before" "$OUT/one_test.o" \
    "$BUILD/lib/libgtest_main_thread.a" "$BUILD/lib/libgtest_thread.a"
$CXX -fsanitize=thread -pthread -o "$OUT/now" "$OUT/one_test.o" \
    "$BUILD/lib/libconclab_main_thread.a" "$BUILD/lib/libgtest_thread.a" -lsodium

# The test binaries' own output (GoogleTest's summary lines) is not a figure.
quiet() { grep -v -e '^\[' -e '^Running main'; }

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), $(id -un)"
echo
echo "== 1. result channel: one GoogleTest test under TSan, gtest_main without a channel (before)"
TSAN_OPTIONS=atexit_sleep_ms=0 "$OUT/sandbox_bench" "$RUNS" "$OUT/before" --gtest_brief=1 | quiet
echo
echo "== 1. ... and conclab's trusted main with a sealed channel and a fresh key per run (now)"
TSAN_OPTIONS=atexit_sleep_ms=0 CONCLAB_BENCH_CHANNEL=1 "$OUT/sandbox_bench" "$RUNS" "$OUT/now" --gtest_brief=1 | quiet
echo
echo "== 2. compiling reference/counter/counter.cpp with the TSan flags: exec (before) vs in each tier (now)"
CONCLAB_BENCH_READABLE="$ROOT/reference/counter" "$OUT/sandbox_bench" "$((RUNS / 4 + 1))" "$(command -v $CXX)" \
    -std=c++20 -g -pthread -Wall -fno-omit-frame-pointer -fsanitize=thread -O1 -fno-inline \
    -c "$ROOT/reference/counter/counter.cpp" -o /dev/null
