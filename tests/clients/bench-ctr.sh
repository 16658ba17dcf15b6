#!/bin/bash
# Benchmark, not a test: `ctr run --rm IMAGE ID true` with runc and with another runtime, side by
# side in one run (alternating, so both meet the same machine), on containerd 1.6 and its runc
# shim in the same throwaway namespaces and private set-up as containerd.sh. Prints medians and
# the ratio.
#
# Usage (root): tests/clients/bench-ctr.sh RUNTIME [ROUNDS]     (default 20 rounds)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

IMAGE=docker.io/hako/busybox:latest

if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench-ctr.sh must run as root" >&2; exit 2; }
  [ $# -ge 1 ] || { echo "usage: $0 RUNTIME [ROUNDS]" >&2; exit 2; }
  clients_ensure_packages containerd runc busybox-static bsdutils util-linux iproute2
  baseline=$(clients_resolve_runtime runc) || exit 2
  runtime=$(clients_resolve_runtime "$1") || exit 2
  rounds=${2:-20}
  WORK=$(mktemp -d /tmp/hako-bench-ctr.XXXXXX)
  export WORK RESULTS=$WORK/results NAMESPACE=hako-bench-${WORK##*.}
  : > "$RESULTS"
  CLIENTS_INNER=1 unshare --net --mount --propagation private -- "$self" "$baseline" "$runtime" "$rounds"
  inner=$?
  # Not a test, but it cleans up like one: say so if anything was left.
  clients_leak_check "$NAMESPACE" | grep '^FAIL' >&2
  rm -rf "$WORK"
  exit $inner
fi

baseline=$1 runtime=$2 rounds=$3
clients_private_namespaces
mkdir -p "$WORK/tmp"
export TMPDIR=$WORK/tmp
trap 'clients_containerd_stop "$IMAGE"' EXIT
clients_containerd_start || { echo "containerd did not start" >&2; exit 1; }
clients_oci_archive "$repo" "$WORK/busybox-oci.tar" "$IMAGE"
c images import "$WORK/busybox-oci.tar" >/dev/null || { echo "ctr images import failed" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Microseconds of one `ctr run --rm` with the runtime given; nothing when the run failed.
n=0
time_run() {
  local start end
  n=$((n + 1))
  start=$(date +%s%N)
  c run --rm --runc-binary "$1" "$IMAGE" "bench-$n" true >/dev/null 2>"$WORK/last-error" || return 1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}

name_a=$(basename "$baseline") name_b=$(basename "$runtime")
[ "$name_a" = "$name_b" ] && name_b="$name_b(2)"
time_run "$baseline" >/dev/null; time_run "$runtime" >/dev/null   # warm-up, not counted
: > "$WORK/a.txt"; : > "$WORK/b.txt"; failures=0
for _ in $(seq "$rounds"); do
  time_run "$baseline" >> "$WORK/a.txt" || failures=$((failures + 1))
  time_run "$runtime" >> "$WORK/b.txt" || failures=$((failures + 1))
done
a=$(median < "$WORK/a.txt") b=$(median < "$WORK/b.txt")
printf '%-40s %12s %12s %8s\n' "ctr run --rm true, $rounds rounds" "$name_a" "$name_b" ratio
if [ "$(grep -c . "$WORK/a.txt")" -eq 0 ] || [ "$(grep -c . "$WORK/b.txt")" -eq 0 ]; then
  echo "failed: $(tail -n 1 "$WORK/last-error")"; exit 1
fi
awk -v a="$a" -v b="$b" -v f="$failures" 'BEGIN {
  printf "%-40s %9.1f ms %9.1f ms %7.2fx%s\n", "median", a / 1000, b / 1000, b / a, f ? "  (" f " failed runs)" : ""
}'
