#!/bin/bash
# containerd 1.6 (Debian 12) and its runc shim (io.containerd.runc.v2) driving an OCI runtime:
# `ctr run --runc-binary RUNTIME`, exec, ps, pause/resume, kill, delete.
#
# Usage (root): tests/clients/containerd.sh [RUNTIME]   RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log tests/clients/containerd.sh /usr/local/bin/hako
#                                    also records every runtime call, its exit code and duration
#
# The script starts its own containerd (own config.toml, socket, root and state directories) in a
# throwaway network + mount namespace, imports an image built here from a busybox rootfs (an OCI
# image layout written with tar and sha256sum: nothing is pulled), and stops and removes it all
# afterwards. Prints a PASS/FAIL line per step and "N passed, N failed"; non-zero when one failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

IMAGE=docker.io/hako/busybox:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "containerd.sh must run as root" >&2; exit 2; }
  clients_ensure_packages containerd runc busybox-static bsdutils util-linux iproute2
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  WORK=$(mktemp -d /tmp/hako-containerd.XXXXXX)
  # The containerd namespace names the cgroups too: ctr's default cgroup path is /NAMESPACE/ID.
  export WORK RESULTS=$WORK/results NAMESPACE=hako-ctr-${WORK##*.}
  : > "$RESULTS"
  started=$(date +%s)
  echo "# containerd $(containerd --version | awk '{print $3}'), runtime $runtime, work dir $WORK"
  # Ctrl-C or a TERM ends the steps (the inner half cleans up on exit), not the checks below;
  # a step that hangs past the client's own timeouts ends them too, after 10 minutes.
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] || fail "the steps ran to their end (inner half exited with $inner)"
  clients_leak_check "$NAMESPACE"
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
mkdir -p "$WORK/tmp" "$WORK/tools"
export TMPDIR=$WORK/tmp
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
RUN=(run --runc-binary "$client_runtime")

cleanup_inner() { clients_containerd_stop "$IMAGE"; }
trap cleanup_inner EXIT

