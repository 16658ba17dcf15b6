#!/bin/bash
# Runs inside the cgroup v2 VM with systemd as PID 1 (tests/vm/systemd-run.sh): the systemd
# cgroup driver (--systemd-cgroup) with real hako containers from a busybox bundle. Each check
# prints "pass NAME" or "FAIL NAME: why", and last "N passed, N failed"; exits 1 when one failed.
# Needs the tree built (mvn package) and jq.
set -uo pipefail
cd "$(dirname "$0")/../.."
HAKO=$PWD/bin/hako
CG=/sys/fs/cgroup
W=/tmp/vm-systemd
STATE=$W/state
source tests/vm/check-lib.sh
hako() { "$HAKO" --root "$STATE" --systemd-cgroup "$@"; }
await() { local i; for i in $(seq 1 300); do grep -q "${2:-.}" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# show UNIT PROPERTY: systemd's value
show() { systemctl show -P "$2" "$1"; }
# gone UNIT: until systemd has no such unit loaded (10 s at most)
gone() { local i; for i in $(seq 1 100); do [ "$(show "$1" LoadState)" = not-found ] && return 0; sleep 0.1; done; return 1; }
field() { sed -n "s/^$2 //p" "$1"; }
ms() { date +%s%N | cut -c1-13; }

mkdir -p "$W"
scripts/busybox-rootfs.sh "$W/rootfs"
"$HAKO" spec --bundle "$W"
jq --arg rootfs "$W/rootfs" '.root.path = $rootfs | .process.terminal = false' "$W/config.json" > "$W/base.json"
echo "kernel $(uname -r), $(systemctl --version | head -1), PID 1: $(cat /proc/1/comm), hako in $(cut -d: -f3 /proc/self/cgroup)"

# ---------------------------------------------------------------- create: a scope, limits, the init in it
bundle web '.linux.resources = {"memory": {"limit": 67108864, "reservation": 16777216}, "pids": {"limit": 16},
    "cpu": {"shares": 2048, "quota": 50000, "period": 100000, "cpus": "0"}, "unified": {"memory.oom.group": "1"}}
  | .process.args = ["sh", "-c", "sh -c \"i=0; while [ \\$i -lt 40 ]; do sleep 300 & i=\\$((i+1)); done\" 2>/dev/null; echo forked > /io/forked; n=0; while :; do n=$((n+1)); echo $n > /io/tick; done"]'
hako create --bundle "$W/web" web < /dev/null > "$W/web.out" 2>&1
expect "create exits 0" "$? $(cat $W/web.out)" "0 "
SCOPE=$CG/system.slice/hako-web.scope
expect "the state names the unit and its cgroup" "$(jq -r '.systemdUnit + " " + .cgroup' $STATE/web/state.json)" "hako-web.scope $SCOPE"
expect "the scope is active, in system.slice, delegated" \
  "$(show hako-web.scope ActiveState) $(show hako-web.scope Slice) $(show hako-web.scope Delegate)" "active system.slice yes"
expect "systemd has the limits: MemoryMax, MemoryLow, TasksMax, CPUQuotaPerSecUSec, AllowedCPUs" \
  "$(show hako-web.scope MemoryMax) $(show hako-web.scope MemoryLow) $(show hako-web.scope TasksMax) $(show hako-web.scope CPUQuotaPerSecUSec) $(show hako-web.scope AllowedCPUs)" \
  "67108864 16777216 16 500ms 0"
expect "the scope's files: memory.max memory.low pids.max cpu.max cpuset.cpus" \
  "$(cat $SCOPE/memory.max $SCOPE/memory.low $SCOPE/pids.max $SCOPE/cpu.max $SCOPE/cpuset.cpus | tr '\n' ' ')" "67108864 16777216 16 50000 100000 0 "
weight=$(show hako-web.scope CPUWeight)
expect "CPUWeight (shares 2048, runc's conversion) is cpu.weight" "$weight" "$(cat $SCOPE/cpu.weight)"
expect "what systemd has no property for is written by hako (memory.oom.group)" "$(cat $SCOPE/memory.oom.group)" 1
pid=$(hako state web | jq -r .pid)
expect "init is in the scope's cgroup, alone (the stage that started the scope has exited)" "$(cat $SCOPE/cgroup.procs)" "$pid"
expect "hako state: created" "$(hako state web | jq -r .status)" created

