#!/bin/bash
# Runs inside the cgroup v2 VM that tests/vm/run.sh boots: real hako containers from a busybox
# bundle, each check printing "pass NAME" or "FAIL NAME: why", and last "N passed, N failed".
# Exits 1 when a check failed. Needs the tree built (mvn package) and jq.
set -uo pipefail
cd "$(dirname "$0")/../.."
HAKO=$PWD/bin/hako
PROBE=("$PWD/target/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED
       -cp "$PWD/target/classes:$PWD/target/test-classes" hako.cgroup.VmProbe)
CG=/sys/fs/cgroup
W=/tmp/vm
STATE=$W/state
source tests/vm/check-lib.sh
# run NAME: runs the container NAME in the foreground; its output in $W/NAME.out, exit code echoed
run() { "$HAKO" --root "$STATE" run --bundle "$W/$1" "$1" > "$W/$1.out" 2>&1; echo $?; }
# start NAME: runs it in the background, for 2 minutes at most; $! is its pid
start() { timeout 120 "$HAKO" --root "$STATE" run --bundle "$W/$1" "$1" > "$W/$1.out" 2>&1 & }
# await FILE [PATTERN]: until FILE has a line matching PATTERN (any line by default), 30 s at most
await() { local i; for i in $(seq 1 300); do grep -q "${2:-.}" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
probe() { "${PROBE[@]}" "$@"; }
hako() { "$HAKO" --root "$STATE" "$@"; }
# detach NAME: `run -d`, as a manager would run it (foreground `run` holds the container's lock)
detach() { hako run -d --bundle "$W/$1" "$1" < /dev/null > "$W/$1.out" 2>&1; }
# stopped NAME: until hako says the container is stopped (10 s at most), then deletes it
stopped() {
  local i; for i in $(seq 1 20); do [ "$(hako state "$1" | jq -r .status)" = stopped ] && { hako delete "$1"; return 0; }; sleep 0.5; done
  return 1
}
field() { sed -n "s/^$2 //p" "$1"; }

mkdir -p "$W"
scripts/busybox-rootfs.sh "$W/rootfs"
"$HAKO" spec --bundle "$W"
jq --arg rootfs "$W/rootfs" '.root.path = $rootfs | .process.terminal = false
    | .process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
    | .process.capabilities.permitted += ["CAP_MKNOD"]' "$W/config.json" > "$W/base.json"
echo "kernel $(uname -r), $(nproc) CPUs, controllers: $(cat $CG/cgroup.subtree_control)"

# ---------------------------------------------------------------- memory: OOM kill and its event
# As containerd and podman run it: create, watch its events, start, delete. (With `run` the
# cgroup goes the moment the process dies, and an event not read by then goes with it.)
bundle oom '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}
  | .process.args = ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]'
hako create --bundle "$W/oom" oom < /dev/null > "$W/oom.out" 2>&1
expect "memory.max is the spec's limit" "$(cat $CG/hako/oom/memory.max)" 33554432
expect "memory.swap.max is swap minus memory" "$(cat $CG/hako/oom/memory.swap.max)" 0
# hako events prints the container's stats at once, and from then on it watches for OOM kills.
hako events --interval 30s oom > "$W/oom.events" 2>&1 & watcher=$!
if await "$W/oom.events" '"type":"stats"'; then
  hako start oom
  await "$W/oom.events" '"type":"oom"'
fi
expect "a memory hog is OOM-killed at memory.max" "$(field $CG/hako/oom/memory.events oom_kill) $(hako state oom | jq -r .status)" "1 stopped"
expect "hako events reports the OOM kill as runc does" "$(grep -c '^{"type":"oom","id":"oom"}$' "$W/oom.events")" 1
wait $watcher; expect "hako events ends when the container stops" $? 0
hako delete oom
expect "delete removes the container's cgroup" "$(ls -d $CG/hako/oom 2>/dev/null)" ""

# ---------------------------------------------------------------- pids: a fork bomb stops at pids.max
# Each bomb leaves a sleeper behind, so that the processes pile up to the limit and stay there;
# init itself forks no more once the bomb is lit: it blocks opening a FIFO (again after each
# SIGCHLD of an orphaned bomb interrupts it).
bundle forkbomb '.linux.resources.pids = {"limit": 32}
  | .process.args = ["sh", "-c", "sh -c \"bomb() { [ -e /io/stop ] && return; sleep 60 & bomb & bomb; }; bomb\" 2>/dev/null; while :; do read x < /io/block; done 2>/dev/null"]'
