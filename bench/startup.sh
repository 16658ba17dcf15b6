#!/bin/bash
# Start-up benchmark, hako against runc on the same busybox bundle, side by side in one run
# (alternating, so both meet the same machine): `run` of /bin/true, and the full lifecycle that
# podman and containerd drive (create + start + delete). Prints medians and ratios.
# Usage (root, after mvn package): bench/startup.sh [ROUNDS]   — needs runc (apt-get install runc)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-30}
hako=$PWD/bin/hako
command -v runc >/dev/null || { echo "runc is not installed (apt-get install runc)" >&2; exit 1; }

work=$(mktemp -d /tmp/hako-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/bundle/rootfs"
"$hako" spec --bundle "$work/bundle"
# The process: true, with no terminal (as a benchmark runs it).
sed -i 's/^\( *\)"sh"$/\1"true"/' "$work/bundle/config.json"
grep -q '"true"' "$work/bundle/config.json" || { echo "could not set the process to true" >&2; exit 1; }

# Prints "microseconds peak-RSS-KB" for one run of the command.
measure() {
  local start end rss
  start=$(date +%s%N)
  rss=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $rss"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$work/hako.txt"; : > "$work/runc.txt"; : > "$work/hako-life.txt"; : > "$work/runc-life.txt"
# One lifecycle: create, start, wait for the process to end, delete; prints its microseconds.
lifecycle() {
  local runtime=$1 root=$2 id=$3 start end
  start=$(date +%s%N)
  "$runtime" --root "$root" create --bundle "$work/bundle" "$id" >/dev/null 2>&1 </dev/null
  "$runtime" --root "$root" start "$id"
  while [ "$("$runtime" --root "$root" state "$id" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')" != stopped ]; do :; done
  "$runtime" --root "$root" delete "$id"
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
for i in $(seq "$rounds"); do
  measure "$hako" --root "$work/hako-state" run --bundle "$work/bundle" "bench-$i" >> "$work/hako.txt"
  measure runc --root "$work/runc-state" run --bundle "$work/bundle" "bench-$i" >> "$work/runc.txt"
  lifecycle "$hako" "$work/hako-state" "life-$i" >> "$work/hako-life.txt"
  lifecycle runc "$work/runc-state" "life-$i" >> "$work/runc-life.txt"
done

hako_us=$(cut -d' ' -f1 "$work/hako.txt" | median)
runc_us=$(cut -d' ' -f1 "$work/runc.txt" | median)
hako_kb=$(cut -d' ' -f2 "$work/hako.txt" | median)
runc_kb=$(cut -d' ' -f2 "$work/runc.txt" | median)
hako_life=$(median < "$work/hako-life.txt")
runc_life=$(median < "$work/runc-life.txt")
awk -v r="$rounds" -v hu="$hako_us" -v ru="$runc_us" -v hk="$hako_kb" -v rk="$runc_kb" -v hl="$hako_life" -v rl="$runc_life" 'BEGIN {
  printf "%-36s %12s %12s %8s\n", "/bin/true, " r " rounds, medians", "hako", "runc", "ratio"
  printf "%-36s %9.1f ms %9.1f ms %7.2fx\n", "run: wall time", hu / 1000, ru / 1000, hu / ru
  printf "%-36s %9.1f MB %9.1f MB %7.2fx\n", "run: peak RSS of the runtime", hk / 1024, rk / 1024, hk / rk
  printf "%-36s %9.1f ms %9.1f ms %7.2fx\n", "create + start + state… + delete", hl / 1000, rl / 1000, hl / rl
}'
