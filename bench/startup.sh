#!/bin/bash
# Start-up benchmark, side by side in one run on the same busybox bundle (alternating, so all meet
# the same machine): hako on its warm path, hako one-shot (HAKO_WARM=0: a JVM per call), runc, and
# crun where it runs (not on a hybrid cgroup host). For each: `run` of /bin/true, and each call of
# the lifecycle podman and containerd drive (create, start, state until stopped, delete).
# Prints medians and ratios to runc; writes bench/results/startup.tsv and, with gnuplot
# (installed when missing), the plot docs/startup.svg.
# Usage (root, after mvn package): bench/startup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
rounds=${1:-30}
ensure_packages runc crun gnuplot-nox time
# Longer than a round takes anywhere (the VM emulates): the warm runtime must stay up between calls.
export HAKO_WARM_IDLE=300

work=$(mktemp -d /tmp/hako-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/busybox-rootfs.sh "$work/bundle/rootfs"
# runc's bundle, which all of them take (crun 1.8 refuses hako spec's ociVersion 1.2.0).
(cd "$work/bundle" && runc spec)
# The process: true, with no terminal (as a benchmark runs it).
sed -i 's/^\([[:space:]]*\)"sh"$/\1"true"/; s/"terminal": true/"terminal": false/' "$work/bundle/config.json"
grep -q '"true"' "$work/bundle/config.json" || { echo "could not set the process to true" >&2; exit 1; }

printf '#!/bin/sh\nexec %s "$@"\n' "$PWD/bin/hako" > "$work/hako-warm"
printf '#!/bin/sh\nHAKO_WARM=0 exec %s "$@"\n' "$PWD/bin/hako" > "$work/hako-oneshot"
chmod +x "$work/hako-warm" "$work/hako-oneshot"
runtimes=(hako-warm hako-oneshot runc)
if crun --root "$work/crun-probe" run --bundle "$work/bundle" probe >/dev/null 2>"$work/crun-error"; then
  runtimes+=(crun)
else
  # On a hybrid cgroup host crun refuses every container; the cgroup v2 VM (tests/vm) has crun.
  echo "crun does not run here, left out: $(tail -n 1 "$work/crun-error")" >&2
fi
path() { case $1 in hako-*) echo "$work/$1" ;; *) command -v "$1" ;; esac; }

now() { date +%s%N; }
# Appends "CALL MICROSECONDS" lines for one round of one runtime.
round() {
  local name=$1 exe root id=$3 t0 t1 t2 t3 t4 t5
  exe=$(path "$name"); root=$work/state-$name
  t0=$(now)
  "$exe" --root "$root" run --bundle "$work/bundle" "run-$id" >/dev/null
  t1=$(now)
  "$exe" --root "$root" create --bundle "$work/bundle" "life-$id" >/dev/null 2>&1 </dev/null
  t2=$(now)
  "$exe" --root "$root" start "life-$id"
  t3=$(now)
  while [ "$("$exe" --root "$root" state "life-$id" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')" != stopped ]; do :; done
  t4=$(now)
  "$exe" --root "$root" delete "life-$id"
  t5=$(now)
  printf 'run %d\ncreate %d\nstart %d\nstate %d\ndelete %d\nlifecycle %d\n' $(( (t1 - t0) / 1000 )) \
    $(( (t2 - t1) / 1000 )) $(( (t3 - t2) / 1000 )) $(( (t4 - t3) / 1000 )) $(( (t5 - t4) / 1000 )) \
    $(( (t5 - t1) / 1000 )) >> "$work/$name.txt"
  "$exe" --root "$root" delete "run-$id" 2>/dev/null || true
}
# One warm-up round each (the warm runtime starts on its first call; caches fill), not counted.
for name in "${runtimes[@]}"; do round "$name" x warmup; : > "$work/$name.txt"; done
sleep 1
for i in $(seq "$rounds"); do
  for name in "${runtimes[@]}"; do round "$name" x "$i"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { awk -v c="$2" '$1 == c { print $2 }' "$work/$1.txt" | median; }
# Peak RSS of one run, and the warm runtime's resident memory (one per context, not per container).
peak() { /usr/bin/time -f %M "$(path "$1")" --root "$work/state-$1" run --bundle "$work/bundle" peak 2>&1 >/dev/null | tail -1; }
# This context's warm runtime only (its socket's name, from the command's trace): other
# checkouts, users or namespaces have their own.
name=$(HAKO_WARM_TRACE=1 bin/hako --version 2>&1 >/dev/null | sed -n 's/^hako: warm runtime \([^:]*\):.*/\1/p')
warm_kb=0 warm_pids=()
for p in /proc/[0-9]*; do
  if { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null | grep -qF " warm-serve $name "; then
    warm_kb=$(( warm_kb + $(awk '/^VmRSS:/ { print $2 }' "$p/status" 2>/dev/null || echo 0) ))
    warm_pids+=("${p#/proc/}")
  fi
done

# BENCH_TSV, BENCH_PLOT: elsewhere (the VM's run, tests/vm/vm-run.sh --out DIR).
tsv=${BENCH_TSV:-bench/results/startup.tsv}
plot=${BENCH_PLOT:-docs/startup.svg}
mkdir -p "$(dirname "$tsv")" "$(dirname "$plot")"
{
  printf 'call'; for name in "${runtimes[@]}"; do printf '\t%s' "$name"; done; printf '\n'
  for call in run create start state delete lifecycle; do
    printf '%s' "$call"
    for name in "${runtimes[@]}"; do med "$name" "$call" | awk '{ printf "\t%.1f", $1 / 1000 }'; done
    printf '\n'
  done
} > "$tsv"

echo "/bin/true, $rounds rounds, medians in ms ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
awk -F'\t' 'NR == 1 { for (i = 2; i <= NF; i++) { name[i] = $i; if ($i == "runc") r = i }
                      printf "%-10s", ""; for (i = 2; i <= NF; i++) printf " %13s", $i; printf "   %s\n", "hako-warm/runc"; next }
            { printf "%-10s", $1; for (i = 2; i <= NF; i++) printf " %13.1f", $i; printf "   %13.2fx\n", $2 / $r }' "$tsv"
printf 'peak RSS of one run (KB):'
for name in "${runtimes[@]}"; do printf ' %s %s' "$name" "$(peak "$name")"; done
awk -v kb="$warm_kb" 'BEGIN { printf "\nthe warm runtime, resident: %.1f MiB\n", kb / 1024 }'

if command -v gnuplot >/dev/null; then
  gnuplot <<END
set terminal svg size 760,420 font "sans,12" background "white"
set output "$plot"
set title "Time per call, busybox /bin/true, median of $rounds (ms, log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [1:*]
set key top left
set grid ytics
plot for [i=2:$(( ${#runtimes[@]} + 1 ))] "$tsv" using i:xtic(1) title columnhead
END
  echo "plot: $plot"
fi
# It would stay up for HAKO_WARM_IDLE: end it (by pid; it keeps nothing, the next call starts another).
[ ${#warm_pids[@]} -eq 0 ] || kill "${warm_pids[@]}" 2>/dev/null || true
