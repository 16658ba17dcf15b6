#!/bin/bash
# Pods through containerd 1.6's CRI with SystemdCgroup = true, as kubeadm sets up a node, in the
# cgroup v2 VM with systemd as PID 1: the runtime handlers runc (the baseline) and hako run the
# same steps on one containerd, as kubelet drives them with its systemd cgroup driver. kubelet
# makes each pod a slice (kubepods-burstable-podUID.slice, here with busctl as kubelet asks
# systemd) and gives it as the sandbox's cgroup_parent; containerd turns that into the cgroupsPath
# SLICE:cri-containerd:ID and runs the runtime with --systemd-cgroup, so every container is the
# scope cri-containerd-ID.scope in the pod's slice, asked of systemd by the runtime.
#
# Usage: tests/vm/cri-systemd.sh [HAKO]      (on the host: boots the VM and runs itself there)
# HAKO defaults to bin/hako. Prints PASS/FAIL per step and handler, and "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(cat /proc/1/comm)" != systemd ]; then
  # ---- on the host: the packages and crictl (the VM runs the host's files), then the VM
  source "$repo/scripts/common.sh"
  ensure_packages qemu-system-x86 linux-image-amd64 busybox-static systemd dbus containerd runc \
    golang-go containernetworking-plugins iptables catatonit jq util-linux iproute2
  [ -x "$repo/target/java" ] || { echo "tests/vm/cri-systemd.sh: run 'mvn package' first" >&2; exit 1; }
  WORK=/tmp RESULTS=/dev/null source "$repo/tests/clients/lib.sh"
  source "$repo/tests/clients/cri-lib.sh"
  cri_build_tools crictl || exit 2
  exec "$repo/tests/vm/vm-run.sh" --systemd --cpus 2 --mem 3072 --timeout 1500 --no-env -- \
    "$here/cri-systemd.sh" "${1:-$repo/bin/hako}"
fi

# ---- in the VM (its network, its storage, all thrown away with it)
source "$repo/tests/clients/lib.sh"
source "$repo/tests/clients/cri-lib.sh"
hako=$(clients_resolve_runtime "${1:-$repo/bin/hako}") || exit 2
WORK=$(mktemp -d /tmp/hako-cri-systemd.XXXXXX)
export WORK RESULTS=$WORK/results NAMESPACE=k8s.io TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
: > "$RESULTS"
# The warm runtime outlives the gaps between kubelet's calls (a one-shot call is seconds here).
export HAKO_WARM_IDLE=120
started=$(date +%s)
IMAGE=docker.io/hako/busybox:latest
CG=/sys/fs/cgroup
echo "# containerd $(containerd --version | awk '{print $3}') (CRI, SystemdCgroup = true), $(systemctl --version | head -1), runc $(runc --version | awk 'NR==1{print $3}') against $hako"

cri_write_cni
cri_write_crictl
if CRI_SYSTEMD_CGROUP=true clients_containerd_start "$(CRI_SYSTEMD_CGROUP=true cri_toml "$hako")" 2> "$WORK/start-error"; then
  pass "containerd answers (CRI on, handlers runc and hako, both SystemdCgroup = true)"
else fail "containerd answers (CRI on, handlers runc and hako, both SystemdCgroup = true)" "$(cat "$WORK/start-error")"; clients_finish; fi
stop_all() { timeout 300 cr rmp --force --all >/dev/null 2>&1; clients_containerd_stop; }
trap stop_all EXIT
cri_pause_archive "$WORK/pause-oci.tar"
clients_oci_archive "$repo" "$WORK/busybox-oci.tar" "$IMAGE"
capture 300 c images import "$WORK/pause-oci.tar"; errors=$ERR
capture 300 c images import "$WORK/busybox-oci.tar"; errors+=$ERR
check "images: the pause (catatonit -P) and busybox archives imported" "" "$errors"

show() { systemctl show -P "$2" "$1"; }
gone() { local i; for i in $(seq 100); do [ "$(show "$1" LoadState)" = not-found ] && return 0; sleep 0.2; done; return 1; }
pod_field() { cr inspectp -o json "$1" 2>/dev/null | jq -r "$2"; }
container_field() { cr inspect -o json "$1" 2>/dev/null | jq -r "$2"; }
# step HANDLER NAME EXPECTED ACTUAL [DETAILS]: one check, named for its handler.
step() { check "[$1] $2" "$3" "$4" "${5:-}"; }
# kubelet's pod slice: a transient slice whose name nests it in kubepods-burstable.slice and
# kubepods.slice (systemd makes those), with the pod's memory limit.
pod_slice() {
  busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
    StartTransientUnit 'ssa(sv)a(sa(sv))' "$1" replace 2 Description s "kubelet's pod slice (a stand-in)" \
    MemoryMax t 268435456 0 > /dev/null
}

