#!/bin/bash
# Benchmark, not a test: PODS pods (a pod sandbox and one busybox `sleep` container each) started
# through containerd 1.6's CRI as kubelet starts them (RunPodSandbox, CreateContainer,
# StartContainer, driven by crictl) with the runtime handler runc and as many with hako, on one
# containerd with one config (tests/clients/cri-lib.sh, as cri.sh and critest.sh), interleaved
# (runc's pod N, then hako's pod N: both meet the same machine, on a shared machine whose load
# drifts). For each runtime: the time per pod (mean: the sum of its pods' times / PODS, and the
# median of each pod's runp + create + start, and of each step), the memory per pod once all 2 ×
# PODS are running (RSS and PSS summed over its shims, pause processes and containers, and any
# other process of the test but containerd and this script, divided by PODS; the v1 memory cgroup
# of its pods where the runtime uses one), containerd's own growth for all of them, then the
# tear-down (stopp + rmp of each pod, interleaved too, median) and a leak check.
#
# Usage (root): bench/cri-pods.sh [PODS] [HAKO]      (default 100 pods of each, bin/hako)
#   TRACE_FILE=/tmp/calls.log bench/cri-pods.sh 20   also records hako's calls (adds a wrapper's ~5 ms)
# Runs in a throwaway network + mount namespace; pods under /hako-bench-cri-XXXXXX/RUNTIME
# (cgroupfs); hako under [cgroup] unenforceable-limits = "warn" (cpu.shares of each pause).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$repo/tests/clients/lib.sh"
# shellcheck source=tests/clients/cri-lib.sh
source "$repo/tests/clients/cri-lib.sh"

IMAGE=docker.io/hako/busybox:latest

if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "cri-pods.sh must run as root" >&2; exit 2; }
  clients_ensure_packages containerd runc golang-go containernetworking-plugins iptables catatonit \
    busybox-static jq util-linux iproute2
  pods=${1:-100}
  hako=$(clients_resolve_runtime "${2:-$repo/bin/hako}") || exit 2
  cri_build_tools crictl || { echo "building crictl failed" >&2; exit 2; }
  WORK=$(mktemp -d /tmp/hako-bench-cri.XXXXXX)
  export WORK RESULTS=$WORK/results PARENT=hako-bench-cri-${WORK##*.}
  : > "$RESULTS"
  echo "# $pods pods each through containerd $(containerd --version | awk '{print $3}')'s CRI, runc $(runc --version | awk 'NR==1{print $3}') and $hako interleaved; $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  CLIENTS_INNER=1 timeout --foreground -k 10 3600 unshare --net --mount --propagation private -- "$self" "$pods" "$hako"
  inner=$?
  # Not a test, but it cleans up like one: the runtimes keep only the pods' parents (runc, hako).
  CLIENT_CGROUPS_KEPT="runc|hako" clients_leak_check "$PARENT" > "$WORK/leaks"
  grep '^FAIL' -A 20 "$WORK/leaks" >&2 && inner=1
  echo "# leak check: $(grep -c '^PASS' "$WORK/leaks") passed, $(grep -c '^FAIL' "$WORK/leaks") failed"
  rm -rf "$WORK"
  exit "$inner"
fi

pods=$1 hako=$2
clients_private_namespaces
[ -d /etc/hako ] && mount -t tmpfs -o mode=755 clients-etc-hako /etc/hako
mkdir -p "$WORK/tmp" "$WORK/pods"
export TMPDIR=$WORK/tmp NAMESPACE=k8s.io
printf '[cgroup]\nunenforceable-limits = "warn"\n' > "$WORK/hako.toml"
export HAKO_CONFIG=$WORK/hako.toml
cri_write_cni
cri_write_crictl
trap 'timeout 600 cr rmp --force --all >/dev/null 2>&1; clients_containerd_stop' EXIT
# TRACE_FILE=FILE: hako's every call, its exit code and duration (lib.sh's wrapper; runc is not traced).
client_runtime=$(clients_runtime_for_client "$hako" "$WORK/bin")
clients_containerd_start "$(cri_toml "$client_runtime")" || { echo "containerd did not start" >&2; exit 1; }
cri_pause_archive "$WORK/pause.tar"
clients_oci_archive "$repo" "$WORK/busybox.tar" "$IMAGE"
for archive in pause busybox; do
  capture 120 c images import "$WORK/$archive.tar"
  [ "$RC" -eq 0 ] || { echo "importing $archive failed: $ERR" >&2; exit 1; }
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }

