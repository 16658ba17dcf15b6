#!/bin/bash
# Benchmark, not a test: `podman run --rm IMAGE true` with runc and with another runtime, side by
# side in one run (alternating, so both meet the same machine), in the same throwaway namespaces
# and private podman setup as podman.sh. Prints medians and ratios, with podman's default network
# (netavark sets up and tears down a veth every run) and with --network none (closer to the
# runtime's own cost).
#
# Usage (root): tests/clients/bench-podman.sh RUNTIME [ROUNDS]     (default 20 rounds)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

IMAGE=localhost/hako-busybox:latest

if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench-podman.sh must run as root" >&2; exit 2; }
  [ $# -ge 1 ] || { echo "usage: $0 RUNTIME [ROUNDS]" >&2; exit 2; }
  clients_ensure_packages podman conmon netavark aardvark-dns iptables busybox-static util-linux iproute2 runc
  baseline=$(clients_resolve_runtime runc) || exit 2
  runtime=$(clients_resolve_runtime "$1") || exit 2
  rounds=${2:-20}
  WORK=$(mktemp -d /tmp/hako-bench-podman.XXXXXX)
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-bench-${WORK##*.}
  : > "$RESULTS"
  CLIENTS_INNER=1 unshare --net --mount --propagation private -- "$self" "$baseline" "$runtime" "$rounds"
  inner=$?
  # Not a test, but it cleans up like one: say so if anything was left.
  CLIENT_CGROUPS_KEPT=conmon clients_leak_check "$CGROUP_PARENT" | grep -A5 "^FAIL" >&2
  rm -rf "$WORK"
  exit $inner
fi

baseline=$1 runtime=$2 rounds=$3
clients_private_namespaces
clients_podman_environment "$baseline" "$runtime"
trap 'timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1' EXIT
clients_podman_import "$repo" "$IMAGE"
[ "$RC" -eq 0 ] || { echo "podman import failed: $ERR" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Milliseconds of one `podman run --rm` with the runtime given; nothing when the run failed.
time_run() {
  local which=$1; shift
  local start end
  start=$(date +%s%N)
  PM_RUNTIME=$which pm run --rm --pull=never --cgroup-parent "/$CGROUP_PARENT" "$@" "$IMAGE" true \
    >/dev/null 2>"$WORK/last-error" || return 1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}

name_a=$(basename "$baseline") name_b=$(basename "$runtime")
[ "$name_a" = "$name_b" ] && name_b="$name_b(2)"
printf '%-40s %12s %12s %8s\n' "podman run --rm true, $rounds rounds" "$name_a" "$name_b" ratio
for network in default none; do
  flags=(); [ "$network" = none ] && flags=(--network none)
  # One warm-up run each, not counted (first use of the image, of the network, of page cache).
  time_run "$baseline" "${flags[@]}" >/dev/null
  time_run "$runtime" "${flags[@]}" >/dev/null
  : > "$WORK/a.txt"; : > "$WORK/b.txt"; failures=0
  for _ in $(seq "$rounds"); do
    time_run "$baseline" "${flags[@]}" >> "$WORK/a.txt" || failures=$((failures + 1))
    time_run "$runtime" "${flags[@]}" >> "$WORK/b.txt" || failures=$((failures + 1))
  done
  a=$(median < "$WORK/a.txt") b=$(median < "$WORK/b.txt")
  if [ "$(grep -c . "$WORK/b.txt")" -eq 0 ] || [ "$(grep -c . "$WORK/a.txt")" -eq 0 ]; then
    printf '%-40s %s\n' "network $network" "failed: $(tail -n 1 "$WORK/last-error")"
    continue
  fi
  awk -v label="network $network" -v a="$a" -v b="$b" -v f="$failures" 'BEGIN {
    printf "%-40s %9.1f ms %9.1f ms %7.2fx%s\n", label, a / 1000, b / 1000, b / a, f ? "  (" f " failed runs)" : ""
  }'
done