# ---------------------------------------------------------------- start, ps, pids enforced, events, pause
# The process forks 40 sleepers in a shell of their own (TasksMax 16 stops them, and a failed fork
# ends that shell), then counts with shell builtins only.
hako start web
await "$W/web.io/forked"
current=$(cat $SCOPE/pids.current); refused=$(field $SCOPE/pids.events max)
expect_true "40 sleepers are held at TasksMax 16 (pids.current $current, refused ${refused:-0})" "pids.current $current, max ${refused:-0}" \
  [ "$current" -le 16 -a "${refused:-0}" -gt 0 ]
expect "hako ps lists the scope's processes" "$(hako ps --format json web | jq length)" "$current"
stats=$(hako events --stats web)
expect_true "hako events --stats reads the scope (memory usage and pids)" "$stats" \
  sh -c "echo '$stats' | jq -e '.data.memory.usage.usage > 0 and .data.pids.current == $current' > /dev/null"
hako pause web
expect "pause freezes the scope's cgroup" "$(field $SCOPE/cgroup.events frozen) $(hako state web | jq -r .status)" "1 paused"
before=$(cat $W/web.io/tick); sleep 1; after=$(cat $W/web.io/tick)
expect "a paused container does not run" "$after" "$before"
hako resume web
# The loop rewrites the file all the time: a read may meet it empty; wait for a new number (5 s).
for _ in $(seq 50); do tick=$(cat $W/web.io/tick); [ -n "$tick" ] && [ "$tick" != "$after" ] && break; sleep 0.1; done
expect_true "resume thaws it" "tick stays '$after'" [ -n "$tick" -a "$tick" != "$after" ]

# ---------------------------------------------------------------- update: through systemd, and in force at once
hako update --memory 134217728 --pids-limit 64 web
expect "update: systemd's MemoryMax and TasksMax" "$(show hako-web.scope MemoryMax) $(show hako-web.scope TasksMax)" "134217728 64"
expect "update: memory.max and pids.max in force when update returns" "$(cat $SCOPE/memory.max) $(cat $SCOPE/pids.max)" "134217728 64"
systemctl daemon-reload
expect "after a daemon-reload systemd writes the updated values, not the first ones" "$(cat $SCOPE/memory.max) $(cat $SCOPE/pids.max)" "134217728 64"

# ---------------------------------------------------------------- delete: unit gone, cgroup gone
hako delete --force web
expect_true "delete stops the unit: systemd has no hako-web.scope" "LoadState $(show hako-web.scope LoadState)" gone hako-web.scope
expect "delete: the scope's cgroup is gone, and the state" "$(ls -d $SCOPE $STATE/web 2>&1 | grep -vc 'No such file')" 0

# ---------------------------------------------------------------- OOM: killed at MemoryMax, and the event reported
# As containerd and podman run it: create, watch its events, start, delete. With systemd the
# scope (and its memory.events) goes as soon as the killed process leaves it empty: the event
# must have been read by then.
bundle oom '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}
  | .process.args = ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]'
hako create --bundle "$W/oom" oom < /dev/null > "$W/oom.out" 2>&1
expect "MemorySwapMax is swap minus memory" "$(show hako-oom.scope MemorySwapMax) $(cat $CG/system.slice/hako-oom.scope/memory.swap.max)" "0 0"
hako events --interval 30s oom > "$W/oom.events" 2>&1 & watcher=$!
if await "$W/oom.events" '"type":"stats"'; then
  hako start oom
  await "$W/oom.events" '"type":"oom"'
fi
wait $watcher; code=$?
expect "a memory hog is OOM-killed at MemoryMax, and hako events reports it, then ends" \
  "$(grep -c '^{"type":"oom","id":"oom"}$' "$W/oom.events") $code $(hako state oom | jq -r .status)" "1 0 stopped"