# pod RUNTIME N: runp + create + start of pod N; prints "runp create start" in microseconds.
pod() {
  local runtime=$1 n=$2 name="$1-$2" t0 t1 t2 t3 pod_id ctr_id
  cat > "$WORK/pods/$name.json" <<END
{ "metadata": { "name": "$name", "namespace": "bench", "uid": "$name-uid", "attempt": 0 },
  "hostname": "$name", "log_directory": "$WORK/pods/$name",
  "linux": { "cgroup_parent": "/$PARENT/$runtime",
             "security_context": { "namespace_options": { "pid": 1 } } } }
END
  cat > "$WORK/pods/$name.ctr.json" <<END
{ "metadata": { "name": "sleep" }, "image": { "image": "$IMAGE" },
  "command": ["sleep", "3600"], "log_path": "sleep.log",
  "linux": { "resources": { "cpu_shares": 2, "oom_score_adj": 1000 },
             "security_context": { "namespace_options": { "pid": 1 } } } }
END
  t0=$(now_us)
  pod_id=$(cr runp --runtime "$runtime" "$WORK/pods/$name.json" 2>>"$WORK/errors") || return 1
  t1=$(now_us)
  ctr_id=$(cr create "$pod_id" "$WORK/pods/$name.ctr.json" "$WORK/pods/$name.json" 2>>"$WORK/errors") || return 1
  t2=$(now_us)
  cr start "$ctr_id" >/dev/null 2>>"$WORK/errors" || return 1
  t3=$(now_us)
  echo "$pod_id" >> "$WORK/$runtime.pods"
  echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2))"
}

# kB of RSS and PSS ("rss pss") summed over the pids given (one a line on stdin).
memory_of() {
  local pid rss=0 pss=0 r p
  while read -r pid; do
    [ -n "$pid" ] || continue
    read -r r p < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
    rss=$((rss + ${r:-0})); pss=$((pss + ${p:-0}))
  done
  echo "$rss $pss"
}

# The processes of this benchmark (RUNTIME KIND PID a line): the shims (containerd-shim-runc-v2 in
# this network namespace; the runtime of the pod its -id names), what runs in the pods' cgroups
# (pause, container; the runtime whose parent it is under), and anything else in this network or
# mount namespace (other, runtime "-": what a runtime leaves running), but containerd and this
# script with its own children.
processes() {
  local netns mntns pid exe kind runtime mine id
  netns=$(readlink /proc/self/ns/net) mntns=$(readlink /proc/self/ns/mnt)
  mine=" $$ $BASHPID $containerd_pid "
  declare -A in_pods=() pod_runtime=()
  for runtime in runc hako; do
    while read -r pid; do [ -n "$pid" ] && in_pods[$pid]=$runtime; done < <(find /sys/fs/cgroup/*/"$PARENT/$runtime" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
    while read -r id; do [ -n "$id" ] && pod_runtime[$id]=$runtime; done < "$WORK/$runtime.pods"
  done
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    [[ $mine == *" $pid "* ]] && continue
    # This script's children (crictl, awk) are not the runtime's.
    [[ $mine == *" $(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null) "* ]] && continue
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    if [ -n "${in_pods[$pid]:-}" ]; then
      runtime=${in_pods[$pid]}
      case $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) in
        "/catatonit -P "*) kind=pause ;;
        "sleep 3600 "*) kind=container ;;
        *) kind=other ;;
      esac
    elif [ "${exe##*/}" = containerd-shim-runc-v2 ] && [ "$(readlink "/proc/$pid/ns/net")" = "$netns" ]; then
      kind=shim
      id=$(tr '\0' '\n' < "/proc/$pid/cmdline" | sed -n '/^-id$/{n;p}')
      runtime=${pod_runtime[$id]:--}
    elif [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$netns" ] || [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$mntns" ]; then
      kind=other runtime=-
    else continue
    fi
    echo "$runtime $kind $pid"
  done
}

# The v1 memory cgroup of the pods of RUNTIME (bytes), where the runtime put them in one.
v1_memory() {
  cat "/sys/fs/cgroup/memory/$PARENT/$1/memory.usage_in_bytes" 2>/dev/null || echo ""
}
containerd_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$containerd_pid/status"; }

# Warm-up pods, not counted (first use of the image, the snapshotter, the runtimes' caches).
for runtime in runc hako; do
  : > "$WORK/$runtime.pods"
  pod "$runtime" warmup > /dev/null || { echo "$runtime: the warm-up pod failed: $(tail -n 3 "$WORK/errors")" >&2; exit 1; }
  timeout 120 cr rmp --force "$(cat "$WORK/$runtime.pods")" >/dev/null 2>&1
  : > "$WORK/$runtime.pods"; : > "$WORK/$runtime.times"; : > "$WORK/$runtime.teardown"; : > "$WORK/$runtime.failed"
done
: > "$WORK/memcg"; : > "$WORK/running"
containerd_before=$(containerd_rss)
for n in $(seq "$pods"); do
  for runtime in runc hako; do
    pod "$runtime" "$n" >> "$WORK/$runtime.times" || echo "$n" >> "$WORK/$runtime.failed"
  done
done
sleep 2
processes > "$WORK/processes"
containerd_after=$(containerd_rss)
# Per runtime and kind: "RUNTIME KIND COUNT RSS PSS" (kB), measured while all pods run.
for runtime in runc hako; do
  for kind in shim pause container other; do
    echo "$runtime $kind $(awk -v r="$runtime" -v k="$kind" '$1 == r && $2 == k' "$WORK/processes" | wc -l) $(awk -v r="$runtime" -v k="$kind" '$1 == r && $2 == k { print $3 }' "$WORK/processes" | memory_of)"
  done
  echo "$runtime memcg $(v1_memory "$runtime")" >> "$WORK/memcg"
  echo "$runtime running $(for id in $(cat "$WORK/$runtime.pods"); do cr ps -q --state running --pod "$id" 2>/dev/null; done | wc -l)" >> "$WORK/running"
