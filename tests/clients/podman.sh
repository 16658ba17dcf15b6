#!/bin/bash
# podman 4.3 (Debian 12) driving an OCI runtime through conmon, as a user would run it.
#
# Usage (root): tests/clients/podman.sh [RUNTIME]       RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log tests/clients/podman.sh /usr/local/bin/hako
#                                    also records every runtime call, its exit code and duration
#   PIDS_LIMIT=N                     containers.conf pids_limit (default: podman's own, 2048)
#   NETWORK=none                     --network for every step but the published port (default:
#                                    podman's bridge, whose netns podman makes and the runtime joins)
#
# Everything happens in a throwaway network + mount namespace with a private storage root, runroot,
# containers.conf, network config and cgroup parent: nothing of the machine's own network, storage
# or cgroups is touched. The image is made offline (`podman import` of a busybox rootfs tarball).
# Prints a PASS/FAIL line per step and "N passed, N failed"; exits non-zero when a step failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"
source "$here/sleeper-steps.sh"

IMAGE=localhost/hako-busybox:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "podman.sh must run as root" >&2; exit 2; }
  # podman 4.3 on Debian: conmon, netavark (+ aardvark-dns) as its network backend with iptables,
  # uidmap and slirp4netns as it recommends; busybox-static for the image; script (bsdutils) for -t.
  clients_ensure_packages podman conmon netavark aardvark-dns iptables uidmap slirp4netns \
    busybox-static bsdutils util-linux iproute2 runc
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  WORK=$(mktemp -d /tmp/hako-podman.XXXXXX)
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-podman-${WORK##*.}
  : > "$RESULTS"
  started=$(date +%s)
  echo "# podman $(podman --version | awk '{print $3}'), runtime $runtime, work dir $WORK"
  # Ctrl-C or a TERM ends the steps (the inner half cleans up on exit), not the checks below;
  # a step that hangs past the client's own timeouts ends them too, after 10 minutes.
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] || fail "the steps ran to their end (inner half exited with $inner)"
  # podman (cgroupfs) moves conmon into PARENT/conmon and never removes it: that one is expected.
  CLIENT_CGROUPS_KEPT=conmon clients_leak_check "$CGROUP_PARENT"
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
clients_podman_environment "$client_runtime"
RUN=(run --pull=never --cgroup-parent "/$CGROUP_PARENT" ${NETWORK:+--network "$NETWORK"})
# The published port needs podman's own network whatever NETWORK says.
RUN_PUBLISHED=(run --pull=never --cgroup-parent "/$CGROUP_PARENT")

cleanup_inner() {
  timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1
}
trap cleanup_inner EXIT

