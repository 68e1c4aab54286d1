#!/usr/bin/env bash
# Batch-grading benchmark: makes N synthetic submissions (default 100) for one
# exercise (default counter), grades them with `conclab batch`, and prints
# submissions/minute and the ratio to the floor.
#
#   bench/batch.sh [-n N] [-j JOBS] [-e EXERCISE|all] [--keep]
#   bench/batch.sh --backend slurm [-n N] [--chunks "1 4"] [--keep]
#
# --backend slurm: grades the same class locally (JOBS = cores) and then with
# `--backend slurm` once per chunk size in --chunks (default: conclab's own
# choice), and prints the Slurm overhead per submission against local and the
# chunk size conclab chose. Uses the cluster in $SLURM_CONF when one answers;
# otherwise (as root) starts the one-node test cluster (tests/slurm/cluster.sh)
# in a temporary directory and stops it at the end. No floor in this mode.
#
# -e all: the same for every exercise in turn (N each, default 20), then one
# table: batch and floor seconds, their ratio, and what the hanging submission
# cost in the batch (its own grading time) for each exercise.
#
# The mix (for N = 100): 35 reference, 20 untouched stub, 30 known-wrong (the
# cases of tests/known-wrong/EX in turn), 10 that do not compile, 5 that hang.
#
# The floor is what grading cannot avoid: compiling the student's files for
# each build of the manifest, linking them, and running every test's binary
# directly (no engine, no sandbox, no result parsing), with the tests' wall
# limits; a repeated test stops at its first failing run, as in the engine.
# Grader objects are compiled beforehand and not counted (conclab caches
# them too). It is measured in the same run on one submission of each kind (the
# faster of two runs) and weighted by the mix; with J jobs the floor rate is
# J x 60 / (floor seconds per submission). ratio = batch time / floor time
# (1.0 = no overhead at all).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=100
JOBS=$(nproc)
EX=counter
KEEP=0
BACKEND=local
CHUNKS=auto
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    -j | --jobs) JOBS=$2; shift 2 ;;
    -e | --exercise) EX=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --backend) BACKEND=$2; shift 2 ;;
    --chunks) CHUNKS=$2; shift 2 ;;
    -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "bench/batch.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

