#!/usr/bin/env bash
# Runs every ```sh block of examples/README.md and examples/*/README.md
# against a running compsfs mount, as a user would: from the repository's
# top folder, with /tmp/comps replaced by MOUNTPOINT. The blocks of one README
# run in one shell, in order (later blocks use variables of earlier ones),
# with errexit and pipefail; any failure fails the run.
# Usage: examples/test.sh MOUNTPOINT
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: examples/test.sh MOUNTPOINT" >&2; exit 2; }
mnt=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "examples/test.sh: the examples need jq" >&2; exit 1; }

# blocks prints the ```sh blocks of a Markdown file, /tmp/comps replaced.
blocks() {
  awk -v mnt="$mnt" '
    /^```sh[[:space:]]*$/ { inside = 1; next }
    /^```/ && inside { inside = 0; print ""; next }
    inside { gsub("/tmp/comps", mnt); print }' "$1"
}

failed=0 ran=0
for readme in examples/README.md examples/*/README.md; do
  script=$(blocks "$readme")
  [ -n "$script" ] || continue
  echo "--- $readme"
  # timeout only guards against a hang; the examples wait for work items to end.
  if timeout 600 bash -euo pipefail -c "$script"; then
    ran=$((ran + 1))
  else
    echo "examples/test.sh: FAIL: $readme" >&2
    failed=$((failed + 1))
  fi
done
echo "examples: $ran passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
