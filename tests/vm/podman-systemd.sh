#!/bin/bash
# podman 4.3 with cgroup_manager = "systemd" driving hako, in the cgroup v2 VM with systemd as
# PID 1: the steps of tests/clients/podman.sh that a systemd host changes, the rest shared
# (tests/clients/sleeper-steps.sh). podman then passes --systemd-cgroup and a cgroupsPath of
# machine.slice:libpod:ID; each container is the scope libpod-ID.scope, asked of systemd by hako.
#
# Usage: tests/vm/podman-systemd.sh [RUNTIME]      (on the host: boots the VM and runs itself there)
# RUNTIME defaults to bin/hako. Prints PASS/FAIL per step and "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/tests/clients/lib.sh"
source "$repo/tests/clients/sleeper-steps.sh"
IMAGE=localhost/hako-busybox:latest

if [ "$(cat /proc/1/comm)" != systemd ]; then
  # ---- on the host: the packages (the VM runs the host's files), then the VM
  source "$repo/scripts/common.sh"
  ensure_packages qemu-system-x86 linux-image-amd64 busybox-static systemd dbus podman conmon netavark uidmap bsdutils jq
  [ -x "$repo/target/java" ] || { echo "tests/vm/podman-systemd.sh: run 'mvn package' first" >&2; exit 1; }
  exec "$repo/tests/vm/vm-run.sh" --systemd --cpus 2 --mem 2048 --timeout 900 --no-env -- "$here/podman-systemd.sh" "${1:-$repo/bin/hako}"
fi

# ---- in the VM (its network, its storage, all thrown away with it)
runtime=$(clients_resolve_runtime "${1:-$repo/bin/hako}") || exit 2
WORK=$(mktemp -d /tmp/hako-podman-systemd.XXXXXX)
export WORK RESULTS=$WORK/results
: > "$RESULTS"
started=$(date +%s)
echo "# podman $(podman --version | awk '{print $3}'), cgroup manager systemd ($(systemctl --version | head -1)), runtime $runtime"
PODMAN_CGROUP_MANAGER=systemd clients_podman_environment "$runtime"
RUN=(run --pull=never --network none)
show() { systemctl show -P "$2" "$1"; }
wait_for_log() {
  local name=$1 line=$2 i
  for i in $(seq 50); do pm logs "$name" 2>/dev/null | grep -qxF "$line" && return 0; sleep 0.2; done
  return 1
}
gone() { local i; for i in $(seq 100); do [ "$(show "$1" LoadState)" = not-found ] && return 0; sleep 0.1; done; return 1; }

clients_podman_import "$repo" "$IMAGE"
if [ "$RC" -eq 0 ] && pm image exists "$IMAGE"; then pass "import: busybox rootfs tarball as $IMAGE"
else fail "import: busybox rootfs tarball as $IMAGE" "$ERR"; clients_finish; fi

# ---- run --rm
capture 120 pm "${RUN[@]}" --rm "$IMAGE" echo hello from podman
check "run --rm: output is exactly the process's" "hello from podman" "$OUT" "$ERR"
capture 120 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
check "run --rm: exit status 7 comes back" 7 "$RC" "$ERR"
capture 120 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'cat /proc/self/cgroup'
check "run --rm: the container sees its cgroup namespace's root" "0::/" "$OUT" "$ERR"