BUILD=${BUILD:-$ROOT/build}
CONCLAB=$BUILD/bin/conclab
if [ "$EX" = all ]; then
  [ "$N" != 100 ] || N=20
  SUMMARY=$(mktemp)
  for dir in "$ROOT"/exercises/*/; do
    ex=$(basename "$dir")
    [ -d "$ROOT/reference/$ex" ] || continue
    echo "=================== $ex"
    "$0" -n "$N" -j "$JOBS" -e "$ex" | tee "$SUMMARY.$ex"
    awk -v ex="$ex" '
      /^batch: .* submissions in .* s with/ { b = $5 }
      /^floor: .* s of compiling/ { f = $2 }
      /^ratio:/ { r = $5 }
      $1 == "hang" { h = $3 }
      END { printf "%-12s %9s %9s %7s %12s\n", ex, b " s", (f == "" ? "?" : f " s/sub"), r, (h == "" ? "-" : h " s") }' \
      "$SUMMARY.$ex" >> "$SUMMARY"
  done
  echo
  printf '%-12s %9s %9s %7s %12s\n' exercise batch floor ratio "hang costs"
  cat "$SUMMARY"
  rm -f "$SUMMARY" "$SUMMARY".*
  exit 0
fi
if [ ! -x "$CONCLAB" ]; then
  echo "== building conclab in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja > /dev/null
  cmake --build "$BUILD" --target conclab
fi
[ -f "$ROOT/exercises/$EX/exercise.yaml" ] || { echo "no exercise $EX" >&2; exit 2; }
[ -d "$ROOT/reference/$EX" ] || { echo "no reference/$EX" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/conclab-bench-XXXXXX")
CLUSTER=""
cleanup() {
  [ -z "$CLUSTER" ] || bash "$ROOT/tests/slurm/cluster.sh" stop "$CLUSTER" || true
  [ "$KEEP" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
SUBS=$WORK/submissions
SAMPLES=$WORK/samples
mkdir -p "$SUBS" "$SAMPLES"

# ---- one folder per kind of submission (flat: EX.hpp, EX.cpp)
make_kind() { mkdir -p "$SAMPLES/$1"; cp "$2/$EX.hpp" "$2/$EX.cpp" "$SAMPLES/$1/"; }
make_kind reference "$ROOT/reference/$EX"
make_kind stub "$ROOT/exercises/$EX"
make_kind broken "$ROOT/exercises/$EX"
printf '\nthis line does not compile\n' >> "$SAMPLES/broken/$EX.cpp"
make_kind hang "$ROOT/reference/$EX"
# The hanging submission: the reference with its main entry points sleeping
# for an hour, as a student's deadlock would (a sleep before main instead would
# be refused at build time: no code may run before main, docs/security.md).
case $EX in
  counter) hang_at='long count_with_threads(int threads, long per_thread) {' ;;   # only the tests that start threads hang
  pipes) hang_at='std::pair<Connection, Connection> make_pipe() {|Child spawn(std::function<int(Connection&)> body) {' ;;
  pool_copy) hang_at='WorkerPool::WorkerPool(std::size_t workers) {|CopyReport copy_tree(const fs::path& src, const fs::path& dst, std::size_t workers) {' ;;
  round_robin) hang_at='std::vector<std::string> run_round_robin(std::vector<Task> tasks, double share, std::ostream& log) {' ;;
  udp_chat) hang_at='Endpoint::Endpoint(std::uint16_t port, const std::string& host) {|int run_chat(int argc, char** argv, std::istream& in, std::ostream& out) {' ;;
  *) hang_at='' ;;
esac
IFS='|' read -r -a hang_lines <<< "$hang_at"
for line in "${hang_lines[@]}"; do
  grep -qF "$line" "$SAMPLES/hang/$EX.cpp" || { echo "bench: no line '$line' in reference/$EX/$EX.cpp" >&2; exit 2; }
  escaped=$(printf '%s' "$line" | sed 's/[][\\/.*^$&]/\\&/g')
  sed -i "s/^$escaped\$/&\n    std::this_thread::sleep_for(std::chrono::hours(1));/" "$SAMPLES/hang/$EX.cpp"
done
sed -i '1i #include <chrono>\n#include <thread>' "$SAMPLES/hang/$EX.cpp"
WRONG=()
for c in "$ROOT/tests/known-wrong/$EX"/*/; do
  [ -f "$c/$EX.cpp" ] && [ -f "$c/$EX.hpp" ] || continue
  name=kw-$(basename "$c")
  make_kind "$name" "${c%/}"
  WRONG+=("$name")
done