done > "$WORK/memory"
unattributed=$(awk '$1 == "-"' "$WORK/processes" | wc -l)
# A container that is not running any more at the measurement: its state and exit code, and why.
for runtime in runc hako; do
  for id in $(cat "$WORK/$runtime.pods"); do
    for ctr in $(cr ps -a -q --pod "$id" 2>/dev/null); do
      state=$(cr inspect -o json "$ctr" 2>/dev/null | jq -r '.status | "\(.state) exit \(.exitCode) \(.reason) \(.message) finished \(.finishedAt)"')
      [[ $state == CONTAINER_RUNNING* ]] || echo "#   $runtime: container $ctr of pod $id is not running: $state"
    done
  done
done

# The tear-down, pod by pod (stopp + rmp), interleaved, timed.
for n in $(seq "$pods"); do
  for runtime in runc hako; do
    id=$(sed -n "${n}p" "$WORK/$runtime.pods")
    [ -n "$id" ] || continue
    t0=$(now_us)
    timeout 120 cr stopp "$id" >/dev/null 2>>"$WORK/errors" && timeout 120 cr rmp "$id" >/dev/null 2>>"$WORK/errors"
    echo $(( $(now_us) - t0 )) >> "$WORK/$runtime.teardown"
  done
done

field() { awk -v r="$1" -v k="$2" -v f="$3" '$1 == r && $2 == k { print $f }' "$WORK/memory"; }
printf '\n%-7s %9s %9s %9s %9s %9s %10s %10s %10s %10s %10s %7s %13s %10s\n' runtime "mean/pod" \
  median runp create start "rss/pod" "pss/pod" "shim pss" "pause pss" "ctr pss" other "v1 memcg/pod" "tear-down"
for runtime in runc hako; do
  times=$WORK/$runtime.times
  awk -v r="$runtime" -v n="$pods" \
    -v mean="$(awk '{ s += $1 + $2 + $3 } END { print NR ? s / NR : 0 }' "$times")" \
    -v med="$(awk '{ print $1 + $2 + $3 }' "$times" | median)" \
    -v runp="$(cut -d' ' -f1 "$times" | median)" -v create="$(cut -d' ' -f2 "$times" | median)" \
    -v start="$(cut -d' ' -f3 "$times" | median)" \
    -v rss="$(awk -v r="$runtime" '$1 == r { s += $4 } END { print s }' "$WORK/memory")" \
    -v pss="$(awk -v r="$runtime" '$1 == r { s += $5 } END { print s }' "$WORK/memory")" \
    -v shim="$(field "$runtime" shim 5)" -v pause="$(field "$runtime" pause 5)" -v ctr="$(field "$runtime" container 5)" \
    -v other="$(field "$runtime" other 3)" -v memcg="$(awk -v r="$runtime" '$1 == r { print $3 }' "$WORK/memcg")" \
    -v down="$(median < "$WORK/$runtime.teardown")" 'BEGIN {
      printf "%-7s %6.0f ms %6.0f ms %6.0f ms %6.0f ms %6.0f ms %6.2f MiB %6.2f MiB %6.2f MiB %6.2f MiB %6.2f MiB %7d %13s %7.0f ms\n",
        r, mean / 1000, med / 1000, runp / 1000, create / 1000, start / 1000, rss / n / 1024, pss / n / 1024,
        shim / n / 1024, pause / n / 1024, ctr / n / 1024, other,
        memcg == "" ? "n/a" : sprintf("%.2f MiB", memcg / n / 1048576), down / 1000 }'
done
for runtime in runc hako; do
  echo "#   $runtime: $(awk -v r="$runtime" '$1 == r { print $3 }' "$WORK/running") of $pods containers running, $(wc -l < "$WORK/$runtime.failed") pods failed;" \
    "processes: $(awk -v r="$runtime" '$1 == r && $3 > 0 { printf "%s%d %s", sep, $3, $2; sep = ", " }' "$WORK/memory")"
done
echo "#   other processes of the test (no runtime's): $unattributed; containerd grew $(( (containerd_after - containerd_before) / 1024 )) MiB RSS for the $((2 * pods)) pods"
[ ! -s "$WORK/errors" ] || echo "#   last errors: $(tail -n 3 "$WORK/errors")"
left=$(cr pods -q | wc -l) tasks=$(c task ls -q 2>/dev/null | wc -l)
leaves=$(find /sys/fs/cgroup/*/"$PARENT"/*/ -mindepth 1 -type d 2>/dev/null | wc -l)
: > "$WORK/runc.pods"; : > "$WORK/hako.pods"
processes > "$WORK/left"   # (in this shell: a pipeline's own processes would count)
echo "#   after the tear-down: $left pods, $tasks tasks, $leaves pod cgroups, $(wc -l < "$WORK/left") processes left"