# ---- run -d: the scope, its properties, the limits in systemd and in the files
SLEEPER='echo started; trap "echo got USR1" USR1; trap "echo got TERM; exit 0" TERM; while :; do sleep 1; done'
capture 120 pm "${RUN[@]}" -d --name sleeper --memory 64m --pids-limit 100 --cpus 0.5 "$IMAGE" sh -c "$SLEEPER"
cid=$OUT
if [ "$RC" -eq 0 ] && [ ${#cid} -eq 64 ]; then pass "run -d: prints the container id"
else fail "run -d: prints the container id" "$OUT"$'\n'"$ERR"; fi
unit=libpod-$cid.scope
pid=$(pm inspect --format '{{.State.Pid}}' sleeper 2>/dev/null)
check "the container is the scope $unit in machine.slice, active and delegated" "active machine.slice yes" \
  "$(show "$unit" ActiveState) $(show "$unit" Slice) $(show "$unit" Delegate)"
check "its init is in the scope's cgroup" "0::/machine.slice/$unit" "$(cat /proc/$pid/cgroup 2>/dev/null)"
check "systemd has podman's limits: MemoryMax, TasksMax, CPUQuotaPerSecUSec" "67108864 100 500ms" \
  "$(show "$unit" MemoryMax) $(show "$unit" TasksMax) $(show "$unit" CPUQuotaPerSecUSec)"
dir=/sys/fs/cgroup/machine.slice/$unit
check "and the scope's files: memory.max pids.max cpu.max" "67108864 100 50000 100000" \
  "$(cat $dir/memory.max $dir/pids.max $dir/cpu.max 2>/dev/null | paste -sd' ')"
conmon=$(pm inspect --format '{{.State.ConmonPid}}' sleeper 2>/dev/null)
conmon_cgroup=$(cat /proc/$conmon/cgroup 2>/dev/null)
if [ -n "$conmon_cgroup" ] && [ "$conmon_cgroup" != "0::/machine.slice/$unit" ]; then
  pass "conmon is outside the container's scope (in ${conmon_cgroup#0::})"
else fail "conmon is outside the container's scope" "conmon $conmon: $conmon_cgroup"; fi

capture 60 pm ps --format '{{.Names}} {{.Status}}'
if [ "$RC" -eq 0 ] && grep -qE '^sleeper Up' <<< "$OUT"; then pass "ps: the detached container is Up"
else fail "ps: the detached container is Up" "$OUT"$'\n'"$ERR"; fi

sleeper_steps pm "${RUN[@]:1}"

capture 60 pm stats --no-stream --format '{{.Name}} {{.PIDs}}' sleeper
if [ "$RC" -eq 0 ] && grep -qE '^sleeper [0-9]+$' <<< "$OUT"; then pass "stats: podman reads the scope's cgroup ($OUT)"
else fail "stats: podman reads the scope's cgroup" "$OUT"$'\n'"$ERR"; fi

capture 60 pm update --memory 128m sleeper
check "update --memory: systemd's MemoryMax and memory.max" "0 134217728 134217728" "$RC $(show "$unit" MemoryMax) $(cat $dir/memory.max 2>/dev/null)" "$ERR"

capture 60 pm pause sleeper
check "pause: the scope's cgroup is frozen" "paused 1" "$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null) $(sed -n 's/^frozen //p' $dir/cgroup.events)" "$ERR"
capture 60 pm unpause sleeper
check "unpause: the container runs again" running "$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null)" "$ERR"

before=$(date +%s%N)
capture 90 pm stop --time 20 sleeper
took=$(( ($(date +%s%N) - before) / 1000000 ))
check "stop: SIGTERM reaches the process, which exits 0 (${took} ms)" "0 exited 0" \
  "$RC $(pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' sleeper 2>/dev/null)" "$ERR"
capture 60 pm logs sleeper
check "logs after stop: USR1 then TERM, nothing else" "started|got USR1|got TERM" "$(paste -sd'|' <<< "$OUT")" "$ERR"
capture 60 pm rm sleeper
if [ "$RC" -eq 0 ] && gone "$unit" && [ ! -e "$dir" ]; then pass "rm: the container's unit and cgroup are gone"
else fail "rm: the container's unit and cgroup are gone" "rc=$RC LoadState=$(show "$unit" LoadState)"$'\n'"$ERR"; fi

# ---- the end: nothing of the test's left
timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1
left=$(systemctl list-units --all --plain --no-legend 'libpod-*' | awk '{print $1}')
check "leak check: no libpod unit is left" "" "$left"
check "leak check: no container cgroup is left in machine.slice" "" "$(ls -d /sys/fs/cgroup/machine.slice/libpod-* 2>/dev/null)"
clients_finish
