#!/bin/bash
# What a container's cgroup costs: `create` then `delete` of a container (the cgroup made, limited,
# its device filter loaded, then all removed), without resources and with memory, swap, cpu,
# cpuset, pids and io limits, hako against runc, alternating so both meet the same machine.
# Prints medians, and what the limits add to each.
#
# Limits need a pure cgroup v2 hierarchy. On a machine without one (the hybrid development
# machines, where runc would also write into the v1 hierarchies) this runs itself in the cgroup
# v2 VM of tests/vm, whose emulated CPU makes every number several times larger: compare the
# runtimes and the differences, not the absolute times.
# Usage (root, after mvn package; needs runc and jq): bench/cgroup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
kinds="plain limited"
if [ "${1:-}" = --here ]; then
  shift
else
  command -v runc >/dev/null || { echo "runc is not installed (apt-get install runc)" >&2; exit 1; }
  if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    echo "no cgroup v2 memory controller here: measuring in the cgroup v2 VM (tests/vm/vm-run.sh)" >&2
    exec tests/vm/vm-run.sh --cpus 2 --mem 2048 --timeout 1200 --no-env -- bench/cgroup.sh --here "${1:-10}"
  fi
fi
rounds=${1:-10}
kinds=${2:-$kinds}
hako=$PWD/bin/hako

work=$(mktemp -d /tmp/hako-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/rootfs"
"$hako" spec --bundle "$work"
jq --arg rootfs "$work/rootfs" '.root.path = $rootfs | .process.terminal = false | .process.args = ["true"]' \
  "$work/config.json" > "$work/plain.json"
jq '.linux.resources += {"memory": {"limit": 268435456, "swap": 268435456}, "cpu": {"shares": 512, "quota": 50000,
    "period": 100000, "cpus": "0"}, "pids": {"limit": 100}, "blockIO": {"weight": 500}}' "$work/plain.json" > "$work/limited.json"
for kind in plain limited; do mkdir -p "$work/$kind"; cp "$work/$kind.json" "$work/$kind/config.json"; done

# Prints the microseconds that create + delete of one container take.
measure() {
  local runtime=$1 root=$2 bundle=$3 id=$4 start end
  start=$(date +%s%N)
  "$runtime" --root "$root" create --bundle "$bundle" "$id" > /dev/null 2>&1 < /dev/null
  "$runtime" --root "$root" delete --force "$id" > /dev/null 2>&1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for kind in $kinds; do
  # One of each first, unmeasured: page cache and the cgroup parents are then as in steady use.
  measure "$hako" "$work/hako-state" "$work/$kind" "warm-$kind" > /dev/null
  measure runc "$work/runc-state" "$work/$kind" "warm-$kind" > /dev/null
  : > "$work/hako-$kind.txt"; : > "$work/runc-$kind.txt"
  for i in $(seq "$rounds"); do
    measure "$hako" "$work/hako-state" "$work/$kind" "bench-$kind-$i" >> "$work/hako-$kind.txt"
    measure runc "$work/runc-state" "$work/$kind" "bench-$kind-$i" >> "$work/runc-$kind.txt"
  done
done
# Nothing may be left: a failed create or delete would make the numbers meaningless.
left=$(find "$work/hako-state" "$work/runc-state" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "containers were left behind: create or delete failed" >&2; exit 1; }

echo "kernel $(uname -r), $(nproc) CPUs, $rounds rounds"
printf "%-42s %10s %10s %7s\n" "create + delete (median)" hako runc ratio
for kind in $kinds; do
  h=$(median < "$work/hako-$kind.txt"); r=$(median < "$work/runc-$kind.txt")
  label="no resources (device filter only)"; [ "$kind" = limited ] && label="memory, cpu, cpuset, pids, io limits"
  awk -v l="$label" -v h="$h" -v r="$r" 'BEGIN { printf "%-42s %7.1f ms %7.1f ms %6.2fx\n", l, h / 1000, r / 1000, h / r }'
done
if [ "$kinds" = "plain limited" ]; then
  awk -v hp="$(median < "$work/hako-plain.txt")" -v rp="$(median < "$work/runc-plain.txt")" \
      -v hl="$(median < "$work/hako-limited.txt")" -v rl="$(median < "$work/runc-limited.txt")" \
      'BEGIN { printf "%-42s %7.1f ms %7.1f ms\n", "what the limits add", (hl - hp) / 1000, (rl - rp) / 1000 }'
fi
