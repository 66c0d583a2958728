#!/usr/bin/env bash
# A pipeline over a compsfs mount: plain shell tools reading workitems/*/.
# Usage: examples/pipeline.sh [MOUNTPOINT]   (default /tmp/comps)
set -euo pipefail
cd "${1:-/tmp/comps}"

echo "== work items by state"
cat workitems/*/state | sort | uniq -c | sort -rn

echo "== failed work items and why"
{ grep -lx Failed workitems/*/state || true; } | while read -r f; do
  d=$(dirname "$f")
  printf '%s  %s: %s\n' "$(basename "$d")" "$(cat "$d/name")" "$(cat "$d/error_message")"
done

echo "== tags in use"
jq -r '.tags | keys[]' workitems/*/metadata.json | sort | uniq -c | sort -rn

echo "== work items tagged project/phase=calibration"
jq -r 'select(.tags["project/phase"] == "calibration") | "\(.id)  \(.name)"' workitems/*/metadata.json

echo "== CSV outputs: rows and mean of the last column"
find workitems/*/outputs -name '*.csv' -exec awk -F, '
  FNR > 1 { n[FILENAME]++; s[FILENAME] += $NF }
  END { for (f in n) printf "%6d rows  mean %8.3f  %s\n", n[f], s[f] / n[f], f }' {} + | sort -k5

echo "== work items that wrote to StdErr.txt"
grep -c '' workitems/*/outputs/StdErr.txt | grep -v ':0$' || true
