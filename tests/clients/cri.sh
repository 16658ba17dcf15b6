#!/bin/bash
# Pods through containerd 1.6's CRI plugin with the runtime under test as the runtime handler
# "hako" (io.containerd.runc.v2, BinaryName = RUNTIME, cgroupfs), driven by crictl as kubelet
# drives a node: runp, create, start, exec, logs, port-forward, stats, stop, rm, stopp, rmp; and
# the host policy of /etc/hako/hako.toml ($HAKO_CONFIG) for the cpu.shares = 2 that containerd
# always puts on the pause container.
#
# Usage (root): tests/clients/cri.sh [RUNTIME]   RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log tests/clients/cri.sh bin/hako   also records every runtime call
#
# Everything runs in a throwaway network + mount namespace: containerd with its own config.toml
# (root, state, socket under the work directory), CNI (Debian's bridge, host-local, loopback and
# portmap plugins; conflist in the work directory) and the pod network namespaces. The images are
# made here (pause: Debian's static catatonit, `catatonit -P`; busybox) as OCI archives and
# imported with `ctr -n k8s.io images import`: nothing is pulled. crictl is built once from
# ../shared/conformance/cri-tools-v1.26.1.tar.gz with Debian's Go, offline, and kept in
# $CRI_CACHE (/var/tmp/hako-cri). Prints a PASS/FAIL line per step and "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"
# shellcheck source=tests/clients/cri-lib.sh
source "$here/cri-lib.sh"

IMAGE=docker.io/hako/busybox:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "cri.sh must run as root" >&2; exit 2; }
  clients_ensure_packages containerd runc golang-go containernetworking-plugins iptables catatonit \
    busybox-static jq util-linux iproute2
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  cri_build_tools crictl || { echo "building crictl failed" >&2; exit 2; }
  WORK=$(mktemp -d /tmp/hako-cri.XXXXXX)
  # Pods' cgroup parents go under /$PARENT (cgroupfs), so the leak check knows what is ours.
  export WORK RESULTS=$WORK/results PARENT=hako-cri-${WORK##*.}
  : > "$RESULTS"
  started=$(date +%s)
  echo "# containerd $(containerd --version | awk '{print $3}') (CRI), crictl of $(basename "$CRI_TOOLS" .tar.gz), runtime $runtime, work dir $WORK"
  network_before=$(clients_host_network)
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 900 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] && [ -e "$WORK/inner-done" ] ||
    fail "the steps ran to their end (inner half exited with $inner)"
  check "the machine's links, addresses, routes, nft ruleset and forwarding are unchanged" \
    "$network_before" "$(clients_host_network)"
  # The runtime leaves the pods' parent directories (kubelet's own, on a node); not their leaves.
  CLIENT_CGROUPS_KEPT="policy-pod|web-pod" clients_leak_check "$PARENT"
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
# The host policy under test is the one this script writes: a machine's own is hidden here.
[ -d /etc/hako ] && mount -t tmpfs -o mode=755 clients-etc-hako /etc/hako
mkdir -p "$WORK/tmp" "$WORK/tools" "$WORK/cni" "$WORK/pods"
export TMPDIR=$WORK/tmp NAMESPACE=k8s.io
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
unset HAKO_CONFIG

cri_write_cni
cri_toml=$(cri_toml "$client_runtime")
cri_write_crictl

# Removes every pod (their containers with them), then stops containerd.
stop_containerd() {
  timeout 120 cr rmp --force --all >/dev/null 2>&1
  clients_containerd_stop
}
trap stop_containerd EXIT

start_containerd() {
  if clients_containerd_start "$cri_toml" 2> "$WORK/start-error"; then pass "containerd $1 answers on its private socket (CRI on)"
  else fail "containerd $1 answers on its private socket (CRI on)" "$(cat "$WORK/start-error")"; exit 1; fi
}