# ---- the class: N submissions, the mix above
kind_of() {   # index -> kind
  local i=$1 p=$(( $1 * 100 / N ))
  if [ $p -lt 35 ]; then echo reference
  elif [ $p -lt 55 ]; then echo stub
  elif [ $p -lt 85 ] && [ ${#WRONG[@]} -gt 0 ]; then echo "${WRONG[$(( i % ${#WRONG[@]} ))]}"
  elif [ $p -lt 85 ]; then echo stub
  elif [ $p -lt 95 ]; then echo broken
  else echo hang
  fi
}
declare -A COUNT=()
for i in $(seq 0 $((N - 1))); do
  kind=$(kind_of "$i")
  id=$(printf 's%03d' "$i")
  mkdir -p "$SUBS/$id/exercises/$EX"
  cp "$SAMPLES/$kind/$EX.hpp" "$SAMPLES/$kind/$EX.cpp" "$SUBS/$id/exercises/$EX/"
  # a comment makes every submission's content (and hash) its own
  printf '\n// submission %s\n' "$id" >> "$SUBS/$id/exercises/$EX/$EX.cpp"
  COUNT[$kind]=$(( ${COUNT[$kind]:-0} + 1 ))
  echo "$id $kind" >> "$WORK/kinds.txt"
done
echo "== $N submissions for $EX:$(for k in "${!COUNT[@]}"; do printf ' %s=%s' "$k" "${COUNT[$k]}"; done)"

# ---- --backend slurm: local against Slurm on the same class
if [ "$BACKEND" = slurm ]; then
  if ! sinfo -h > /dev/null 2>&1; then
    CLUSTER=$WORK/cluster
    chmod 755 "$WORK"   # munged runs as user munge and must reach its socket directory
    echo "== no cluster answers (SLURM_CONF=${SLURM_CONF:-unset}): starting the one-node test cluster"
    bash "$ROOT/tests/slurm/cluster.sh" start "$CLUSTER"
    # shellcheck disable=SC1091
    . "$CLUSTER/env"
  fi
  timed() {  # timed LOG CMD…: runs it, prints its seconds
    local log=$1 s e
    shift
    s=$(date +%s%N)
    "$@" > "$log" 2>&1 || echo "(exit $? — log: $log)" >&2
    e=$(date +%s%N)
    awk -v ns=$((e - s)) 'BEGIN { printf "%.1f", ns / 1e9 }'
  }
  echo "== local: conclab batch with $JOBS jobs"
  LOCAL=$(timed "$WORK/local.log" "$CONCLAB" batch "$SUBS" --out "$WORK/out-local" --jobs "$JOBS" --exercise "$EX")
  echo "local: $N submissions in $LOCAL s"
  for c in $CHUNKS; do
    arg=()
    [ "$c" = auto ] || arg=(--chunk "$c")
    echo "== slurm: conclab batch --backend slurm ${arg[*]}"
    T=$(timed "$WORK/slurm-$c.log" "$CONCLAB" batch "$SUBS" --out "$WORK/out-slurm-$c" --exercise "$EX" --backend slurm "${arg[@]}")
    chosen=$(sed -n 's/.* in \([0-9]*\) array tasks of \([0-9]*\) submission.*/\2 (\1 tasks)/p' "$WORK/slurm-$c.log")
    pre=$(sed -n 's/^preflight on .*(\([0-9]*\)s)$/\1/p' "$WORK/slurm-$c.log")
    diff <(tr -d '\r' < "$WORK/out-local/gradebook.csv") <(tr -d '\r' < "$WORK/out-slurm-$c/gradebook.csv") > /dev/null &&
      same="same gradebook as local" || same="GRADEBOOK DIFFERS from local"
    awk -v n="$N" -v l="$LOCAL" -v t="$T" -v c="$chosen" -v p="${pre:-?}" -v same="$same" 'BEGIN {
      printf "slurm (chunk %s): %d submissions in %.1f s (preflight %s s); local %.1f s\n", c, n, t, p, l
      printf "  overhead per submission: %+.2f s (%+.1f%% over local); %s\n", (t - l) / n, (t / l - 1) * 100, same }'
  done
  exit 0
fi

# ---- the batch
echo "== conclab batch with $JOBS jobs"
start=$(date +%s%N)
set +e
"$CONCLAB" batch "$SUBS" --out "$WORK/out" --jobs "$JOBS" --exercise "$EX" > "$WORK/batch.log" 2>&1
rc=$?
set -e
end=$(date +%s%N)
tail -n 25 "$WORK/batch.log"
[ $rc -eq 0 ] || echo "(conclab batch exited $rc; log: $WORK/batch.log)"
BATCH_MS=$(( (end - start) / 1000000 ))
BATCH_SECONDS=$(( BATCH_MS / 1000 )).$(printf '%03d' $(( BATCH_MS % 1000 )))
echo "batch: $N submissions in ${BATCH_SECONDS} s"

# ---- the floor
FLOOR_JSON=$WORK/floor.json
if python3 -c 'import yaml' 2> /dev/null; then
  echo "== floor: compile + run each kind (the faster of two runs), no engine, no sandbox"
  python3 - "$ROOT" "$EX" "$SAMPLES" "$BUILD" "$FLOOR_JSON" "${!COUNT[@]}" << 'PY'
import json, os, re, shutil, subprocess, sys, tempfile, time
import yaml

root, ex, samples, build, out_json = sys.argv[1:6]
kinds = sorted(sys.argv[6:])   # the kinds in the mix
m = yaml.safe_load(open(f"{root}/exercises/{ex}/exercise.yaml"))
gtest_inc = "/usr/src/googletest/googletest/include"
libdir = f"{build}/lib"
cxx = os.environ.get("CXX", "c++")

def duration(text, default):
    if text is None: return default
    mm = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m|min)?\s*", str(text))
    n, u = float(mm.group(1)), mm.group(2) or "s"
    return n / 1000 if u == "ms" else n * 60 if u in ("m", "min") else n