mkfifo "$W/forkbomb.io/block"
start forkbomb; container=$!
for i in $(seq 1 100); do [ -e $CG/hako/forkbomb/pids.current ] && break; sleep 0.1; done
# The most processes seen at once while the bomb goes off: near the limit, never above it.
most=0
for i in $(seq 1 40); do current=$(cat $CG/hako/forkbomb/pids.current); [ "$current" -gt "$most" ] && most=$current; sleep 0.1; done
refused=$(field $CG/hako/forkbomb/pids.events max)
expect_true "a fork bomb is held at pids.max (at most $most processes at once, limit 32)" "at most $most" [ "$most" -gt 16 -a "$most" -le 32 ]
expect_true "forks beyond pids.max are refused (pids.events max $refused)" "no fork was refused" [ "${refused:-0}" -gt 0 ]
touch "$W/forkbomb.io/stop"
hako kill --all forkbomb KILL
wait $container; expect "hako kill --all ends the bomb (exit 137)" $? 137

# ---------------------------------------------------------------- cpu: throttled by cpu.max, shares, hugetlb
bundle cpu '.linux.resources.cpu = {"quota": 10000, "period": 100000, "shares": 1024}
  | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
  | .process.args = ["sh", "-c", "cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/hugetlb.2MB.max; timeout 3 sh -c \"while :; do :; done\"; cat /sys/fs/cgroup/cpu.stat"]'
run cpu > /dev/null
expect "cpu.max, cpu.weight (shares 1024 → 100) and hugetlb.2MB.max as the spec says" "$(head -3 $W/cpu.out)" "10000 100000
100
4194304"
throttled=$(field $W/cpu.out nr_throttled)
used=$(field $W/cpu.out usage_usec)
expect_true "a busy loop is throttled by cpu.max (nr_throttled $throttled)" "nr_throttled ${throttled:-none}" [ "${throttled:-0}" -gt 0 ]
expect_true "3 s of a busy loop at 10% used under 1 s of CPU (usage_usec $used)" "usage_usec ${used:-none}" [ "${used:-9999999}" -lt 1000000 ]

# ---------------------------------------------------------------- cpuset
bundle cpuset '.linux.resources.cpu = {"cpus": "1", "mems": "0"}
  | .process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status; cat /sys/fs/cgroup/cpuset.cpus.effective"]'
run cpuset > /dev/null
expect "the container runs only on cpuset.cpus" "$(cat $W/cpuset.out)" "Cpus_allowed_list:	1
1"
bundle cpuset-bad '.linux.resources.cpu = {"cpus": "0-7"}'
code=$(run cpuset-bad)
expect "a cpuset beyond the machine is refused, naming the path" "$code $(cat $W/cpuset-bad.out)" \
  "1 hako: running container \"cpuset-bad\": config.json: linux.resources.cpu.cpus: asks for CPUs 2-7, but the container's cgroup may use only 0-1"

# ---------------------------------------------------------------- io: weight and io.max on a ramdisk
bundle io '.linux.devices = [{"path": "/dev/ram0", "type": "b", "major": 1, "minor": 0, "fileMode": 432}]
  | .linux.resources.blockIO = {"weight": 500, "throttleWriteBpsDevice": [{"major": 1, "minor": 0, "rate": 1048576}]}
  | .process.args = ["sh", "-c", "cat /sys/fs/cgroup/io.max; cat /sys/fs/cgroup/io.bfq.weight /sys/fs/cgroup/io.weight 2>/dev/null | head -1; read a b < /proc/uptime; dd if=/dev/zero of=/dev/ram0 bs=64k count=48 oflag=direct 2>/dev/null; read c d < /proc/uptime; echo elapsed $a $c; cat /sys/fs/cgroup/io.stat"]'
run io > /dev/null
expect "io.max holds the write limit for the ramdisk" "$(head -1 $W/io.out)" "1:0 rbps=max wbps=1048576 riops=max wiops=max"
weight=$(sed -n 2p $W/io.out)
expect_true "io weight 500 is applied (io.bfq.weight 500, or io.weight 4950): '$weight'" "io weight '$weight'" \
  [ "$weight" = "default 4950" -o "$weight" = "default 500" ]
elapsed=$(awk '/^elapsed/ { printf "%.1f", $3 - $2 }' $W/io.out)
expect_true "3 MiB written at 1 MiB/s take at least 2 s (took $elapsed s)" "took ${elapsed:-?} s" awk "BEGIN { exit !(${elapsed:-0} >= 2.0) }"
written=$(sed -n 's/^1:0 .*wbytes=\([0-9]*\).*/\1/p' $W/io.out)
expect_true "io.stat counts the 3 MiB written (wbytes $written)" "wbytes ${written:-none}" [ "${written:-0}" -ge 3145728 ]

