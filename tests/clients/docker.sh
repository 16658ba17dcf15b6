#!/bin/bash
# Docker 20.10 (Debian 12's docker.io) driving an OCI runtime: its own dockerd and containerd,
# the runtime registered with `--add-runtime hako=RUNTIME --default-runtime hako`.
#
# Usage (root): tests/clients/docker.sh [RUNTIME]   RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log tests/clients/docker.sh /usr/local/bin/hako
#                                    also records every runtime call, its exit code and duration
#   CAPTURE_DIR=/tmp/configs         also keeps every config.json that Docker wrote (ID.json)
#
# Everything happens in a throwaway network + mount namespace: dockerd's data root (overlay2),
# exec root, pidfile, socket and key, containerd's root, state and socket, all under a private
# /tmp/hako-docker.XXXXXX; containers under a private cgroup parent; the default bridge, its
# iptables rules and docker-proxy in the test's network namespace. The image is made offline
# (`docker import` of a busybox rootfs tarball). Prints a PASS/FAIL line per step and
# "N passed, N failed"; exits 1 when a step failed, 2 when the test could not start.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"
source "$here/sleeper-steps.sh"

IMAGE=hako/busybox:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "docker.sh must run as root" >&2; exit 2; }
  # docker.io brings containerd, runc, tini (docker-init) and iptables; busybox-static for the
  # image; script (bsdutils) for -t.
  clients_ensure_packages docker.io containerd runc tini iptables busybox-static bsdutils \
    util-linux iproute2
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  WORK=$(mktemp -d /tmp/hako-docker.XXXXXX)
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-docker-${WORK##*.}
  : > "$RESULTS"
  started=$(date +%s)
  echo "# docker $(dockerd --version | awk '{print $3}' | tr -d ,), containerd $(containerd --version | awk '{print $3}'), runtime $runtime, work dir $WORK"
  network_before=$(clients_host_network)
  # Ctrl-C or a TERM ends the steps (the inner half cleans up on exit), not the checks below;
  # a step that hangs past the client's own timeouts ends them too, after 10 minutes.
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] || fail "the steps ran to their end (inner half exited with $inner)"
  check "leak check: the machine's own links, routes, iptables rules and forwarding sysctls are as before" \
    "$network_before" "$(clients_host_network)"
  clients_leak_check "$CGROUP_PARENT"
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
trap clients_docker_stop EXIT
if clients_docker_start "$client_runtime" 2> "$WORK/start.err"; then
  pass "dockerd answers on its private socket (runtime hako = $client_runtime)"
else fail "dockerd answers on its private socket" "$(cat "$WORK/start.err")"; exit 1; fi
capture 30 dk info --format '{{.DefaultRuntime}} {{.Driver}} {{.CgroupDriver}}'
check "info: default runtime hako, overlay2, cgroupfs" "hako overlay2 cgroupfs" "$OUT" "$ERR"

clients_docker_import "$repo" "$IMAGE"
if [ "$RC" -eq 0 ] && dk image inspect "$IMAGE" >/dev/null 2>&1; then pass "import: busybox rootfs tarball as $IMAGE"
else fail "import: busybox rootfs tarball as $IMAGE" "$OUT"$'\n'"$ERR"; exit 1; fi