ex_wall = duration((m.get("limits") or {}).get("wall"), 10)
# The engine's wall limits (docs/manifest.md, "Time limits"): pinned in the
# manifest, else max(floor, factor x the reference's time) from calibration.yaml.
cal_path = f"{root}/exercises/{ex}/calibration.yaml"
cal = (yaml.safe_load(open(cal_path)) or {}).get("seconds", {}) if os.path.exists(cal_path) else {}
cal_conf = m.get("calibration") or {}
def wall_of(t):
    pinned = t.get("timeout") or (t.get("limits") or {}).get("wall")
    if pinned: return duration(pinned, ex_wall)
    if t["name"] in cal:
        lim = max(duration(cal_conf.get("floor"), 3), float(cal_conf.get("factor", 10)) * float(cal[t["name"]]))
        return -(-lim * 10 // 1) / 10
    return ex_wall
builds = m["builds"]
SAN = {"thread": ["-fsanitize=thread"], "address": ["-fsanitize=address,undefined,leak", "-fno-sanitize-recover=undefined"], "none": []}
base = ["-std=c++20", "-g", "-pthread", "-Wall", "-fno-omit-frame-pointer"]

def flags(b):
    san = b.get("sanitizer", "thread")
    opt = b.get("optimize") or ("-O2" if san == "none" else "-O1")
    return base + SAN[san] + [opt], san

def run(argv, cwd, timeout=None, **kw):
    return subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, **kw)

results = {}
supp = f"{root}/graders/{ex}/tsan.supp"
# Each kind twice, keeping the faster: a racy submission can stall once on an
# unsandboxed run and would inflate the floor. (The hanging kind sits at its wall
# limits every time: once is enough.)
for kind in [k for k in kinds for _ in range(1 if k == "hang" else 2)]:
    tmp = tempfile.mkdtemp(prefix="conclab-floor-")
    try:
        exdir = f"{tmp}/exercises/{ex}"
        os.makedirs(exdir); os.makedirs(f"{tmp}/obj"); os.makedirs(f"{tmp}/bin")
        for f in os.listdir(f"{root}/exercises/{ex}"):
            if f not in ("README.md", "exercise.yaml") and os.path.isfile(f"{root}/exercises/{ex}/{f}"):
                shutil.copy(f"{root}/exercises/{ex}/{f}", exdir)
        for f in m["files"]:
            shutil.copy(f"{samples}/{kind}/{f}", exdir)
        # as build.cpp: the exercise, its graders, the grader kit (graders/common)
        inc = ["-I", exdir, "-I", f"{root}/graders/{ex}", "-I", f"{root}/graders/common", "-isystem", gtest_inc]
        # grader objects: not timed (conclab caches them)
        grader_objs = {}
        for name, b in builds.items():
            fl, san = flags(b)
            srcs = [f"{root}/graders/{ex}/{s}" for s in b.get("sources", [])]
            if b.get("main"): srcs.append(f"{exdir}/{b['main']}")
            objs = []
            for s in srcs:
                o = f"{tmp}/obj/g-{name}-{os.path.basename(s)}.o"
                run([cxx] + fl + inc + ["-c", s, "-o", o], tmp)
                objs.append(o)
            grader_objs[name] = objs
        # timed: the student's files, the links, the tests
        t0 = time.monotonic()
        student = {}
        ok = True
        for name, b in builds.items():
            fl, san = flags(b)
            variant = san + fl[-1]
            for f in m["files"]:
                if not f.endswith((".cpp", ".cc", ".cxx")): continue
                o = f"{tmp}/obj/{variant}-{f}.o"
                if o not in student:
                    extra = ["-fno-inline"] if san != "none" else []
                    student[o] = run([cxx] + fl + extra + inc + ["-c", f"exercises/{ex}/{f}", "-o", o], tmp).returncode == 0
                ok = ok and student[o]
        exes = {}
        if ok:
            for name, b in builds.items():
                fl, san = flags(b)
                variant = san + fl[-1]
                objs = [f"{tmp}/obj/{variant}-{f}.o" for f in m["files"] if f.endswith((".cpp", ".cc", ".cxx"))]
                argv = [cxx] + SAN[san] + ["-pthread", "-o", f"{tmp}/bin/{name}"] + objs + grader_objs[name]
                if not b.get("main"):   # the engine's trusted main, as build.cpp links it
                    argv += [f"{libdir}/libconclab_main_{san}.a", f"{libdir}/libgtest_{san}.a", "-lsodium"]
                argv += b.get("link", [])
                if run(argv, tmp).returncode == 0: exes[name] = f"{tmp}/bin/{name}"
            for t in m["tests"]:
                if "symbols" in t:
                    run(["nm", "-C", "-u"] + [o for o in student], tmp)
                    continue
                b = builds[t["build"]]
                exe = exes.get(t["build"])
                if not exe: continue
                wall = wall_of(t)
                # GoogleTest builds run one test, as the engine does: `gtest:`, else
                # the TEST of the same name (manifest.cpp, default_gtest_filter).
                filt = [] if b.get("main") else [f"--gtest_filter={t.get('gtest') or '*.' + t['name']}"]
                argv = [exe] + filt + [str(a) for a in t.get("args", [])]
                env = {"PATH": "/usr/bin:/bin", "CONCLAB_BIN": f"{tmp}/bin", "CONCLAB_SEED": "1",
                       "CONCLAB_EXERCISE": ex, "CONCLAB_TEST": t["name"],
                       "TSAN_OPTIONS": "halt_on_error=1 exitcode=66 detect_deadlocks=1 second_deadlock_stack=1 "
                                       "report_thread_leaks=1 io_sync=1 atexit_sleep_ms=0 log_path=" + f"{tmp}/tsan"
                                       + (f" suppressions={supp}" if os.path.exists(supp) else ""),
                       "ASAN_OPTIONS": "halt_on_error=1 detect_leaks=1 log_path=" + f"{tmp}/asan"}
                # like the engine: a repeated test stops at its first failing run
                for _ in range(int(t.get("repeat", 1))):
                    work = tempfile.mkdtemp(dir=tmp)
                    try:
                        rc = run(argv, work, timeout=wall, env=env, input=str(t.get("stdin", "")).encode()).returncode
                    except subprocess.TimeoutExpired:
                        break
                    if rc != 0:
                        break
        took = time.monotonic() - t0
        results[kind] = min(results.get(kind, took), took)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