# ---------------------------------------------------------------- freeze and thaw
bundle freeze '.process.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /io/count; sleep 0.2; done"]'
detach freeze
await "$W/freeze.io/count"
hako pause freeze
expect "hako pause: cgroup.events says frozen, hako state says paused" "$(field $CG/hako/freeze/cgroup.events frozen) $(hako state freeze | jq -r .status)" "1 paused"
before=$(cat "$W/freeze.io/count"); sleep 1.5; after=$(cat "$W/freeze.io/count")
expect "a frozen container does not run (count stays $before)" "$after" "$before"
hako resume freeze
expect "hako resume: cgroup.events says thawed, hako state says running" "$(field $CG/hako/freeze/cgroup.events frozen) $(hako state freeze | jq -r .status)" "0 running"
sleep 1.5; later=$(cat "$W/freeze.io/count")
expect_true "a thawed container runs again (count $after → $later)" "count stayed $later" [ "$later" -gt "$after" ]
hako kill freeze KILL
expect_true "the paused-and-resumed container ends when killed" "it did not stop" stopped freeze

# ---------------------------------------------------------------- update, and stats against the files
bundle update '.linux.resources.pids = {"limit": 100} | .linux.resources.memory = {"limit": 134217728}
  | .linux.resources.unified = {"memory.high": "125829120"}
  | .process.args = ["sh", "-c", "mknod /dev/ram0 b 1 0; check() { if head -c 1 /dev/ram0 > /dev/null 2>&1; then echo yes > /io/ram; else echo no > /io/ram; fi; }; while [ ! -e /io/go ]; do check; sleep 0.2; done; check; sh -c \"for i in 1 2 3 4 5 6 7 8 9 10; do sleep 60 & done\" 2>/dev/null; echo spawned > /io/spawned; while :; do read x < /io/block; done 2>/dev/null"]'
# The container ends up blocked reading this FIFO: waiting without forking, which pids.max forbids.
mkfifo "$W/update.io/block"
detach update
await "$W/update.io/ram"
expect "memory.high is written verbatim from unified" "$(cat $CG/hako/update/memory.high)" 125829120
expect "before the update the device filter denies /dev/ram0" "$(cat $W/update.io/ram)" no
echo '{"pids": {"limit": 4}, "memory": {"limit": 67108864}, "devices": [{"allow": false, "access": "rwm"},
  {"allow": true, "type": "b", "major": 1, "minor": 0, "access": "r"}]}' > "$W/update.json"
hako update -r "$W/update.json" update
expect "after hako update one device filter is attached: replaced, not stacked" "$(probe "$CG/hako/update" filters)" 1
touch "$W/update.io/go"
await "$W/update.io/spawned"
expect "after the update the device filter allows reading /dev/ram0" "$(cat $W/update.io/ram)" yes
current=$(cat $CG/hako/update/pids.current)
expect "update lowers pids.max" "$(cat $CG/hako/update/pids.max)" 4
expect_true "after the update 10 forks are refused beyond 4 processes (pids.current $current, pids.events max $(field $CG/hako/update/pids.events max))" \
  "pids.current $current" [ "$current" -le 4 -a "$(field $CG/hako/update/pids.events max)" -gt 0 ]
expect "update lowers memory.max" "$(cat $CG/hako/update/memory.max)" 67108864
files="$(cat $CG/hako/update/pids.current) $(cat $CG/hako/update/memory.max) $(cat $CG/hako/update/cpu.stat | sed -n 's/^nr_periods //p')"
hako events --stats update > "$W/update.stats"
expect "hako events --stats (runc's shape) matches the cgroup files" \
  "$(head -1 $W/update.stats | jq -r '[.type, .id, .data.pids.current, .data.memory.usage.limit, (.data.cpu.throttling.periods // 0)] | join(" ")')" \
  "stats update $files"
head -1 "$W/update.stats" > "$W/update.stats.json"
expect_true "stats report memory in use, its raw counters and CPU time" "$(cat $W/update.stats.json)" \
  jq -e '.data.memory.usage.usage > 0 and .data.memory.raw.anon > 0 and .data.cpu.usage.total > 0' "$W/update.stats.json" > /dev/null
hako kill --all update KILL
expect_true "the updated container ends with hako kill --all" "it did not stop" stopped update

