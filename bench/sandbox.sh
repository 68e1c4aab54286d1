#!/bin/sh
# Per-run overhead of each sandbox tier available here against a bare exec of
# the same binary: median (and p90) of RUNS runs, in ms and as a ratio.
#   bench/sandbox.sh [RUNS]        (default 30; needs g++ and Boost 1.74)
# Builds a tiny do-nothing program and bench/sandbox_bench.cpp (linked with
# harness/src/{run,sandbox,cgroup}.cpp, -O2) into a temporary directory.
set -eu
RUNS=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d /tmp/conclab-sandbox-bench-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
chmod 755 "$OUT"   # tiers b/c as root run the program as uid 65534

printf 'int main(void) { return 0; }\n' > "$OUT/noop.c"
cc -O2 -o "$OUT/noop" "$OUT/noop.c"
# and what a grader really runs: a small ThreadSanitizer program with a thread
printf '#include <thread>\nint x;\nint main() { std::thread t([] { x = 1; }); t.join(); return x - 1; }\n' > "$OUT/tsan.cpp"
${CXX:-g++} -std=c++20 -O1 -fsanitize=thread -o "$OUT/tsan" "$OUT/tsan.cpp" -pthread
echo "building the bench driver..." >&2
${CXX:-g++} -std=c++20 -O2 -I"$ROOT/harness/include" \
    "$ROOT/bench/sandbox_bench.cpp" "$ROOT"/harness/src/run*.cpp \
    "$ROOT/harness/src/sandbox.cpp" "$ROOT/harness/src/cgroup.cpp" "$ROOT/harness/src/channel.cpp" \
    -o "$OUT/sandbox_bench" -lboost_filesystem -lsodium -pthread

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), $(id -un)" >&2
"$OUT/sandbox_bench" "$RUNS" "$OUT/noop"
echo
"$OUT/sandbox_bench" "$RUNS" "$OUT/tsan"