# The cgroup directory of PID in HIERARCHY (a directory under /sys/fs/cgroup), from /proc/PID/cgroup.
cgroup_of() {
  local pid=$1 hierarchy=$2 line path
  if [ "$hierarchy" = unified ]; then line=$(grep '^0::' "/proc/$pid/cgroup")
  else line=$(grep -E "^[0-9]+:([^:]*,)?$hierarchy(,[^:]*)?:" "/proc/$pid/cgroup"); fi
  path=${line#*:*:}
  [ -n "$line" ] && echo "/sys/fs/cgroup/$hierarchy$path"
}
# Waits until the container's log has LINE, at most 10 s.
wait_for_log() {
  local name=$1 line=$2 i
  for i in $(seq 50); do
    dk logs "$name" 2>&1 | grep -qxF "$line" && return 0
    sleep 0.2
  done
  return 1
}
inspect() { dk inspect --format "$2" "$1" 2>/dev/null; }
# Waits (at most 20 s) until `inspect NAME FORMAT` prints WANT.
wait_for_inspect() {
  local name=$1 format=$2 want=$3 i
  for i in $(seq 100); do [ "$(inspect "$name" "$format")" = "$want" ] && return 0; sleep 0.2; done
  return 1
}

# ---- run --rm: output, exit status, the process really in its own namespaces
capture 60 dk run --rm "$IMAGE" echo hello from docker
check "run --rm: output is exactly the process's" "hello from docker" "$OUT" "$ERR"
capture 60 dk run --rm "$IMAGE" sh -c 'exit 7'
check "run --rm: exit status 7 comes back" 7 "$RC" "$ERR"
capture 60 dk run --rm --hostname boxname "$IMAGE" sh -c "echo \$\$; hostname; [ ! -e $WORK ] && echo host-invisible"
check "run --rm --hostname: PID 1, the hostname, the host's files invisible" \
  "1|boxname|host-invisible" "$(paste -sd'|' <<< "$OUT")" "$ERR"
capture 60 dk run --rm --network none "$IMAGE" sh -c 'ls /sys/class/net'
check "run --rm --network none: only lo in the container" lo "$OUT" "$ERR"

# ---- what Docker asks of every container: its seccomp profile, masked and read-only /proc paths,
# the network sysctls it sets
capture 60 dk run --rm "$IMAGE" sh -c 'awk "/^Seccomp:/ { print \$2 }" /proc/self/status'
check "seccomp: Docker's default profile is in force (Seccomp: 2, filter)" 2 "$OUT" "$ERR"
capture 60 dk run --rm --security-opt seccomp=unconfined "$IMAGE" sh -c 'awk "/^Seccomp:/ { print \$2 }" /proc/self/status'
check "--security-opt seccomp=unconfined: no filter (Seccomp: 0)" 0 "$OUT" "$ERR"
capture 60 dk run --rm "$IMAGE" sh -c 'stat -c %t:%T /proc/timer_list; ls /sys/firmware | wc -l; awk "\$2 == \"/proc/sys\" { split(\$4, o, \",\"); print o[1] }" /proc/mounts; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
check "maskedPaths (/proc/timer_list is /dev/null, /sys/firmware empty), readonlyPaths (/proc/sys ro), sysctl ip_unprivileged_port_start=0" \
  "1:3|0|ro|0" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- run -d, ps, logs, exec, kill, stop, rm
SLEEPER='echo started; trap "echo got USR1" USR1; trap "echo got TERM; exit 0" TERM; while :; do sleep 1; done'
capture 60 dk run -d --name sleeper "$IMAGE" sh -c "$SLEEPER"
cid=$OUT
if [ "$RC" -eq 0 ] && [ ${#cid} -eq 64 ]; then pass "run -d: prints the container id"
else fail "run -d: prints the container id" "$OUT"$'\n'"$ERR"; fi

capture 30 dk ps --format '{{.Names}} {{.Status}}'
if [ "$RC" -eq 0 ] && grep -qE '^sleeper Up' <<< "$OUT"; then pass "ps: the detached container is Up"
else fail "ps: the detached container is Up" "$OUT"$'\n'"$ERR"; fi

pid=$(inspect sleeper '{{.State.Pid}}')
if [ -n "$pid" ] && [ "$pid" -gt 0 ] && [ "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" = "sh -c $SLEEPER " ]; then
  pass "inspect: State.Pid is the container's process on the host"
else fail "inspect: State.Pid is the container's process on the host" "pid=$pid"; fi

# Where the container's own cgroup is: in the v1 hierarchies (as runc puts it on this hybrid host,
# where Docker reports cgroup version 1), or only in the v2 tree; either passes here, the stats
# step below tells whether Docker can read it.
placed=""
for hierarchy in pids memory cpu unified; do
  [ "$(cgroup_of "${pid:-0}" "$hierarchy" 2>/dev/null)" = "/sys/fs/cgroup/$hierarchy/$CGROUP_PARENT/$cid" ] && placed+="$hierarchy "
done
if [ -n "$placed" ]; then pass "cgroup: the container is in /$CGROUP_PARENT/ID, the parent dockerd was given (${placed% })"
else fail "cgroup: the container is in /$CGROUP_PARENT/ID, the parent dockerd was given" "$(cat "/proc/${pid:-0}/cgroup" 2>&1)"; fi

sleeper_steps dk

status_before=$(inspect sleeper '{{.State.Status}}')
before=$(date +%s%N)
capture 60 dk stop --time 20 sleeper
took=$(( ($(date +%s%N) - before) / 1000000 ))
exit_code=$(inspect sleeper '{{.State.ExitCode}}')
status_after=$(inspect sleeper '{{.State.Status}}')
if [ "$status_before" = running ] && [ "$RC" -eq 0 ] && [ "$status_after" = exited ] &&
   [ "$exit_code" = 0 ] && [ "$took" -lt 10000 ]; then
  pass "stop: SIGTERM reaches the process, which exits 0 (${took} ms)"
else fail "stop: SIGTERM reaches the process, which exits 0 (${took} ms)" "status $status_before -> $status_after, rc=$RC, exit code=$exit_code"$'\n'"$ERR"; fi
capture 30 dk logs sleeper
check "logs after stop: USR1 then TERM, nothing else" "started|got USR1|got TERM" "$(paste -sd'|' <<< "$OUT")" "$ERR"

capture 30 dk start sleeper
if [ "$RC" -eq 0 ] && wait_for_inspect sleeper '{{.State.Status}}' running; then pass "start: the stopped container runs again"
else fail "start: the stopped container runs again" "$ERR"$'\n'"$(inspect sleeper '{{.State.Status}} {{.State.Error}}')"; fi

capture 30 dk kill sleeper
if [ "$RC" -eq 0 ] && wait_for_inspect sleeper '{{.State.Status}}' exited; then
  check "kill (SIGKILL): the container exits 137" 137 "$(inspect sleeper '{{.State.ExitCode}}')"
else fail "kill (SIGKILL): the container exits 137" "$ERR"$'\n'"$(inspect sleeper '{{.State.Status}}')"; fi

cgroups_before=$(clients_cgroup_dirs "$CGROUP_PARENT" | grep -c "/$cid$")
capture 30 dk rm sleeper
left=$(dk ps -a --format '{{.Names}}' 2>&1)
if [ "$status_before" = running ] && [ "$RC" -eq 0 ] && ! grep -qx sleeper <<< "$left" &&
   [ -z "$(clients_cgroup_dirs "$CGROUP_PARENT" | grep "/$cid$")" ]; then
  pass "rm: the container, and its cgroups, are gone ($cgroups_before cgroup directories before)"
else fail "rm: the container, and its cgroups, are gone" "$ERR"$'\n'"$left"$'\n'"$(clients_cgroup_dirs "$CGROUP_PARENT" | grep "/$cid$")"; fi

# ---- -e, -w, -u
capture 60 dk run --rm -e GREETING=hello -e EMPTY= "$IMAGE" sh -c 'echo "$GREETING|$EMPTY|${UNSET-unset}"'
check "-e: variables reach the process" "hello||unset" "$OUT" "$ERR"
capture 60 dk run --rm -w /var/tmp "$IMAGE" pwd
check "-w: working directory" /var/tmp "$OUT" "$ERR"
capture 60 dk run --rm -w /new/dir "$IMAGE" pwd
check "-w: a working directory that the image does not have is made" /new/dir "$OUT" "$ERR"
capture 60 dk run --rm -u 65534:65534 "$IMAGE" sh -c 'echo $(id -u):$(id -g):$(id -un)'
check "-u 65534:65534: user, group and name from the image's passwd" "65534:65534:nobody" "$OUT" "$ERR"
capture 60 dk run --rm -u 1234:5678 "$IMAGE" sh -c 'echo $(id -u):$(id -g); touch /tmp/f && stat -c %u:%g /tmp/f'
check "-u 1234:5678: a numeric user without a passwd entry, files made as it" "1234:5678|1234:5678" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- file systems: --tmpfs, --read-only, -v
capture 60 dk run --rm --tmpfs /scratch:size=1m "$IMAGE" sh -c \
  'awk "\$2 == \"/scratch\" { print \$3 }" /proc/mounts; echo x > /scratch/f && cat /scratch/f; df -k /scratch | awk "NR == 2 { print \$2 }"'
check "--tmpfs /scratch:size=1m: a tmpfs of 1024 KiB, writable" "tmpfs|x|1024" "$(paste -sd'|' <<< "$OUT")" "$ERR"
capture 60 dk run --rm --read-only --tmpfs /tmp "$IMAGE" sh -c \
  'touch /f 2>&1 | grep -o "Read-only file system"; touch /tmp/f && echo tmp-writable'
check "--read-only: the root file system refuses writes, a --tmpfs on it does not" \
  "Read-only file system|tmp-writable" "$(paste -sd'|' <<< "$OUT")" "$ERR"
mkdir -p "$WORK/volume" "$WORK/volume-ro"
echo from-host > "$WORK/volume/in"
echo read-only > "$WORK/volume-ro/in"
capture 60 dk run --rm -v "$WORK/volume:/data" -v "$WORK/volume-ro:/data-ro:ro" "$IMAGE" sh -c \
  'cat /data/in; echo from-container > /data/out; cat /data-ro/in; touch /data-ro/f 2>&1 | grep -o "Read-only file system"'
check "-v DIR:/data, -v DIR:/data-ro:ro: the host's files, writes through, a read-only bind" \
  "from-host|read-only|Read-only file system|from-container" \
  "$(paste -sd'|' <<< "$OUT")|$(cat "$WORK/volume/out" 2>/dev/null)" "$ERR"

# ---- capabilities, --privileged, --init
last_cap=$(cat /proc/sys/kernel/cap_last_cap)
all_caps=$(printf '%016x' $(( (1 << (last_cap + 1)) - 1 )))
capture 60 dk run --rm "$IMAGE" awk '/^CapEff/ { print $2 }' /proc/self/status
check "capabilities: Docker's default set" 00000000a80425fb "$OUT" "$ERR"
capture 60 dk run --rm --cap-drop ALL --cap-add CHOWN --cap-add NET_ADMIN "$IMAGE" awk '/^CapEff/ { print $2 }' /proc/self/status
check "--cap-drop ALL --cap-add CHOWN --cap-add NET_ADMIN: those two only" 0000000000001001 "$OUT" "$ERR"
# --privileged asks for every capability the kernel has; where the test's own bounding set lacks
# some (these machines have no CAP_SYS_RESOURCE), no runtime can grant them: the run must then be
# refused with a message about it, never started with fewer capabilities.
bounding=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
capture 60 dk run --rm --privileged "$IMAGE" sh -c 'awk "/^CapEff/ { print \$2 }" /proc/self/status; [ -c /dev/loop-control ] && echo host-devices'
if [ "$bounding" = "$all_caps" ]; then
  check "--privileged: every capability, the host's devices" "$all_caps|host-devices" "$(paste -sd'|' <<< "$OUT")" "$ERR"
elif [ "$RC" -ne 0 ] && [ -z "$OUT" ] && grep -qiE 'cap' <<< "$ERR"; then
  pass "--privileged: refused, as this machine's bounding set ($bounding) lacks capabilities ($(grep -oiE '[^:]*cap[^:]*: [^:]*' <<< "$ERR" | head -n 1 | sed 's/^ *//'))"
else
  fail "--privileged: every capability, or refused with a message (bounding set $bounding)" "rc=$RC"$'\n'"$OUT"$'\n'"$ERR"
fi
capture 60 dk run --rm --init "$IMAGE" sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo $PPID'
check "--init: docker-init is PID 1, the command its child" "/sbin/docker-init -- sh -c tr \"\\0\" \" \" < /proc/1/cmdline; echo; echo \$PPID |1" \
  "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- resources: --memory, --cpus, --pids-limit, each applied to the container's own cgroup (v1 or
# v2 files), or refused with a message about it: never silently dropped
# limit_step NAME FLAGS V1FILE V1VALUE V2FILE V2VALUE
limit_step() {
  local name=$1 flags=$2 v1file=$3 v1value=$4 v2file=$5 v2value=$6 pid controller=${3%%.*} got
  # shellcheck disable=SC2086
  capture 60 dk run -d --name limited $flags "$IMAGE" sleep 300
  pid=$(inspect limited '{{.State.Pid}}')
  if [ "$RC" -eq 0 ] && [ -n "$pid" ] && [ "$pid" -gt 0 ]; then
    got=$(cat "$(cgroup_of "$pid" "$controller")/$v1file" 2>/dev/null)
    if [ "$got" = "$v1value" ]; then pass "$name: applied ($v1file $got)"
    else
      got=$(cat "$(cgroup_of "$pid" unified)/$v2file" 2>/dev/null)
      if [ "$got" = "$v2value" ]; then pass "$name: applied ($v2file $got, cgroup v2)"
      else fail "$name: applied to the container's own cgroup" "expected $v1file $v1value or $v2file $v2value"$'\n'"$(cat "/proc/$pid/cgroup")"; fi
    fi
  elif [ "$RC" -ne 0 ] && grep -qiE 'cgroup|resources' <<< "$ERR"; then
    pass "$name: refused with a message about it ($(grep -oE 'linux\.resources[^:]*: .*' <<< "$ERR" | head -n 1 | cut -c1-200))"
  else fail "$name: applied, or refused with a message about it" "$ERR"; fi
  dk rm --force limited >/dev/null 2>&1
}
limit_step "--memory 64m" "--memory 64m" memory.limit_in_bytes 67108864 memory.max 67108864
limit_step "--cpus 0.5" "--cpus 0.5" cpu.cfs_quota_us 50000 cpu.max "50000 100000"
limit_step "--pids-limit 64" "--pids-limit 64" pids.max 64 pids.max 64

# ---- what Docker reads back from the runtime and the cgroups: top (runtime ps), stats (the
# shim reads the cgroups of the container's process), pause/unpause (freezer)
capture 60 dk run -d --name counted "$IMAGE" sh -c 'sleep 301 & sleep 302 & wait'
if [ "$RC" -eq 0 ] && wait_for_inspect counted '{{.State.Status}}' running; then
  for _ in $(seq 25); do [ "$(dk top counted 2>/dev/null | grep -c 'sleep 30[12]')" -eq 2 ] && break; sleep 0.2; done
  capture 30 dk top counted -o pid,args
  check "top: the container's three processes (runtime ps)" "sh -c sleep 301 & sleep 302 & wait|sleep 301|sleep 302" \
    "$(tail -n +2 <<< "$OUT" | awk '{ $1 = ""; sub(/^ /, ""); print }' | sort | paste -sd'|')" "$ERR"
  capture 30 dk stats --no-stream --format '{{.PIDs}}' counted
  check "stats: PIDs is the container's own count, 3 (read from its pids cgroup)" 3 "$OUT" "$ERR"
  pid=$(inspect counted '{{.State.Pid}}')
  capture 30 dk pause counted
  state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  paused=$(inspect counted '{{.State.Status}}')
  # Frozen by the v1 freezer (freezer.state) or the v2 one (cgroup.events), whichever holds it.
  frozen=$(cat "$(cgroup_of "$pid" freezer)/freezer.state" 2>/dev/null)
  [ "$frozen" = FROZEN ] || frozen=$(awk '$1 == "frozen" { print "frozen=" $2 }' "$(cgroup_of "$pid" unified)/cgroup.events" 2>/dev/null)
  if [ "$RC" -eq 0 ] && [ "$paused" = paused ] && { [ "$frozen" = FROZEN ] || [ "$frozen" = frozen=1 ]; }; then
    pass "pause: the container is paused ($frozen, process state $state)"
  else fail "pause: the container is paused and its cgroup frozen" "status $paused, freezer ${frozen:-none}"$'\n'"$ERR"; fi
  capture 30 dk unpause counted
  check "unpause: the container runs again" running "$(inspect counted '{{.State.Status}}')" "$ERR"
else
  fail "run -d of a container with three processes" "$ERR"
fi
dk rm --force counted >/dev/null 2>&1

# ---- restart policies: on-failure:2 runs it 3 times, always restarts a process that exits 0
capture 60 dk run -d --name flaky --restart on-failure:2 "$IMAGE" sh -c 'echo ran; exit 3'
if [ "$RC" -eq 0 ] && wait_for_inspect flaky '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 2 3"; then
  sleep 1
  check "--restart on-failure:2: restarted twice, then left exited with its status 3 (3 runs logged)" \
    "exited 2 3|ran|ran|ran" "$(inspect flaky '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}')|$(dk logs flaky 2>&1 | paste -sd'|')"
else fail "--restart on-failure:2: restarted twice, then left exited with its status 3 (3 runs logged)" \
  "$ERR"$'\n'"$(inspect flaky '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}} {{.State.Error}}')"$'\n'"$(dk logs flaky 2>&1)"; fi
dk rm --force flaky >/dev/null 2>&1

capture 60 dk run -d --name forever --restart always "$IMAGE" sh -c 'echo ran; sleep 0.2'
restarts=0
for _ in $(seq 100); do
  restarts=$(inspect forever '{{.RestartCount}}')
  [ "${restarts:-0}" -ge 3 ] && break
  sleep 0.2
done
if [ "$RC" -eq 0 ] && [ "${restarts:-0}" -ge 3 ]; then pass "--restart always: a process that exits 0 is restarted ($restarts restarts seen)"
else fail "--restart always: a process that exits 0 is restarted" "$ERR"$'\n'"$(inspect forever '{{.State.Status}} {{.RestartCount}} {{.State.Error}}')"; fi
capture 60 dk rm --force forever
check "rm --force of the always-restarted container" 0 "$RC" "$ERR"

# ---- a published port on Docker's default bridge (DNAT and docker-proxy, in this netns)
port=18080
capture 60 dk run -d --name web -p "$port:80" "$IMAGE" \
  sh -c 'mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 80 -h /www'
if [ "$RC" -eq 0 ] && wait_for_inspect web '{{.State.Status}}' running; then
  pass "run -d -p $port:80: started on Docker's default bridge"
  ip_address=$(inspect web '{{.NetworkSettings.IPAddress}}')
  capture 30 dk exec web ip -o -4 addr show eth0
  if [ -n "$ip_address" ] && grep -qF " $ip_address/" <<< "$OUT"; then pass "network: eth0 in the container has Docker's address $ip_address"
  else fail "network: eth0 in the container has Docker's address $ip_address" "$OUT"$'\n'"$ERR"; fi
  for target in "the container's address=$ip_address:80" "127.0.0.1:$port (docker-proxy)=127.0.0.1:$port"; do
    label=${target%%=*} target=${target#*=}
    body=""
    for i in $(seq 25); do
      # (no -T: busybox 1.35 wget segfaults with it)
      body=$(timeout 5 busybox wget -q -O - "http://$target/" 2>/dev/null) && break
      sleep 0.2
    done
    check "network: wget from the host side to $label reaches httpd" hello-from-httpd "$body"
  done
  dnat_before=$(iptables -t nat -S 2>/dev/null | grep -cF -- "--dport $port")
  capture 60 dk rm --force web
  check "rm -f of the published container" 0 "$RC" "$ERR"
  dnat_after=$(iptables -t nat -S 2>/dev/null | grep -cF -- "--dport $port")
  check "network: the port's DNAT rule is gone after rm ($dnat_before before)" 0 "$dnat_after"
else
  fail "run -d -p $port:80: started on Docker's default bridge" "$ERR"$'\n'"$(inspect web '{{.State.Status}} {{.State.Error}}')"
  for step in "network: eth0 in the container has Docker's address" \
      "network: wget from the host side to the container's address reaches httpd" \
      "network: wget from the host side to 127.0.0.1:$port (docker-proxy) reaches httpd" \
      "rm -f of the published container" "network: the port's DNAT rule is gone after rm"; do
    fail "$step" "not run: the container did not start"
  done
  dk rm --force web >/dev/null 2>&1
fi

# ---- nothing left in Docker, no cgroup left under the parent
capture 30 dk ps -aq
check "ps -a: no container left" "" "$OUT" "$ERR"
check "cgroups: no container cgroup left under /$CGROUP_PARENT" "" \
  "$(clients_cgroup_dirs "$CGROUP_PARENT" | grep -Ev "/$CGROUP_PARENT$")"