# ---------------------------------------------------------------- devices, the cgroup namespace, placement
bundle devices '.process.args = ["sh", "-c", "mknod /dev/sdz b 8 0 && echo mknod-ok; head -c 1 /dev/sdz; head -c 1 /dev/zero | wc -c"]'
run devices > /dev/null
expect "the device filter lets mknod through but denies opening the node; /dev/zero works" "$(cat $W/devices.out)" "mknod-ok
head: /dev/sdz: Operation not permitted
1"
# cgroup.procs lists sh and wc, nothing of the host.
bundle namespace '.process.args = ["sh", "-c", "cat /proc/self/cgroup; wc -l < /sys/fs/cgroup/cgroup.procs; ls /sys/fs/cgroup | grep -c ^memory.max$; echo 1 > /sys/fs/cgroup/cgroup.freeze"]'
run namespace > /dev/null
expect "with a cgroup namespace, /sys/fs/cgroup is the container's own cgroup, read-only" "$(cat $W/namespace.out)" "0::/
2
1
sh: can't create /sys/fs/cgroup/cgroup.freeze: Read-only file system"
bundle systemd '.linux.cgroupsPath = "machine-test.slice:hako:sd" | .linux.namespaces |= map(select(.type != "cgroup"))
  | .process.args = ["cat", "/proc/self/cgroup"]'
run systemd > /dev/null
expect "slice:prefix:name is placed where systemd would put it" "$(cat $W/systemd.out)" "0::/machine.slice/machine-test.slice/hako-sd.scope"
expect_true "the slices hako made for it are gone with it" "$(ls $CG)" [ ! -e $CG/machine.slice ]

# ---------------------------------------------------------------- no internal processes
# hako alone in a cgroup of its own (as when it is a container's only process), asked for a
# limit below that cgroup: the cgroup cannot pass controllers down while hako is in it, so hako
# moves itself into a leaf first, as runc and crun do. With another process there, it refuses.
mkdir $CG/alone
bundle inner '.linux.resources.pids = {"limit": 7} | .process.args = ["cat", "/sys/fs/cgroup/pids.max"]'
bash -c "echo \$\$ > $CG/alone/cgroup.procs; exec $HAKO --root $STATE run --bundle $W/inner inner" > "$W/inner.out" 2>&1
expect "hako alone in its cgroup moves itself into a leaf to pass controllers down" \
  "$(cat $W/inner.out) $(cat $CG/alone/cgroup.subtree_control) $(ls $CG/alone | grep -e hako)" "7 pids hako-runtime"
rmdir $CG/alone/hako-runtime $CG/alone
mkdir $CG/crowded
sleep 60 & echo $! > $CG/crowded/cgroup.procs; neighbour=$!
bash -c "echo \$\$ > $CG/crowded/cgroup.procs; exec $HAKO --root $STATE run --bundle $W/inner crowded" > "$W/crowded.out" 2>&1
expect "hako with a neighbour in its cgroup refuses, and moves no one" "$(cat $W/crowded.out) $(cat $CG/crowded/cgroup.procs)" \
  "hako: running container \"crowded\": cannot pass the pids controller down from $CG/crowded: processes live in it, and cgroup v2 gives controllers only to cgroups whose parent holds no processes; put the container elsewhere with linux.cgroupsPath $neighbour"
kill $neighbour; wait $neighbour 2>/dev/null
rmdir $CG/crowded

# ---------------------------------------------------------------- bad input: clear errors, nothing made
bundle swap '.linux.resources.memory = {"limit": 67108864, "swap": 1048576}'
code=$(run swap)
expect "swap below memory is refused with its JSON path" "$code $(cat $W/swap.out)" \
  "1 hako: running container \"swap\": config.json: linux.resources.memory.swap: 1048576 is below the memory limit 67108864 (the spec's swap counts memory plus swap, so it must be at least memory.limit)"
bundle unified '.linux.resources.unified = {"memory.nonsense": "1"}'
code=$(run unified)
expect "an unknown unified file is refused, after its cgroup is undone" "$code $(cat $W/unified.out)" \
  "1 hako: running container \"unified\": config.json: linux.resources.unified[\"memory.nonsense\"]: cgroup v2 has no file memory.nonsense (on this kernel, at least)"

# ---------------------------------------------------------------- exec into a cgroup namespace
# The VM mounts cgroup2 with nsdelegate, as systemd does: the kernel refuses CLONE_INTO_CGROUP to a
# process already in the container's cgroup namespace (ENOENT), so exec's process is moved into
# the cgroup by the runtime instead, before its first batch.
bundle cgns '.process.args = ["sh", "-c", "echo started > /io/started; sleep 120"]'
detach cgns
await "$W/cgns.io/started"
expect "hako exec into a container with its own cgroup namespace (nsdelegate): in its cgroup, which it sees as /" \
  "$(hako exec cgns cat /proc/self/cgroup 2>&1)" "0::/"
