#!/usr/bin/env bash
# The handout's README is the students' one (handout/README.md): no TA or
# maintainer sections, and every link stays inside the handout and resolves.
# The handout also ships .devcontainer/ and each exercise's README.zh.md,
# whose code blocks are exactly the English statement's.
#   tests/handout_readme_check.sh CONCLAB ROOT
set -euo pipefail
CONCLAB=$1
ROOT=$2
OUT=$(mktemp -d "${TMPDIR:-/tmp}/conclab-handout-readme-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
"$CONCLAB" handout --out "$OUT/repo" > "$OUT/handout.log" 2>&1 || { cat "$OUT/handout.log"; exit 1; }
H=$OUT/repo
fail=0
bad() { echo "handout_readme_check: $*"; fail=1; }

cmp -s "$H/README.md" "$ROOT/handout/README.md" || bad "the handout's README.md is not handout/README.md"

# No TA or maintainer material.
if grep -nEi '^#+ .*\b(TAs?|teaching assistants?|maintainers?|course staff)\b' "$H/README.md"; then bad "a TA/maintainer section"; fi
if grep -nE 'conclab (batch|handout|verify|calibrate)|SPEC\.md|NOTES\.md|reference/' "$H/README.md"; then bad "TA commands or course-staff files"; fi

# Links: relative, inside the handout, existing. (Markdown [text](target) and <a href>.)
links=$(grep -oE '\]\([^)]+\)' "$H/README.md" | sed -E 's/^\]\((.*)\)$/\1/'; grep -oE 'href="[^"]+"' "$H/README.md" | sed -E 's/^href="(.*)"$/\1/' || true)
for l in $links; do
  target=${l%%#*}
  case "$l" in
    *://*|//*|mailto:*) bad "link leaves the repository: $l"; continue ;;
    /*) bad "absolute link: $l"; continue ;;
  esac
  [ -z "$target" ] && continue
  resolved=$(realpath -m "$H/$target")
  case "$resolved" in "$H"/*) ;; *) bad "link leaves the handout: $l"; continue ;; esac
  [ -e "$resolved" ] || bad "link to a missing file: $l"
done

[ -f "$H/.devcontainer/devcontainer.json" ] || bad "no .devcontainer/devcontainer.json in the handout"
[ -f "$H/.devcontainer/post-create.sh" ] || bad "no .devcontainer/post-create.sh in the handout"

# fenced code blocks of a Markdown file, in order
blocks() { awk '/^```/{inb=!inb; print "----"; next} inb{print}' "$1"; }
for d in "$H"/exercises/*/; do
  ex=$(basename "$d")
  [ -f "$d/README.zh.md" ] || { bad "no exercises/$ex/README.zh.md"; continue; }
  grep -q '(README.zh.md)' "$d/README.md" || bad "exercises/$ex/README.md does not link README.zh.md"
  grep -q '(README.md)' "$d/README.zh.md" || bad "exercises/$ex/README.zh.md does not link back to README.md"
  if ! diff <(blocks "$d/README.md") <(blocks "$d/README.zh.md") > "$OUT/diff-$ex"; then
    bad "exercises/$ex: README.zh.md's code blocks differ from README.md's:"; head -20 "$OUT/diff-$ex"
  fi
  # mostly Chinese prose, not an English copy
  han=$(grep -oP '\p{Han}' "$d/README.zh.md" | wc -l)
  [ "$han" -gt 300 ] || bad "exercises/$ex/README.zh.md has $han Chinese characters: not translated?"
done

[ $fail -eq 0 ] || exit 1
echo "handout_readme_check: the student README, .devcontainer/ and README.zh.md ×$(ls -d "$H"/exercises/*/ | wc -l) are in the handout"