# The cgroup directory of PID in HIERARCHY (a directory under /sys/fs/cgroup), from /proc/PID/cgroup.
cgroup_of() {
  local pid=$1 hierarchy=$2 line path
  if [ "$hierarchy" = unified ]; then line=$(grep '^0::' "/proc/$pid/cgroup")
  else line=$(grep -E "^[0-9]+:([^:]*,)?$hierarchy(,[^:]*)?:" "/proc/$pid/cgroup"); fi
  path=${line#*:*:}
  [ -n "$line" ] && echo "/sys/fs/cgroup/$hierarchy$path"
}

# Waits until the container's log has LINE (podman logs), at most 10 s.
wait_for_log() {
  local name=$1 line=$2 i
  for i in $(seq 50); do
    pm logs "$name" 2>/dev/null | grep -qxF "$line" && return 0
    sleep 0.2
  done
  return 1
}

# ---- the image, offline
clients_podman_import "$repo" "$IMAGE"
if [ "$RC" -eq 0 ] && pm image exists "$IMAGE"; then pass "import: busybox rootfs tarball as $IMAGE"
else fail "import: busybox rootfs tarball as $IMAGE" "$ERR"; exit 1; fi

# ---- run --rm: output, exit status, the process really in its own namespaces
capture 60 pm "${RUN[@]}" --rm "$IMAGE" echo hello from podman
check "run --rm: output is exactly the process's" "hello from podman" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
check "run --rm: exit status 7 comes back" 7 "$RC" "$ERR"
capture 60 pm "${RUN[@]}" --rm --hostname boxname "$IMAGE" sh -c "echo \$\$; hostname; [ ! -e $WORK ] && echo host-invisible"
check "run --rm --hostname: PID 1, the hostname, the host's files invisible" \
  "1|boxname|host-invisible" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- podman's default seccomp profile: in force (filter mode), none when unconfined
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'awk "/^Seccomp:/ { print \$2 }" /proc/self/status'
check "seccomp: podman's default profile is in force (Seccomp: 2, filter)" 2 "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm --security-opt seccomp=unconfined "$IMAGE" sh -c 'awk "/^Seccomp:/ { print \$2 }" /proc/self/status'
check "--security-opt seccomp=unconfined: no filter (Seccomp: 0)" 0 "$OUT" "$ERR"

# ---- run -d, ps, logs, exec, exec -it, kill, pause/unpause, stop, rm
# The long-running container: says when it starts and which signals it got.
SLEEPER='echo started; trap "echo got USR1" USR1; trap "echo got TERM; exit 0" TERM; while :; do sleep 1; done'
capture 60 pm "${RUN[@]}" -d --name sleeper "$IMAGE" \
  sh -c "$SLEEPER"
cid=$OUT
if [ "$RC" -eq 0 ] && [ ${#cid} -eq 64 ]; then pass "run -d: prints the container id"
else fail "run -d: prints the container id" "$OUT"$'\n'"$ERR"; fi

capture 30 pm ps --format '{{.Names}} {{.Status}}'
if [ "$RC" -eq 0 ] && grep -qE '^sleeper Up' <<< "$OUT"; then pass "ps: the detached container is Up"
else fail "ps: the detached container is Up" "$OUT"$'\n'"$ERR"; fi

pid=$(pm inspect --format '{{.State.Pid}}' sleeper 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" -gt 0 ] && [ "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" = "sh -c $SLEEPER " ]; then
  pass "inspect: State.Pid is the container's process on the host"
else fail "inspect: State.Pid is the container's process on the host" "pid=$pid"; fi

sleeper_steps pm "${RUN[@]:1}"

capture 30 pm pause sleeper
paused=$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null)
state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
if [ "$RC" -eq 0 ] && [ "$paused" = paused ]; then pass "pause: the container is paused (process state $state)"
else fail "pause: the container is paused" "status $paused"$'\n'"$ERR"; fi
if [ "$paused" = paused ]; then
  capture 30 pm unpause sleeper
  check "unpause: the container runs again" running "$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null)" "$ERR"
else fail "unpause: the container runs again" "not run: the container was not paused"; fi

status_before=$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null)
before=$(date +%s%N)
capture 60 pm stop --time 20 sleeper
took=$(( ($(date +%s%N) - before) / 1000000 ))
exit_code=$(pm inspect --format '{{.State.ExitCode}}' sleeper 2>/dev/null)
status_after=$(pm inspect --format '{{.State.Status}}' sleeper 2>/dev/null)
if [ "$status_before" = running ] && [ "$RC" -eq 0 ] && [ "$status_after" = exited ] &&
   [ "$exit_code" = 0 ] && [ "$took" -lt 10000 ]; then
  pass "stop: SIGTERM reaches the process, which exits 0 (${took} ms)"
else fail "stop: SIGTERM reaches the process, which exits 0 (${took} ms)" "status $status_before -> $status_after, rc=$RC, exit code=$exit_code"$'\n'"$ERR"; fi
capture 30 pm logs sleeper
check "logs after stop: USR1 then TERM, nothing else" "started|got USR1|got TERM" "$(paste -sd'|' <<< "$OUT")" "$ERR"

cgroups_before=$(clients_cgroup_dirs "$CGROUP_PARENT" | grep -cF "libpod-$cid")
capture 30 pm rm sleeper
capture2_out=$(pm ps -a --format '{{.Names}}' 2>&1)
if [ "$status_before" = running ] && [ "$RC" -eq 0 ] && ! grep -qx sleeper <<< "$capture2_out" &&
   [ -z "$(clients_cgroup_dirs "$CGROUP_PARENT" | grep -F "libpod-$cid")" ]; then
  pass "rm: the container, and its cgroups, are gone ($cgroups_before cgroup directories before)"
else fail "rm: the container, and its cgroups, are gone" "$ERR"$'\n'"$capture2_out"$'\n'"$(clients_cgroup_dirs "$CGROUP_PARENT" | grep -F "libpod-$cid")"; fi

# ---- -e, -w, -u
capture 60 pm "${RUN[@]}" --rm -e GREETING=hello -e EMPTY= "$IMAGE" sh -c 'echo "$GREETING|$EMPTY|${UNSET-unset}"'
check "-e: variables reach the process" "hello||unset" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -w /var/tmp "$IMAGE" pwd
check "-w: working directory" /var/tmp "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -u 65534:65534 "$IMAGE" sh -c 'echo $(id -u):$(id -g):$(id -un)'
check "-u 65534:65534: user, group and name from the image's passwd" "65534:65534:nobody" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -u 1234:5678 "$IMAGE" sh -c 'echo $(id -u):$(id -g); touch /tmp/f && stat -c %u:%g /tmp/f'
check "-u 1234:5678: a numeric user without a passwd entry, files made as it" "1234:5678|1234:5678" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- cgroups: the container sits in the cgroup podman asked for; --pids-limit
# Starts a container NAME with FLAGS; sets pid to its host pid (empty on failure; details in $ERR).
start_detached() {
  local name=$1; shift
  pid=""
  capture 60 pm "${RUN[@]}" -d --name "$name" "$@" "$IMAGE" sleep 300
  [ "$RC" -eq 0 ] && pid=$(pm inspect --format '{{.State.Pid}}' "$name" 2>/dev/null)
}
# The container's own cgroup directory (.../PARENT/libpod-ID) in HIERARCHY, or nothing.
own_cgroup() {
  local dir
  dir=$(cgroup_of "$1" "$3")
  [[ "$dir" == */"$CGROUP_PARENT/libpod-$2" ]] && echo "$dir"
}

start_detached nolimit --pids-limit 0
id=$(pm inspect --format '{{.Id}}' nolimit 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" -gt 0 ]; then
  placed=""
  for hierarchy in pids memory unified; do
    [ -n "$(own_cgroup "$pid" "$id" "$hierarchy")" ] && placed+="$hierarchy "
  done
  if [ -n "$placed" ]; then pass "cgroup: the container is in $CGROUP_PARENT/libpod-ID (${placed% })"
  else fail "cgroup: the container is in $CGROUP_PARENT/libpod-ID" "$(cat "/proc/$pid/cgroup")"; fi
  dir=$(own_cgroup "$pid" "$id" pids)
  if [ -n "$dir" ]; then
    check "--pids-limit 0: no pids limit on the container's cgroup" max "$(cat "$dir/pids.max")"
  elif [ -n "$(own_cgroup "$pid" "$id" unified)" ]; then
    # Only in the v2 tree, which has no controllers on a hybrid host: no limit, as asked.
    pass "--pids-limit 0: no pids limit (its own cgroup is in the v2 tree, without controllers)"
  else
    fail "--pids-limit 0: no pids limit on the container's cgroup" "the container has no cgroup of its own"
  fi
else
  fail "run -d --pids-limit 0" "$ERR"
  fail "cgroup: the container is in $CGROUP_PARENT/libpod-ID" "not run: the container did not start"
fi
pm rm --force --time 0 nolimit >/dev/null 2>&1

# A limit is either applied or refused with a message about it, never silently dropped.
start_detached limited --pids-limit 64
id=$(pm inspect --format '{{.Id}}' limited 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" -gt 0 ]; then
  dir=$(own_cgroup "$pid" "$id" pids)
  check "--pids-limit 64: applied to the container's own cgroup (pids.max)" 64 \
    "$(cat "$dir/pids.max" 2>/dev/null)" "$(cat "/proc/$pid/cgroup")"
elif grep -qiE 'cgroup|pids' <<< "$ERR"; then
  pass "--pids-limit 64: refused with a message about it ($(tail -n 1 <<< "$ERR" | cut -c1-160))"
else
  fail "--pids-limit 64: applied, or refused with a message about it" "$ERR"
fi
pm rm --force --time 0 limited >/dev/null 2>&1

# ---- a published port on podman's own network (netavark bridge + DNAT, in this netns)
port=18080
capture 60 pm "${RUN_PUBLISHED[@]}" -d --name web -p "$port:80" "$IMAGE" \
  sh -c 'mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 80 -h /www'
if [ "$RC" -eq 0 ]; then
  pass "run -d -p $port:80: started on podman's default network"
  ip_address=$(pm inspect --format '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)
  capture 30 pm exec web ip -o -4 addr show eth0
  if grep -qF " $ip_address/" <<< "$OUT"; then pass "network: eth0 in the container has podman's address $ip_address"
  else fail "network: eth0 in the container has podman's address $ip_address" "$OUT"$'\n'"$ERR"; fi
  gateway=$(ip -4 -o addr show podman0 2>/dev/null | awk '{print $4}' | cut -d/ -f1)
  for target in "the container's address=$ip_address:80" "the bridge's address:$port=$gateway:$port" \
      "127.0.0.1:$port=127.0.0.1:$port"; do
    label=${target%%=*} target=${target#*=}
    body=""
    for i in $(seq 25); do
      # (no -T: busybox 1.35 wget segfaults with it)
      body=$(timeout 5 busybox wget -q -O - "http://$target/" 2>/dev/null) && break
      sleep 0.2
    done
    check "network: wget from the host side to $label reaches httpd ($target)" hello-from-httpd "$body"
  done
  dnat_before=$(iptables -t nat -S 2>/dev/null | grep -cF -- "--dport $port")
  capture 60 pm rm --force --time 2 web
  check "rm -f of the published container" 0 "$RC" "$ERR"
  dnat_after=$(iptables -t nat -S 2>/dev/null | grep -cF -- "--dport $port")
  check "network: the port's DNAT rules are gone after rm ($dnat_before before)" 0 "$dnat_after"
else
  fail "run -d -p $port:80: started on podman's default network" "$ERR"
  for step in "network: eth0 in the container has podman's address" \
      "network: wget from the host side to the container's address reaches httpd" \
      "network: wget from the host side to the bridge's address:$port reaches httpd" \
      "network: wget from the host side to 127.0.0.1:$port reaches httpd" \
      "rm -f of the published container" "network: the port's DNAT rules are gone after rm"; do
    fail "$step" "not run: the container did not start"
  done
  pm rm --force --time 0 web >/dev/null 2>&1
fi

# ---- nothing left in podman
capture 30 pm ps -a --format '{{.Names}}'
check "ps -a: no container left" "" "$OUT" "$ERR"