# Status (RUNNING, PAUSED, STOPPED, ...) and pid of a task, from `ctr task ls`.
task_status() { c task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { c task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }
wait_for_status() {
  local id=$1 want=$2 i
  for i in $(seq 50); do [ "$(task_status "$id")" = "$want" ] && return 0; sleep 0.2; done
  return 1
}

if clients_containerd_start 2> "$WORK/start-error"; then pass "containerd answers on its private socket"
else fail "containerd answers on its private socket" "$(cat "$WORK/start-error")"; exit 1; fi

# ---- the image: an OCI image layout (one uncompressed layer) written by hand, imported offline
clients_oci_archive "$repo" "$WORK/busybox-oci.tar" "$IMAGE"
capture 120 c images import "$WORK/busybox-oci.tar"
if [ "$RC" -eq 0 ] && c images ls -q 2>/dev/null | grep -qxF "$IMAGE"; then pass "import: hand-made OCI archive as $IMAGE (unpacked)"
else fail "import: hand-made OCI archive as $IMAGE (unpacked)" "$OUT"$'\n'"$ERR"; exit 1; fi

# ---- run (attached, --rm): output, exit status, namespaces
capture 60 c "${RUN[@]}" --rm "$IMAGE" hello echo hello from containerd
check "run --rm: output is exactly the process's" "hello from containerd" "$OUT" "$ERR"
capture 60 c "${RUN[@]}" --rm "$IMAGE" status sh -c 'exit 7'
check "run --rm: exit status 7 comes back" 7 "$RC" "$ERR"
capture 60 c "${RUN[@]}" --rm --env GREETING=hello --cwd /var/tmp "$IMAGE" isolated \
  sh -c "echo \$\$ \$GREETING \$(pwd); [ ! -e $WORK ] && echo host-invisible"
check "run --rm --env --cwd: PID 1, environment, directory, the host's files invisible" \
  "1 hello /var/tmp|host-invisible" "$(paste -sd'|' <<< "$OUT")" "$ERR"
tty_out=$(on_a_terminal c "${RUN[@]}" --rm -t "$IMAGE" terminal sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo tty-ok' 2>&1)
if grep -qE '^/dev/pts/[0-9]+$' <<< "$tty_out" && grep -qx tty-ok <<< "$tty_out"; then
  pass "run -t: the process has a terminal (console socket)"
else fail "run -t: the process has a terminal (console socket)" "$tty_out"; fi

# ---- run -d, then exec, ps, pause/resume, kill, delete
capture 60 c "${RUN[@]}" -d "$IMAGE" sleeper \
  sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
sleeper_ran=no
if [ "$RC" -eq 0 ] && wait_for_status sleeper RUNNING; then sleeper_ran=yes; pass "run -d: the task is RUNNING"
else fail "run -d: the task is RUNNING" "$OUT"$'\n'"$ERR"$'\n'"$(c task ls 2>&1)"; fi

pid=$(task_pid sleeper)
# RUNNING once start has let the process go; its exec may follow a moment later (runc's too).
sleeper_cmdline() { tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null; }
for _ in $(seq 20); do
  [ "$(sleeper_cmdline)" = 'sh -c trap "exit 0" TERM; while :; do sleep 1; done ' ] && break
  sleep 0.1
done
if [ -n "$pid" ] && [ "$pid" -gt 0 ] &&
   [ "$(sleeper_cmdline)" = 'sh -c trap "exit 0" TERM; while :; do sleep 1; done ' ]; then
  pass "task ls: the pid (from --pid-file) is the container's process on the host"
else fail "task ls: the pid (from --pid-file) is the container's process on the host" "pid=$pid"; fi

cgroup_line=$(grep -E '^[0-9]+:pids:' "/proc/$pid/cgroup" 2>/dev/null)
cgroup_line2=$(grep -E '^0::' "/proc/$pid/cgroup" 2>/dev/null)
if [ "${cgroup_line#*:pids:}" = "/$NAMESPACE/sleeper" ] || [ "${cgroup_line2#0::}" = "/$NAMESPACE/sleeper" ]; then
  pass "cgroup: the process is in /$NAMESPACE/sleeper, the path ctr asked for"
else fail "cgroup: the process is in /$NAMESPACE/sleeper, the path ctr asked for" "$(cat "/proc/$pid/cgroup" 2>&1)"; fi

capture 30 c task exec --exec-id e1 sleeper sh -c 'echo exec-ok; tr "\0" " " < /proc/1/cmdline; echo; echo $$'
if [ "$RC" -eq 0 ] && [ "$(sed -n 1p <<< "$OUT")" = exec-ok ] &&
   [ "$(sed -n 2p <<< "$OUT")" = 'sh -c trap "exit 0" TERM; while :; do sleep 1; done ' ] &&
   [ "$(sed -n 3p <<< "$OUT")" != 1 ]; then
  pass "exec: runs beside PID 1 in the container's namespaces"
else fail "exec: runs beside PID 1 in the container's namespaces" "rc=$RC"$'\n'"$OUT"$'\n'"$ERR"; fi

capture 30 c task exec --exec-id e2 sleeper sh -c 'exit 5'
check "exec: exit status 5 comes back" 5 "$RC" "$ERR"

capture 30 c task exec --exec-id e3 --cwd /tmp --user 65534 sleeper sh -c 'echo "$(pwd) $(id -u)"'
check "exec --cwd --user: directory and user of the process" "/tmp 65534" "$OUT" "$ERR"

tty_out=$(on_a_terminal c task exec -t --exec-id e4 sleeper sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo tty-ok' 2>&1)
if grep -qE '^/dev/pts/[0-9]+$' <<< "$tty_out" && grep -qx tty-ok <<< "$tty_out"; then
  pass "exec -t: the process has a terminal"
else fail "exec -t: the process has a terminal" "$tty_out"; fi

capture 30 c task ps sleeper
if [ "$RC" -eq 0 ] && awk 'NR > 1 { print $1 }' <<< "$OUT" | grep -qx "$pid"; then
  pass "task ps (runtime ps --format json): lists the container's init"
else fail "task ps (runtime ps --format json): lists the container's init" "pid=$pid"$'\n'"$OUT"$'\n'"$ERR"; fi

capture 30 c task pause sleeper
state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
freezer=$(cat "/sys/fs/cgroup/freezer/$NAMESPACE/sleeper/freezer.state" 2>/dev/null)
if [ "$RC" -eq 0 ] && [ "$(task_status sleeper)" = PAUSED ]; then
  pass "pause: the task is PAUSED (freezer.state ${freezer:-none}, process state $state)"
else fail "pause: the task is PAUSED" "$ERR"$'\n'"status $(task_status sleeper), freezer ${freezer:-none}"; fi
paused=$(task_status sleeper)
capture 30 c task resume sleeper
if [ "$paused" = PAUSED ] && [ "$RC" -eq 0 ] && [ "$(task_status sleeper)" = RUNNING ]; then pass "resume: the task is RUNNING again"
else fail "resume: the task is RUNNING again" "$ERR"$'\n'"status $(task_status sleeper)"; fi

capture 30 c task kill --signal SIGTERM sleeper
if [ "$RC" -eq 0 ] && wait_for_status sleeper STOPPED; then pass "kill SIGTERM: the process traps it and the task is STOPPED"
else fail "kill SIGTERM: the process traps it and the task is STOPPED" "$ERR"$'\n'"status $(task_status sleeper)"; fi

# ctr 1.6 `task delete` exits 0 and reports a non-zero exit status of the task as a warning.
exit_status() {
  local code
  code=$(sed -n 's/.*exit with non-zero exit code \([0-9]*\).*/\1/p' <<< "$ERR" | head -n 1)
  if [ "$RC" -ne 0 ]; then echo "delete failed ($RC)"; else echo "${code:-0}"; fi
}
capture 30 c task delete sleeper
check "task delete: exit status 0 (the TERM trap ran)" 0 "$(exit_status)" "$ERR"
capture 30 c containers delete sleeper
left=$(clients_cgroup_dirs "$NAMESPACE" | grep -c '/sleeper$')
if [ "$sleeper_ran" = yes ] && [ "$RC" -eq 0 ] && [ -z "$(c containers ls -q 2>/dev/null)" ] && [ "$left" -eq 0 ]; then
  pass "containers delete: the container, its snapshot and its cgroups are gone"
else fail "containers delete: the container, its snapshot and its cgroups are gone" "task ran: $sleeper_ran"$'\n'"$ERR"$'\n'"$(clients_cgroup_dirs "$NAMESPACE")"; fi

# SIGKILL from ctr: the shim reports 137.
capture 60 c "${RUN[@]}" -d "$IMAGE" victim sleep 300
if [ "$RC" -eq 0 ] && wait_for_status victim RUNNING; then
  capture 30 c task kill --signal SIGKILL victim
  if wait_for_status victim STOPPED; then
    capture 30 c task delete victim
    check "kill SIGKILL, delete: exit status 137" 137 "$(exit_status)" "$ERR"
  else fail "kill SIGKILL, delete: exit status 137" "status $(task_status victim)"$'\n'"$ERR"; fi
else fail "kill SIGKILL, delete: exit status 137" "$ERR"; fi
c task delete --force victim >/dev/null 2>&1
c containers delete victim >/dev/null 2>&1

capture 30 c task ls -q
check "task ls: no task left" "" "$OUT" "$ERR"
capture 30 c snapshots ls
check "snapshots: only the image's layer is left" 1 "$(tail -n +2 <<< "$OUT" | grep -c .)" "$OUT"