# pod_config NAME: a sandbox config as kubelet writes one (metadata, hostname, log directory,
# cgroup parent, a PID namespace per container: CRI's zero value, POD, would share the pause's);
# the pause container gets containerd's own defaults.
CONTAINER_PID_NAMESPACE=1
pod_config() {
  mkdir -p "$WORK/pods/$1"
  cat > "$WORK/$1.json" <<END
{ "metadata": { "name": "$1", "namespace": "hako", "uid": "$1-uid", "attempt": 0 },
  "hostname": "$1", "log_directory": "$WORK/pods/$1",
  "linux": { "cgroup_parent": "/$PARENT/$1",
             "security_context": { "namespace_options": { "pid": $CONTAINER_PID_NAMESPACE } } } }
END
  echo "$WORK/$1.json"
}
pod_field() { cr inspectp -o json "$1" 2>/dev/null | jq -r "$2"; }
container_field() { cr inspect -o json "$1" 2>/dev/null | jq -r "$2"; }
# The file of CONTROLLER (a v1 hierarchy's name in /proc/PID/cgroup) for process PID.
v1_cgroup_file() {
  local pid=$1 controller=$2 file=$3 line
  line=$(grep -E "^[0-9]+:([^:]*,)?$controller(,[^:]*)?:" "/proc/$pid/cgroup" 2>/dev/null) || return 1
  echo "/sys/fs/cgroup/$(sed 's/^[0-9]*:\([^:]*\):.*/\1/' <<< "$line")${line#*:*:}/$file"
}
# What the runtime logged for a task (the shim's --log file in the task's bundle).
runtime_log() { cat "$WORK/state/io.containerd.runtime.v2.task/k8s.io/$1/log.json" 2>/dev/null; }
# The v2 tree's directory of process PID's cgroup (/sys/fs/cgroup/unified on a hybrid host).
v2_cgroup_dir() {
  local line tree
  line=$(grep -E '^0::' "/proc/$1/cgroup" 2>/dev/null) || return 1
  tree=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
  echo "$tree${line#0::}"
}
# The pause container's cpu.shares: enforced (the v1 file says 2, or on a v2 controller cpu.weight
# says 1, its conversion), or a warning naming the cpu limit in the runtime's log. Prints which,
# or nothing when none holds.
cpu_shares_outcome() {
  local pod=$1 pid file
  pid=$(pod_field "$pod" .info.pid)
  file=$(v1_cgroup_file "$pid" cpu cpu.shares) && [ "$(cat "$file" 2>/dev/null)" = 2 ] &&
    { echo "enforced: $file = 2"; return; }
  file=$(v2_cgroup_dir "$pid")/cpu.weight && [ "$(cat "$file" 2>/dev/null)" = 1 ] &&
    { echo "enforced: $file = 1"; return; }
  runtime_log "$pod" | jq -r 'select(.level == "warning") | .msg' 2>/dev/null | grep -i cpu | head -n 1 |
    sed 's/^/dropped with a warning: /'
}

# ---- images: made here, imported into containerd's k8s.io namespace (CRI's) -----------------
start_containerd "(no hako.toml)"
cri_pause_archive "$WORK/pause-oci.tar"
clients_oci_archive "$repo" "$WORK/busybox-oci.tar" "$IMAGE"
capture 120 c images import "$WORK/pause-oci.tar"; import_errors=$ERR
capture 120 c images import "$WORK/busybox-oci.tar"; import_errors+=$ERR
listed=$(cr images -o json 2>/dev/null | jq -r '.images[].repoTags[]' | sort | paste -sd' ')
check "images: the pause (catatonit -P) and busybox archives imported, both seen by the CRI" \
  "$IMAGE $PAUSE_IMAGE" "$listed" "$import_errors"

# ---- the host policy: none (HAKO_CONFIG unset, no /etc/hako/hako.toml) --------------------------
# containerd gives the pause container linux.resources.cpu.shares = 2; on a hybrid host the cpu
# controller is v1's. runc enforces it there; hako (v2 limits only) must refuse it in one line
# that names the cpu limit, never drop it silently. Where v2 has the cpu controller, both enforce it.
capture 120 cr runp --runtime hako "$(pod_config policy-pod)"
policy_pod=$OUT
if [ "$RC" -eq 0 ]; then
  outcome=$(cpu_shares_outcome "$policy_pod")
  [[ $outcome == enforced:* ]] && result=pass || result=fail
  timeout 60 cr stopp "$policy_pod" >/dev/null 2>&1; timeout 60 cr rmp "$policy_pod" >/dev/null 2>&1
