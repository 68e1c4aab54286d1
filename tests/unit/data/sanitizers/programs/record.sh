#!/bin/bash
# Re-records one report: record.sh CASE EXERCISE thread|address [OUT]
# Builds programs/CASE.student.cpp as exercises/EXERCISE/EXERCISE.cpp (and CASE.hpp as
# EXERCISE.hpp) and CASE.driver.cpp as graders/EXERCISE/driver.cpp in a scratch directory
# /tmp/conclab-scratch-CASE, with the engine's flags, runs it with the grading options,
# and copies the report (the log_path file; for UBSan, stderr) to OUT.
# Set ABS=1 to compile with absolute paths, GTEST=1 to link GoogleTest (BUILD=the build dir).
set -e
case=$1; ex=$2; san=$3; out=${4:-/dev/stdout}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(cd "$here/../../../../.." && pwd)/build}   # the repository's build dir
d=/tmp/conclab-scratch-$case
rm -rf "$d"; mkdir -p "$d/exercises/$ex" "$d/graders/$ex" "$d/logs" "$d/bin"
cp "$here/$case.student.cpp" "$d/exercises/$ex/$ex.cpp"
cp "$here/$case.driver.cpp" "$d/graders/$ex/driver.cpp"
if [ -f "$here/$case.hpp" ]; then cp "$here/$case.hpp" "$d/exercises/$ex/$ex.hpp"; fi
cd "$d"
P=; if [ -n "$ABS" ]; then P=$d/; fi
common="-std=c++20 -g -pthread -Wall -fno-omit-frame-pointer -Iexercises/$ex -I/usr/src/googletest/googletest/include"
if [ "$san" = thread ]; then S="-fsanitize=thread -O1"; else S="-fsanitize=address,undefined,leak -O1"; fi
LIBS=; if [ -n "$GTEST" ]; then LIBS="$build/lib/libgtest_main_$san.a $build/lib/libgtest_$san.a"; fi
g++ $common $S -fno-inline -c "${P}exercises/$ex/$ex.cpp" -o bin/student.o
g++ $common $S -c "${P}graders/$ex/driver.cpp" -o bin/driver.o
g++ $common $S bin/student.o bin/driver.o -o bin/prog $LIBS
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 detect_deadlocks=1 second_deadlock_stack=1 report_thread_leaks=1 report_destroy_locked=1 report_mutex_bugs=1 io_sync=1 atexit_sleep_ms=0 history_size=7 log_path=$d/logs/tsan"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=67:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:alloc_dealloc_mismatch=1:new_delete_type_mismatch=1:handle_abort=1:color=never:log_path=$d/logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:color=never:log_path=$d/logs/asan"
set +e
timeout 20 ./bin/prog >/dev/null 2>logs/stderr
echo "exit code $?" >&2
logs=$(find logs -name 'tsan.*' -o -name 'asan.*')
if [ -n "$logs" ]; then cat $logs >"$out"; else cat logs/stderr >"$out"; fi