# cpu_shares 512 as cpu.weight: Debian's runc 1.1 maps shares linearly (1 + (512 - 2) * 9999 / 262142
# = 20); hako maps them as runc 1.3.2 and crun 1.23 do, on the curve that keeps 1024 at the
# default weight 100 (docs/cgroups.md): 59.
declare -A WEIGHT_OF_512=([runc]=20 [hako]=59)

# hog HANDLER: a container in $pod whose child reads 64 MiB into memory under a 32 MiB limit and
# is killed; the container lives on until it is stopped. containerd's shim reads memory.events of
# the container's cgroup when it changes, and kubelet is told OOMKilled. (When the container's own
# init is the one killed, systemd removes the emptied scope at once, and the shim, reading the
# file a moment late, often misses the kill whatever the runtime: printed, not counted.)
hog() {
  local handler=$1 hog
  cat > "$WORK/$handler-hog.json" <<END
{ "metadata": { "name": "hog" }, "image": { "image": "$IMAGE" },
  "command": ["sh", "-c", "trap 'exit 0' TERM; dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd: \$?; while :; do sleep 1; done"],
  "log_path": "hog.log",
  "linux": { "resources": { "memory_limit_in_bytes": 33554432 },
             "security_context": { "namespace_options": { "pid": 1 } } } }
END
  capture 300 cr create "$pod" "$WORK/$handler-hog.json" "$WORK/$handler-pod.json"
  hog=$OUT
  capture 300 cr start "$hog"
  for _ in $(seq 150); do cr logs "$hog" 2>/dev/null | grep -q '^dd: ' && break; sleep 0.2; done
  step "$handler" "a memory hog over the container's 32 MiB is killed (dd: 137)" "dd: 137" "$(cr logs "$hog" 2>&1 | grep '^dd: ')"
  capture 120 cr stop --timeout 30 "$hog"
  step "$handler" "the container stopped after it: EXITED, reason OOMKilled" "CONTAINER_EXITED OOMKilled" \
    "$(container_field "$hog" '.status.state + " " + .status.reason')" "$ERR"
  capture 120 cr rm "$hog"
  gone "cri-containerd-$hog.scope"
  step "$handler" "rm: the hog's scope is gone" "0 not-found" "$RC $(show "cri-containerd-$hog.scope" LoadState)" "$ERR"
  # The init killed itself (see above): for the record.
  sed 's/"name": "hog"/"name": "hog-init"/; s/"hog.log"/"hog-init.log"/; s/"command": \[.*\],$/"command": ["dd", "if=\/dev\/zero", "of=\/dev\/null", "bs=64M", "count=1"],/' \
    "$WORK/$handler-hog.json" > "$WORK/$handler-hog-init.json"
  capture 300 cr create "$pod" "$WORK/$handler-hog-init.json" "$WORK/$handler-pod.json"
  hog=$OUT
  capture 300 cr start "$hog"
  for _ in $(seq 150); do [ "$(container_field "$hog" .status.state)" = CONTAINER_EXITED ] && break; sleep 0.2; done
  echo "      [$handler] init itself killed: $(container_field "$hog" '.status.state + " " + .status.reason + " " + (.status.exitCode | tostring)')"
  capture 120 cr rm "$hog"
}