hako delete oom
expect_true "delete after the OOM: no unit, no cgroup" "LoadState $(show hako-oom.scope LoadState)" gone hako-oom.scope
expect "delete after the OOM: its cgroup is gone" "$(ls -d $CG/system.slice/hako-oom.scope 2>/dev/null)" ""

# ---------------------------------------------------------------- run in the foreground, a slice of its own
bundle fg '.linux.cgroupsPath = "machine-hako.slice:test:fg" | .process.args = ["sh", "-c", "cat /proc/self/cgroup; exit 3"]'
hako run --bundle "$W/fg" fg > "$W/fg.out" 2>&1
code=$?
expect "run: the exit code, and the process saw its cgroup namespace's root" "$code $(cat $W/fg.out)" "3 0::/"
expect_true "run: the unit machine-hako.slice/test-fg.scope is gone after" "LoadState $(show test-fg.scope LoadState)" gone test-fg.scope
expect "run: its cgroup is gone" "$(ls -d $CG/machine.slice/machine-hako.slice/test-fg.scope 2>/dev/null)" ""

# ---------------------------------------------------------------- errors: a unit that exists; no systemd
systemd-run --quiet --scope --unit=hako-taken sleep 300 & taken=$!
for i in $(seq 1 50); do [ "$(show hako-taken.scope ActiveState)" = active ] && break; sleep 0.1; done
bundle taken '.linux.cgroupsPath = "system.slice:hako:taken"'
out=$(hako create --bundle "$W/taken" taken 2>&1 < /dev/null); code=$?
expect "a scope that exists is one line" "$code $out" \
  "1 hako: creating container \"taken\": systemd already has a unit hako-taken.scope: another container's, or one left behind (systemctl stop hako-taken.scope)"
expect "the other scope still runs, and no state is left" "$(show hako-taken.scope ActiveState) $(ls $STATE)" "active "
kill $taken; wait $taken 2>/dev/null
bundle nobus '.process.args = ["true"]'
out=$(unshare -m sh -c "mount -t tmpfs none /run/dbus && mount -t tmpfs none /run/systemd && '$HAKO' --root '$STATE' --systemd-cgroup run --bundle '$W/nobus' nobus" 2>&1); code=$?
expect "no systemd to reach: one line naming the bus" "$code $out" \
  "1 hako: running container \"nobus\": the systemd cgroup driver needs systemd's D-Bus: connecting to /run/dbus/system_bus_socket: no such file or directory"
bundle badpath '.linux.cgroupsPath = "/machines/x"'
out=$(hako create --bundle "$W/badpath" badpath 2>&1 < /dev/null); code=$?
expect "a cgroupsPath that is not slice:prefix:name is refused" "$code $out" \
  "1 hako: creating container \"badpath\": config.json: linux.cgroupsPath: \"/machines/x\" is not systemd's slice:prefix:name form, which the systemd cgroup driver (--systemd-cgroup) needs (\"system.slice:hako:badpath\", or empty)"

# ---------------------------------------------------------------- unit properties the bundle asks for (annotations)
# org.systemd.property.NAME: what podman and CRI-O write; runc (the baseline) first, then hako,
# on one bundle: a GVariant int, a time in seconds (NAMESec, asked as NAMEUSec), a list, a string;
# none of them is systemd's default.
bundle props '.process.args = ["sleep", "300"] | .linux.cgroupsPath = "system.slice:props:c"
  | .annotations = {"org.systemd.property.KillSignal": "10", "org.systemd.property.TimeoutStopSec": "7",
                    "org.systemd.property.After": "[\"hako-props-after.service\"]", "org.systemd.property.CollectMode": "'\''inactive-or-failed'\''"}'
for runtime in runc hako; do
  if [ $runtime = runc ]; then rt() { runc --root "$W/runc" --systemd-cgroup "$@"; }; else rt() { hako "$@"; }; fi
  rt create --bundle "$W/props" props < /dev/null > "$W/props.out" 2>&1
  expect "$runtime: the annotations are the scope's KillSignal, TimeoutStopUSec, After, CollectMode" \
    "$(show props-c.scope KillSignal) $(show props-c.scope TimeoutStopUSec) $(show props-c.scope After | tr ' ' '\n' | grep -c '^hako-props-after.service$') $(show props-c.scope CollectMode)" \
    "10 7s 1 inactive-or-failed"
  rt delete --force props > /dev/null 2>&1
  gone props-c.scope || fail "$runtime: props-c.scope is stopped on delete" "LoadState $(show props-c.scope LoadState)"