for kind in kinds:
    print(f"  {kind:32s} {results[kind]:6.1f} s")
json.dump(results, open(out_json, "w"))
PY
else
  echo "== floor: skipped (needs python3 and python3-yaml: apt-get install python3-yaml)"
fi

# ---- the numbers
python3 - "$N" "$JOBS" "$BATCH_SECONDS" "$FLOOR_JSON" "$WORK/kinds.txt" "$WORK/batch.log" << 'PY'
import collections, json, os, re, sys
n, jobs, secs, floor_json = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
kind_of = dict(line.split() for line in open(sys.argv[5]))   # submission id -> kind
batch_log = sys.argv[6]
rate = n / (secs / 60)
print(f"\nbatch: {n} submissions in {secs:.0f} s with {jobs} jobs: {rate:.1f} submissions/minute")
if os.path.exists(floor_json):
    floor = json.load(open(floor_json))
    mix = collections.Counter(kind_of.values())
    total = sum(floor.get(k, 0) * c for k, c in mix.items())
    per = total / n
    floor_secs = total / jobs
    floor_rate = n / (floor_secs / 60)
    print(f"floor: {per:.1f} s of compiling + running per submission; with {jobs} jobs {floor_rate:.1f} submissions/minute")
    print(f"ratio: the batch took {secs / floor_secs:.2f}x the floor ({rate / floor_rate:.0%} of the floor's rate)")
    # Per kind: each submission's own grading time as the batch log prints it
    # (measured while the other jobs ran too) against the floor's. Hangs sit at
    # their wall limits on both sides, so the ratio without them is the
    # engine's overhead on the work that is compute-bound.
    took = {}
    for m in re.finditer(r"^\[\s*\d+/\d+\] (\S+): .*\(([0-9.]+) s\)$", open(batch_log).read(), re.M):
        took.setdefault(kind_of.get(m.group(1), "?"), []).append(float(m.group(2)))
    print(f"\n  {'kind':32s} {'n':>3s} {'batch s/sub':>11s} {'floor s/sub':>11s}")
    busy = base = 0.0
    for k in sorted(took):
        mean = sum(took[k]) / len(took[k])
        f = floor.get(k)
        print(f"  {k:32s} {len(took[k]):3d} {mean:11.1f} {f if f is not None else float('nan'):11.1f}")
        if k != "hang" and f is not None:
            busy += sum(took[k]); base += f * len(took[k])
    if base > 0:
        print(f"without the hanging submissions: {busy / base:.2f}x the floor per submission")
PY