else
  outcome="refused: $(sed -n 's/.*OCI runtime create failed: //p' <<< "$ERR" | head -n 1)"
  { grep -qi 'cpu' <<< "$ERR" && [ -z "$(cr pods -q 2>/dev/null)" ]; } && result=pass || result=fail
fi
name="no host policy: runp enforces the pause container's cpu.shares = 2, or is refused naming the cpu limit"
if [ "$result" = pass ]; then pass "$name"; echo "      | $outcome"
else fail "$name" "$outcome"$'\n'"$ERR"$'\n'"$(cr pods 2>&1)"; fi
stop_containerd

# ---- the host policy: unenforceable-limits = "warn", named by HAKO_CONFIG in containerd's
# environment (the shim, and the runtime it runs, inherit it) ---------------------------------
cat > "$WORK/hako.toml" <<END
[cgroup]
unenforceable-limits = "warn"
END
export HAKO_CONFIG=$WORK/hako.toml
start_containerd "(HAKO_CONFIG: warn)"

# runp: the sandbox (pause container, network namespace, CNI)
capture 120 cr runp --runtime hako "$(pod_config web-pod)"
pod=$OUT
pod_ok=no
if [ "$RC" -eq 0 ] && [ "$(pod_field "$pod" .status.state)" = SANDBOX_READY ]; then
  pod_ok=yes; pass "runp --runtime hako: the pod sandbox is READY"
else fail "runp --runtime hako: the pod sandbox is READY" "$OUT"$'\n'"$ERR"; fi

pause_pid=$(pod_field "$pod" .info.pid)
# The cgroup: v1's pids hierarchy (runc on a hybrid host) or the v2 tree (hako: v2 only).
pause_v1=$(grep -E '^[0-9]+:pids:' "/proc/$pause_pid/cgroup" 2>/dev/null)
pause_v2=$(grep -E '^0::' "/proc/$pause_pid/cgroup" 2>/dev/null)
if [ "$(tr '\0' ' ' < "/proc/$pause_pid/cmdline" 2>/dev/null)" = "/catatonit -P " ] &&
   { [ "${pause_v1#*:pids:}" = "/$PARENT/web-pod/$pod" ] || [ "${pause_v2#0::}" = "/$PARENT/web-pod/$pod" ]; }; then
  pass "pause: catatonit -P, in the cgroup under the pod's cgroup_parent"
else fail "pause: catatonit -P, in the cgroup under the pod's cgroup_parent" "pid=$pause_pid"$'\n'"$(cat "/proc/$pause_pid/cgroup" 2>&1)"; fi

outcome=$([ "$pod_ok" = yes ] && cpu_shares_outcome "$pod")
if [ -n "$outcome" ]; then pass "warn policy: the pause's cpu.shares = 2 is enforced, or dropped with a warning in the runtime's log"; echo "      | $outcome"
else fail "warn policy: the pause's cpu.shares = 2 is enforced, or dropped with a warning in the runtime's log" "$(runtime_log "$pod")"; fi