done
bundle badprops '.linux.cgroupsPath = "system.slice:hako:badprops" | .annotations = {"org.systemd.property.TimeoutStopSec": "soon"}'
out=$(hako create --bundle "$W/badprops" badprops 2>&1 < /dev/null); code=$?
expect "an annotation that is not a GVariant value is one line, and nothing is left" "$code $out$(ls $STATE)" \
  "1 hako: creating container \"badprops\": config.json: annotations: org.systemd.property.TimeoutStopSec: not a GVariant value: \"soon\" is not a value (at character 1 of \"soon\")"

# ---------------------------------------------------------------- the warm runtime: a scope of its own
# A runtime started by a call from a unit that then ends (a conmon's scope, a Quadlet service)
# must not be that unit's: not charged to it, not keeping it up, not killed with it. The unit
# here waits until the runtime serves, then ends, and systemd kills what is left in its cgroup.
warm=hako-warm/vm-check/0/first-caller
WARM_UNIT=hako-warm-vm-check-0-first-caller.scope
served() { HAKO_WARM_NAME=$warm HAKO_WARM_TRACE=1 "$HAKO" --root "$STATE" list 2>&1 > /dev/null | grep -c ": served$"; }
systemd-run --quiet --wait --unit=hako-first-caller -p KillMode=control-group -E HAKO_WARM_NAME=$warm -E HAKO_WARM_IDLE=120 \
  sh -c "for i in \$(seq 300); do HAKO_WARM_TRACE=1 '$HAKO' --root '$STATE' list 2>&1 > /dev/null | grep -q ': served$' && exit 0; sleep 0.1; done; exit 1"
code=$?
runtime=$(cat $CG/system.slice/$WARM_UNIT/cgroup.procs 2>/dev/null)
expect "the warm runtime a unit's call started is in $WARM_UNIT, and serves after that unit has ended" \
  "$code $(show $WARM_UNIT ActiveState) $(tr '\0' ' ' < /proc/${runtime:-0}/cmdline 2>/dev/null | grep -c warm-serve) $(served)" "0 active 1 1"
systemctl stop $WARM_UNIT
expect "stopping its scope ends it" "$(show $WARM_UNIT ActiveState) $(kill -0 ${runtime:-0} 2>/dev/null && echo alive)" "inactive "

# ---------------------------------------------------------------- features
expect "hako features: cgroup systemd" "$("$HAKO" features | jq -c .linux.cgroup.systemd)" true

# ---------------------------------------------------------------- cost: create+start+delete, with and without
# COST_RUNS rounds (default 3), the two drivers alternating so that the VM's drift falls on both.
bundle quick '.process.args = ["true"]'
: > "$W/cost"
for i in $(seq 1 "${COST_RUNS:-3}"); do
  for driver in cgroupfs systemd; do
    flag=; [ $driver = systemd ] && flag=--systemd-cgroup
    t0=$(ms)
    "$HAKO" --root "$STATE" $flag create --bundle "$W/quick" q < /dev/null && "$HAKO" --root "$STATE" $flag start q \
      && "$HAKO" --root "$STATE" $flag delete --force q || fail "create+start+delete ($driver)" "failed"
    echo "$driver $(( $(ms) - t0 ))" >> "$W/cost"
  done
done
for driver in cgroupfs systemd; do
  sed -n "s/^$driver //p" "$W/cost" | sort -n | awk -v d=$driver '{a[NR]=$1} END {printf "cost: create+start+delete with %s: min %d ms, median %d ms (n=%d)\n", d, a[1], a[int((NR+1)/2)], NR}'
done
expect "nothing of hako's left in system.slice (but the warm runtimes' scopes)" "$(ls -d $CG/system.slice/hako-*.scope 2>/dev/null | grep -v '/hako-warm-')" ""

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