# scenario HANDLER: one pod and one container through every step kubelet takes, on HANDLER.
scenario() {
  local handler=$1 uid="pod-$1-uid" slice pod pause_pid pause_scope ctr ctr_scope dir out
  slice="kubepods-burstable-pod${uid//-/_}.slice"
  dir=$CG/kubepods.slice/kubepods-burstable.slice/$slice
  pod_slice "$slice"
  step "$handler" "kubelet's pod slice $slice is active" active "$(show "$slice" ActiveState)"
  cat > "$WORK/$handler-pod.json" <<END
{ "metadata": { "name": "web-$handler", "namespace": "hako", "uid": "$uid", "attempt": 0 },
  "hostname": "web-$handler", "log_directory": "$WORK/pods/$handler",
  "linux": { "cgroup_parent": "$slice",
             "security_context": { "namespace_options": { "pid": 1 } } } }
END
  mkdir -p "$WORK/pods/$handler"

  # ---- runp: the pause container in a scope of the pod's slice
  capture 300 cr runp --runtime "$handler" "$WORK/$handler-pod.json"
  pod=$OUT
  step "$handler" "runp: the sandbox is READY" "0 SANDBOX_READY" "$RC $(pod_field "$pod" .status.state)" "$ERR"
  pause_pid=$(pod_field "$pod" .info.pid)
  pause_scope=cri-containerd-$pod.scope
  step "$handler" "pause: its cgroup is the scope cri-containerd-ID.scope in the pod's slice" \
    "0::${dir#"$CG"}/$pause_scope" "$(grep '^0::' "/proc/$pause_pid/cgroup" 2>&1)"
  step "$handler" "pause: systemd has the scope, active, in the pod's slice, delegated" \
    "active $slice yes" "$(show "$pause_scope" ActiveState) $(show "$pause_scope" Slice) $(show "$pause_scope" Delegate)"
  # containerd's cpu.shares = 2 on every pause container: runc's conversion gives weight 1.
  step "$handler" "pause: cpu.shares 2 is CPUWeight 1, and cpu.weight 1" \
    "1 1" "$(show "$pause_scope" CPUWeight) $(cat "$dir/$pause_scope/cpu.weight" 2>&1)"

  # ---- create + start: a Burstable container's limits, as properties and as files
  cat > "$WORK/$handler-web.json" <<END
{ "metadata": { "name": "web" }, "image": { "image": "$IMAGE" },
  "command": ["sh", "-c", "trap 'exit 0' TERM; echo hello from $handler; while :; do sleep 1; done"],
  "log_path": "web.log",
  "linux": { "resources": { "cpu_shares": 512, "cpu_quota": 50000, "cpu_period": 100000,
                            "memory_limit_in_bytes": 67108864, "oom_score_adj": 900 },
             "security_context": { "namespace_options": { "pid": 1 } } } }
END
  capture 300 cr create "$pod" "$WORK/$handler-web.json" "$WORK/$handler-pod.json"
  ctr=$OUT
  step "$handler" "create: CREATED" "0 CONTAINER_CREATED" "$RC $(container_field "$ctr" .status.state)" "$ERR"
  capture 300 cr start "$ctr"
  step "$handler" "start: RUNNING" "0 CONTAINER_RUNNING" "$RC $(container_field "$ctr" .status.state)" "$ERR"
  ctr_scope=cri-containerd-$ctr.scope
  step "$handler" "container: in its own scope cri-containerd-ID.scope of the pod's slice" \
    "0::${dir#"$CG"}/$ctr_scope" "$(grep '^0::' "/proc/$(container_field "$ctr" .info.pid)/cgroup" 2>&1)"
  step "$handler" "container: systemd's MemoryMax, CPUQuotaPerSecUSec, CPUWeight" "67108864 500ms ${WEIGHT_OF_512[$handler]}" \
    "$(show "$ctr_scope" MemoryMax) $(show "$ctr_scope" CPUQuotaPerSecUSec) $(show "$ctr_scope" CPUWeight)"
  step "$handler" "container: memory.max, cpu.max and cpu.weight in force" "67108864 50000 100000 ${WEIGHT_OF_512[$handler]}" \
    "$(cat "$dir/$ctr_scope/memory.max" "$dir/$ctr_scope/cpu.max" "$dir/$ctr_scope/cpu.weight" 2>&1 | tr '\n' ' ' | sed 's/ $//')"

  # ---- exec, logs, update, stats
  capture 120 cr exec -s "$ctr" sh -c 'cat /proc/self/cgroup; cat /proc/1/oom_score_adj'
  step "$handler" "exec -s: the container's cgroup namespace root, its oom_score_adj" "0::/ 900" \
    "$(tr '\n' ' ' <<< "$OUT" | sed 's/ $//')" "$ERR"
  capture 60 cr logs "$ctr"
  step "$handler" "logs: the container's output" "hello from $handler" "$OUT" "$ERR"
  capture 120 cr update --memory 134217728 --cpu-quota 20000 "$ctr"
  step "$handler" "update: systemd's MemoryMax and CPUQuotaPerSecUSec" "0 134217728 200ms" \
    "$RC $(show "$ctr_scope" MemoryMax) $(show "$ctr_scope" CPUQuotaPerSecUSec)" "$ERR"
  step "$handler" "update: memory.max and cpu.max in force" "134217728 20000 100000" \
    "$(cat "$dir/$ctr_scope/memory.max" "$dir/$ctr_scope/cpu.max" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
  capture 120 cr stats -o json --id "$ctr"
  out=$(jq -r '[(.stats[0].cpu.usageCoreNanoSeconds.value // 0 | tonumber > 0),
                (.stats[0].memory.workingSetBytes.value // 0 | tonumber > 0)] | map(tostring) | join(" ")' <<< "$OUT" 2>&1)
  step "$handler" "stats: cpu time and working set read from the scope" "true true" "$out" "$OUT$ERR"

  # ---- a memory hog in the pod: killed at its limit, and kubelet is told why
  hog "$handler"

  # ---- stop, rm, stopp, rmp: the scopes go; the pod's slice is kubelet's
  capture 120 cr stop --timeout 30 "$ctr"
  step "$handler" "stop: EXITED with 0 (SIGTERM trapped)" "0 CONTAINER_EXITED 0" \
    "$RC $(container_field "$ctr" .status.state) $(container_field "$ctr" .status.exitCode)" "$ERR"
  capture 120 cr rm "$ctr"
  gone "$ctr_scope"
  step "$handler" "rm: the container's scope is gone from systemd and from the tree" "0 not-found 0" \
    "$RC $(show "$ctr_scope" LoadState) $(ls -d "$dir/$ctr_scope" 2>/dev/null | wc -l)" "$ERR"
  capture 120 cr stopp "$pod"
  step "$handler" "stopp: NOTREADY, the pause process gone" "0 SANDBOX_NOTREADY gone" \
    "$RC $(pod_field "$pod" .status.state) $(kill -0 "$pause_pid" 2>/dev/null && echo alive || echo gone)" "$ERR"
  capture 120 cr rmp "$pod"
  gone "$pause_scope"
  step "$handler" "rmp: no pod, the pause's scope gone, the pod's slice left empty" "0 not-found " \
    "$RC $(show "$pause_scope" LoadState) $(cr pods -q 2>/dev/null; ls "$dir" | grep '\.scope$')" "$ERR"
  systemctl stop "$slice"

  # ---- a pod without a cgroup parent (critest's): no slice:prefix:name, so it is refused
  sed 's/"cgroup_parent": "[^"]*"/"cgroup_parent": ""/; s/"uid": "[^"]*"/"uid": "orphan-'"$handler"'"/; s/"name": "web-/"name": "orphan-/' \
    "$WORK/$handler-pod.json" > "$WORK/$handler-orphan.json"
  capture 300 cr runp --runtime "$handler" "$WORK/$handler-orphan.json"
  out=$(grep -o 'slice:prefix:name' <<< "$ERR" | head -n 1)
  step "$handler" "runp without a cgroup parent: refused, naming systemd's slice:prefix:name form" \
    "slice:prefix:name " "$out $(cr pods -q --state ready 2>/dev/null)" "rc=$RC $ERR"
  timeout 300 cr rmp --force --all > /dev/null 2>&1
}

for handler in runc hako; do
  echo "# --runtime $handler ($(date +%T))"
  scenario "$handler"
done
# The warm runtime the shims' calls started (it idles 30 s): in a scope of its own, not in
# containerd's cgroup, where the shims run (docs/warm.md).
warm_cgroups=$(for pid in $(pgrep -f 'hako.Main warm-serve'); do cut -d: -f3 "/proc/$pid/cgroup"; done | sort -u)
check "the warm runtime is in a scope of its own (system.slice/hako-warm-…), not containerd's" yes \
  "$([ -n "$warm_cgroups" ] && ! grep -qv '^/system.slice/hako-warm-.*\.scope$' <<< "$warm_cgroups" && echo yes)" "$warm_cgroups"
trap - EXIT
stop_all
check "no cri-containerd scope is left in systemd" "" "$(systemctl list-units --all --plain --no-legend 'cri-containerd-*' 2>&1)"
check "no pod slice is left in systemd" "" "$(systemctl list-units --all --plain --no-legend 'kubepods-burstable-pod*' 2>&1)"
clients_finish
