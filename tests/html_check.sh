#!/usr/bin/env bash
# The HTML reports in a real browser (docs/reports.md): a small class is
# batch-graded on `counter`, then Debian's headless Chromium renders the class
# dashboard and one student's report at 1280 px and at phone width (390 px).
# The rendered DOM (after scripts ran) must hold the expected scores, test
# names and source snippets, and nothing may be fetched from the network.
# Screenshots land in BUILD/screenshots/ (docs/img/ holds copies).
#   tests/html_check.sh CONCLAB ROOT WORK
set -euo pipefail
CONCLAB=$1
ROOT=$2
WORK=$3
EX=counter
CLASS=$WORK/class
OUT=$WORK/gradebook
SHOTS=$(dirname "$WORK")/screenshots
rm -rf "$WORK"
mkdir -p "$CLASS" "$SHOTS"

command -v chromium >/dev/null || { echo "html_check: chromium is not installed (ci/setup.sh)"; exit 1; }

. "$ROOT/tests/class.sh"  # put STUDENT DIR
put ada "$ROOT/reference/$EX"                                  # full marks
put bob "$ROOT/exercises/$EX"                                  # the stub: a data race on value_
put cleo "$ROOT/tests/known-wrong/$EX/atomic_load_then_store"  # loses increments, no race
put dan "$ROOT/reference/$EX"                                  # does not compile
printf 'int broken = ;\n' >> "$CLASS/dan/exercises/$EX/$EX.cpp"

"$CONCLAB" batch "$CLASS" --out "$OUT" --exercise "$EX" --jobs 2 > "$WORK/batch.log" 2>&1 || true
grep -q "dashboard: $OUT/index.html" "$WORK/batch.log" || { cat "$WORK/batch.log"; echo "html_check: batch did not write the dashboard"; exit 1; }
for s in ada bob cleo dan; do
  [ -s "$OUT/$s/report.html" ] || { echo "html_check: no $OUT/$s/report.html"; exit 1; }
done

fail=0
check() {  # check FILE WHAT PATTERN: the rendered DOM must match
  if ! grep -qE -- "$3" "$1"; then echo "html_check: $2: not found /$3/ in $1"; fail=1; fi
}
absent() {
  if grep -qE -- "$3" "$1"; then echo "html_check: $2: found /$3/ in $1"; fail=1; fi
}

# Chromium as root (CI) needs --no-sandbox; its own profile dir keeps runs apart.
CHROME=(chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$WORK/chromium-profile"
        --hide-scrollbars --allow-file-access-from-files)
render() {  # render PAGE NAME: DOM at both widths, screenshots at both widths
  local page=$1 name=$2
  for w in 1280 390; do
    local h=900; [ "$w" = 390 ] && h=844
    timeout 120 "${CHROME[@]}" --window-size=$w,$h --dump-dom "file://$page" > "$WORK/$name-$w.dom" 2> "$WORK/$name-$w.err" || true
    timeout 120 "${CHROME[@]}" --window-size=$w,$((h * 3)) --screenshot="$SHOTS/$name-$w.png" "file://$page" \
      > /dev/null 2>> "$WORK/$name-$w.err" || true
    [ -s "$WORK/$name-$w.dom" ] || { cat "$WORK/$name-$w.err"; echo "html_check: chromium rendered nothing for $page"; exit 1; }
    # a PNG, and not a blank one (an empty page compresses to a few hundred bytes)
    head -c 8 "$SHOTS/$name-$w.png" | od -An -tx1 | grep -q "89 50 4e 47" || { echo "html_check: no screenshot $SHOTS/$name-$w.png"; fail=1; }
    [ "$(stat -c %s "$SHOTS/$name-$w.png")" -gt 5000 ] || { echo "html_check: $SHOTS/$name-$w.png looks blank"; fail=1; }
    # the page set data-fits after layout: nothing wider than the window
    check "$WORK/$name-$w.dom" "$name fits $w px" 'data-fits="yes"'
  done
}

render "$OUT/index.html" dashboard
D=$WORK/dashboard-1280.dom
check "$D" "dashboard title" "Class dashboard"
check "$D" "student table" '<tr data-student="ada"><td><a href="ada/report.html">ada</a></td><td class="num" data-v="20">20 / 20</td>'
check "$D" "bob's row" '<tr data-student="bob">'
check "$D" "cleo's row" '<tr data-student="cleo">'
check "$D" "dan's row" '<tr data-student="dan">'
check "$D" "score distribution" '<svg viewBox="[^"]*" width="100%" role="img" aria-label="total scores">'
check "$D" "per-test pass rates" '<tr data-test="counter/increments_are_not_lost">'
check "$D" "per-test pass rates" 'counter/uses_no_locks'
absent "$D" "no network" '(src|href)="(https?:)?//'
# sorting works in the browser: the table script ran without error and bound its headers
check "$D" "sortable" '<th data-sort="num" class="num"|<th class="num" data-sort="num"'

render "$OUT/bob/report.html" report
R=$WORK/report-1280.dom
check "$R" "total" 'id="total">Total: <b>[0-9.]+</b> / 20'
check "$R" "test names" 'data-test="increments_are_not_lost"'
check "$R" "test names" 'data-test="single_thread_counts" data-status="passed"'
check "$R" "failed status" 'data-test="increments_are_not_lost" data-status="failed"'
check "$R" "snippet of the race" '<figure class="snippet" data-file="exercises/counter/counter.cpp"'
check "$R" "marked line" '<span class="mark"><span class="ln">&gt;[0-9]+</span>.*value_'
check "$R" "thread of an access" 'by thread T[0-9]+ — exercises/counter/counter.cpp:[0-9]+'
check "$R" "student's view of the object" 'a member of the `counter::Counter` object the test created'
check "$R" "hint collapsed" '<details class="hint"><summary>Hint</summary>'
absent "$R" "no network" '(src|href)="(https?:)?//'

# the compile error has a caret under the column
render "$OUT/dan/report.html" dan
check "$WORK/dan-1280.dom" "compiler error snippet" '<span class="caret"> *\^</span>'

[ $fail -eq 0 ] || exit 1
echo "html_check: dashboard and reports render in Chromium; screenshots in $SHOTS"