pod_ip=$(pod_field "$pod" .status.network.ip)
if [[ $pod_ip == 10.88.* ]] && [ "$(readlink "/proc/$pause_pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then
  pass "pod network: its own network namespace, address $pod_ip from the CNI bridge"
else fail "pod network: its own network namespace, address $pod_ip from the CNI bridge" "$(pod_field "$pod" .status.network)"; fi

# create + start: a container in the pod, with what kubelet sends for a BestEffort container
cat > "$WORK/web.json" <<END
{ "metadata": { "name": "web" }, "image": { "image": "$IMAGE" },
  "command": ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo pod-page > /www/index.html; httpd -p 80 -h /www; echo hello from the pod; while :; do sleep 1; done"],
  "log_path": "web.log",
  "linux": { "resources": { "cpu_shares": 2, "oom_score_adj": 1000 },
             "security_context": { "namespace_options": { "pid": $CONTAINER_PID_NAMESPACE } } } }
END
capture 120 cr create "$pod" "$WORK/web.json" "$WORK/web-pod.json"
ctr_id=$OUT
if [ "$RC" -eq 0 ] && [ "$(container_field "$ctr_id" .status.state)" = CONTAINER_CREATED ]; then
  pass "create: the container is CREATED in the pod"
else fail "create: the container is CREATED in the pod" "$OUT"$'\n'"$ERR"; fi
capture 120 cr start "$ctr_id"
if [ "$RC" -eq 0 ] && [ "$(container_field "$ctr_id" .status.state)" = CONTAINER_RUNNING ]; then
  pass "start: the container is RUNNING"
else fail "start: the container is RUNNING" "$OUT"$'\n'"$ERR"$'\n'"$(runtime_log "$ctr_id")"; fi

ctr_pid=$(container_field "$ctr_id" .info.pid)
same() { [ -n "$ctr_pid" ] && [ "$(readlink "/proc/$ctr_pid/ns/$1")" = "$(readlink "/proc/$pause_pid/ns/$1")" ]; }
if same net && same ipc && same uts && ! same pid && ! same mnt; then
  pass "namespaces: the container joins the pod's net, ipc and uts; its own pid and mnt"
else fail "namespaces: the container joins the pod's net, ipc and uts; its own pid and mnt" \
  "$(for ns in net ipc uts pid mnt; do echo "$ns: $(readlink "/proc/$ctr_pid/ns/$ns") pause $(readlink "/proc/$pause_pid/ns/$ns")"; done)"; fi

# exec: ExecSync (crictl exec -s) and the streaming Exec (through containerd's stream server)
capture 60 cr exec -s "$ctr_id" sh -c 'echo exec-ok $(hostname) $(cat /proc/1/oom_score_adj); echo $$'
if [ "$RC" -eq 0 ] && [ "$(sed -n 1p <<< "$OUT")" = "exec-ok web-pod 1000" ] && [ "$(sed -n 2p <<< "$OUT")" != 1 ]; then
  pass "exec -s (ExecSync): beside PID 1, the pod's hostname, the container's oom_score_adj"
else fail "exec -s (ExecSync): beside PID 1, the pod's hostname, the container's oom_score_adj" "rc=$RC"$'\n'"$OUT"$'\n'"$ERR"; fi
# crictl 1.26 exits 1 for any non-zero status and names the status in its message.
capture 60 cr exec -s "$ctr_id" sh -c 'exit 3'
if [ "$RC" -eq 1 ] && grep -q "exited with 3" <<< "$ERR"; then pass "exec -s: exit status 3 comes back"
else fail "exec -s: exit status 3 comes back" "rc=$RC"$'\n'"$ERR"; fi
capture 60 cr exec "$ctr_id" sh -c 'echo streamed; exit 4'
if [ "$OUT" = streamed ] && [ "$RC" -eq 1 ] && grep -q "exit code 4" <<< "$ERR"; then
  pass "exec (streaming): output and exit status 4"
else fail "exec (streaming): output and exit status 4" "rc=$RC"$'\n'"$OUT"$'\n'"$ERR"; fi

capture 30 cr logs "$ctr_id"
check "logs: exactly the container's output" "hello from the pod" "$OUT" "$ERR"

# (no wget -T: busybox 1.35 wget segfaults with it; capture's timeout bounds it.)
# port-forward: crictl listens on 127.0.0.1:18080, containerd dials port 80 in the pod's netns
capture 15 busybox wget -q -O - "http://$pod_ip/"
check "the pod's httpd answers at its address ($pod_ip) over the CNI bridge" pod-page "$OUT" "rc=$RC $ERR"
cr port-forward "$pod" 18080:80 > "$WORK/port-forward.log" 2>&1 &
forward_pid=$!
for _ in $(seq 50); do grep -q 'Forwarding from' "$WORK/port-forward.log" && break; sleep 0.2; done
capture 15 busybox wget -q -O - http://127.0.0.1:18080/
check "port-forward 18080:80: httpd reached through the stream server" pod-page "$OUT" "$ERR"$'\n'"$(cat "$WORK/port-forward.log")"
kill "$forward_pid" 2>/dev/null; wait "$forward_pid" 2>/dev/null

# stats: what the shim reads from the container's cgroups (v1 cpuacct and memory on a hybrid host,
# whatever the runtime used). Plausible for a shell, an httpd and a sleep: no more cpu time than
# its cores could give since it started, a working set below 64 MiB.
capture 30 cr stats -o json --id "$ctr_id"
cpu=$(jq -r '.stats[0].cpu.usageCoreNanoSeconds.value // empty' <<< "$OUT" 2>/dev/null)
memory=$(jq -r '.stats[0].memory.workingSetBytes.value // empty' <<< "$OUT" 2>/dev/null)
started_at=$(date -d "$(container_field "$ctr_id" .status.startedAt)" +%s%N 2>/dev/null || echo 0)
cpu_bound=$(( ($(date +%s%N) - started_at + 1000000000) * $(nproc) ))
if [ "$RC" -eq 0 ] && [ "${cpu:-0}" -gt 0 ] && [ "$cpu" -le "$cpu_bound" ] &&
   [ "${memory:-0}" -gt 0 ] && [ "$memory" -lt $((64 << 20)) ]; then
  pass "stats: the container's own cpu time and working set ($cpu ns, $memory bytes)"
else fail "stats: the container's own cpu time and working set" \
  "cpu $cpu ns (at most $cpu_bound since it started), working set $memory bytes"$'\n'"$ERR"$'\n'"cgroups of its process:"$'\n'"$(cat "/proc/$ctr_pid/cgroup" 2>&1)"; fi

# stop: SIGTERM (trapped: exit 0) well before the 10 s grace period ends
stop_started=$(date +%s)
capture 60 cr stop --timeout 10 "$ctr_id"
stop_seconds=$(( $(date +%s) - stop_started ))
if [ "$RC" -eq 0 ] && [ "$(container_field "$ctr_id" .status.state)" = CONTAINER_EXITED ] &&
   [ "$(container_field "$ctr_id" .status.exitCode)" = 0 ] && [ "$stop_seconds" -lt 10 ]; then
  pass "stop: SIGTERM trapped, EXITED with 0 in ${stop_seconds}s"
else fail "stop: SIGTERM trapped, EXITED with 0" "rc=$RC ${stop_seconds}s"$'\n'"$ERR"$'\n'"$(container_field "$ctr_id" .status)"; fi

capture 60 cr rm "$ctr_id"
if [ "$RC" -eq 0 ] && [ -z "$(cr ps -a -q 2>/dev/null)" ] &&
   [ -z "$(clients_cgroup_dirs "$PARENT/web-pod/$ctr_id")" ]; then
  pass "rm: the container and its cgroups are gone"
else fail "rm: the container and its cgroups are gone" "$ERR"$'\n'"$(cr ps -a 2>&1)"$'\n'"$(clients_cgroup_dirs "$PARENT/web-pod/$ctr_id")"; fi

capture 60 cr stopp "$pod"
if [ "$RC" -eq 0 ] && [ "$(pod_field "$pod" .status.state)" = SANDBOX_NOTREADY ] &&
   ! kill -0 "$pause_pid" 2>/dev/null && [ -z "$(ls /run/netns 2>/dev/null)" ]; then
  pass "stopp: NOTREADY, the pause process and the pod's network namespace gone"
else fail "stopp: NOTREADY, the pause process and the pod's network namespace gone" "$ERR"$'\n'"$(pod_field "$pod" .status.state) $(ls /run/netns 2>&1)"$'\n'"$(runtime_log "$pod")"; fi

capture 60 cr rmp "$pod"
if [ "$RC" -eq 0 ] && [ -z "$(cr pods -q 2>/dev/null)" ] && [ -z "$(c task ls -q 2>/dev/null)" ] &&
   [ -z "$(c containers ls -q 2>/dev/null)" ] && [ -z "$(clients_cgroup_dirs "$PARENT/web-pod/$pod")" ]; then
  pass "rmp: no pod, task, container or pod cgroup left"
else fail "rmp: no pod, task, container or pod cgroup left" "$ERR"$'\n'"$(cr pods 2>&1)"$'\n'"$(c task ls 2>&1)"; fi
touch "$WORK/inner-done"