hako exec -d cgns sleep 7 > /dev/null 2>&1
expect "hako exec's process is in the container's cgroup, seen from the host" \
  "$(for p in $(cat $CG/hako/cgns/cgroup.procs); do tr '\0' ' ' < /proc/$p/cmdline; echo; done | grep -c '^sleep 7 $')" "1"
hako kill cgns KILL; expect_true "hako delete after exec" "the container did not stop" stopped cgns

# ---------------------------------------------------------------- AppArmor: a profile enforced, in init and in exec
# Debian's kernel enables AppArmor by default (CONFIG_LSM lists it first of the major modules);
# apparmor_parser (the host's apparmor package, which run.sh installs) loads into the VM's kernel
# a profile that allows everything but reading /etc/hostname.
expect "AppArmor is enabled on the VM's kernel" "$(cat /sys/module/apparmor/parameters/enabled 2>&1)" Y
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
printf '%s\n' 'abi <abi/3.0>,' 'profile hako-test flags=(attach_disconnected,mediate_deleted) {' \
  '  file, capability, network, signal, unix, ptrace, mount, umount, pivot_root,' \
  '  deny /etc/hostname r,' '}' > "$W/hako-test.aa"
apparmor_parser -r -K "$W/hako-test.aa" 2> "$W/apparmor_parser.err"
expect "apparmor_parser loads the test's profile into the VM's kernel" \
  "$(grep -c '^hako-test (enforce)$' /sys/kernel/security/apparmor/profiles) $(cat $W/apparmor_parser.err)" "1 "
echo vm > "$W/rootfs/etc/hostname"
bundle apparmor '.process.apparmorProfile = "hako-test"
  | .process.args = ["sh", "-c", "cat /proc/self/attr/current; cat /etc/hostname; echo started > /io/started; sleep 120"]'
detach apparmor
await "$W/apparmor.io/started"
expect "process.apparmorProfile confines the container: attr/current names it, the denied read fails with EACCES" \
  "$(cat $W/apparmor.out)" "hako-test (enforce)
cat: can't open '/etc/hostname': Permission denied"
expect "hako exec runs confined by the container's profile" \
  "$(hako exec apparmor sh -c 'cat /proc/self/attr/current; cat /etc/hostname' 2>&1)" "hako-test (enforce)
cat: can't open '/etc/hostname': Permission denied"
expect "hako exec --apparmor unconfined overrides it, as runc's does" \
  "$(hako exec --apparmor unconfined apparmor cat /proc/self/attr/current /etc/hostname 2>&1)" "unconfined
vm"
expect "hako exec with a profile that is not loaded is refused in one line (255)" \
  "$(hako exec --apparmor hako-absent apparmor true 2>&1; echo $?)" \
  "hako: exec in container \"apparmor\": applying AppArmor profile \"hako-absent\": no such file or directory (no such profile is loaded: see /sys/kernel/security/apparmor/profiles)
255"
hako kill apparmor KILL
expect_true "the confined container ends when killed" "it did not stop" stopped apparmor
# CVE-2025-52881's kind: a mount over the very file that /proc/thread-self/attr/apparmor/exec
# leads to in the container's /proc. The stage writes through a procfs of its own: the profile
# still takes hold and the file mounted there gets nothing.
: > "$W/trap"
bundle apparmor-trap '.process.apparmorProfile = "hako-test"
  | .mounts += [{"destination": "/proc/1/task/1/attr/apparmor/exec", "type": "bind", "source": "'"$W/trap"'", "options": ["bind"]}]
  | .process.args = ["sh", "-c", "grep -c /proc/1/task/1/attr/apparmor/exec /proc/self/mountinfo; cat /proc/self/attr/current"]'
code=$(run apparmor-trap)
expect "a mount over the process's attr file in /proc neither catches the profile's write nor stops it" \
  "$code $(cat $W/apparmor-trap.out) [$(cat $W/trap)]" "0 1
hako-test (enforce) []"
bundle apparmor-absent '.process.apparmorProfile = "hako-absent"'
code=$(run apparmor-absent)
expect "a container whose profile is not loaded is refused, and nothing is left of it" "$code $(cat $W/apparmor-absent.out)" \
  "1 hako: running container \"apparmor-absent\": applying AppArmor profile \"hako-absent\": no such file or directory (no such profile is loaded: see /sys/kernel/security/apparmor/profiles)"
rm "$W/rootfs/etc/hostname"

# ---------------------------------------------------------------- nothing left behind
expect "no cgroup is left behind" "$(ls -d $CG/hako $CG/machine.slice $CG/alone $CG/crowded 2>/dev/null)" ""
expect "no state is left behind" "$(ls $STATE 2>/dev/null)" ""

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
