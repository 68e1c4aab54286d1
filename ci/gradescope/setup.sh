#!/usr/bin/env bash
# Gradescope autograder setup (runs once, as root, when Gradescope builds the
# autograder image): installs conclab's packages and builds conclab.
#
# Making the autograder zip — from the course repository:
#
#   rm -rf /tmp/ag && mkdir /tmp/ag
#   git archive HEAD | tar -x -C /tmp/ag            # or: cp -r . /tmp/ag
#   rm -rf /tmp/ag/reference /tmp/ag/tests /tmp/ag/build /tmp/ag/.git
#   cp ci/gradescope/setup.sh ci/gradescope/run_autograder /tmp/ag/
#   (cd /tmp/ag && zip -qr ../autograder.zip .)
#
# and upload autograder.zip ("Zip file upload", base image Ubuntu 22.04).
# Gradescope unpacks it to /autograder/source and runs setup.sh from there.
# The zip keeps the hidden graders (they grade) and leaves out reference/ (not
# needed to grade, and nothing a submission should ever be near).
set -euo pipefail

SRC=/autograder/source
if [ ! -d "$SRC/exercises" ]; then
  # run from a checkout (ci/gradescope/setup.sh) instead of the zip's root
  SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  [ -d "$SRC/exercises" ] || SRC=$(cd "$SRC/../.." && pwd)
fi
echo "conclab autograder setup: course at $SRC"

bash "$SRC/ci/setup.sh"

cmake -S "$SRC" -B "$SRC/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$SRC/build" --target conclab

# Warm the grader-object cache by grading the stubs once, so that the first
# student does not pay for compiling every grader. Failing here is harmless
# (image builders may not allow the sandbox); the students' runs do the work then.
"$SRC/build/bin/conclab" grade "$SRC" --course "$SRC" --quiet > /tmp/conclab-warmup.log 2>&1 || true
chmod -R a+rX "$SRC/build" || true

echo "conclab autograder setup: done ($("$SRC/build/bin/conclab" --version))"
