#!/bin/bash
# Rootless podman 4.3 (Debian 12) driving an OCI runtime: podman run by a user who is not root,
# in its own user namespace (newuidmap/newgidmap and the user's /etc/subuid, /etc/subgid ranges),
# which is where it runs conmon and the runtime — as root of that namespace, not of the host.
#
# Usage (root): tests/clients/podman-rootless.sh [RUNTIME]   RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log            also records every runtime call, its exit code and duration
#
# A throwaway user is made for the run (useradd, its home and XDG_RUNTIME_DIR under the work
# directory, a range of subordinate ids of its own) and removed afterwards with its home and its
# /etc/subuid and /etc/subgid lines. As in podman.sh, everything happens in a throwaway network +
# mount namespace; podman's storage (vfs), configuration and runtime directory are the user's,
# under the work directory; the image is made offline (`podman import` of a busybox rootfs).
# No systemd here: cgroup_manager cgroupfs, events_logger file; on a cgroup v1 host rootless podman
# makes no cgroups at all (it says so for limits), so pause and limits are not steps here.
# Prints a PASS/FAIL line per step and "N passed, N failed"; exits non-zero when a step failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"
source "$here/sleeper-steps.sh"

IMAGE=localhost/hako-busybox:latest
# The user's subordinate ids: far above the ranges useradd hands out, uids and gids alike.
SUBIDS=1200000000 SUBCOUNT=65536

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "podman-rootless.sh must run as root" >&2; exit 2; }
  clients_ensure_packages podman conmon netavark uidmap slirp4netns catatonit busybox-static bsdutils util-linux iproute2 runc passwd
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  WORK=$(mktemp -d /tmp/hako-podman-rootless.XXXXXX)
  chmod 755 "$WORK" # the user walks through it to its home
  PM_USER=hakopm${WORK##*.}
  PM_USER=${PM_USER,,}
  export WORK RESULTS=$WORK/results PM_USER
  : > "$RESULTS"
  started=$(date +%s)
  # No automatic subordinate ids (useradd would take the next free range): the test's own only.
  if ! useradd -m -d "$WORK/home" -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$PM_USER" ||
     ! usermod -v "$SUBIDS-$((SUBIDS + SUBCOUNT - 1))" -w "$SUBIDS-$((SUBIDS + SUBCOUNT - 1))" "$PM_USER"; then
    userdel -r "$PM_USER" >/dev/null 2>&1
    rm -rf "$WORK"
    echo "could not make the test's user $PM_USER" >&2
    exit 2
  fi
  echo "# podman $(podman --version | awk '{print $3}') rootless as $PM_USER (uid $(id -u "$PM_USER")), runtime $runtime, work dir $WORK"
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] || fail "the steps ran to their end (inner half exited with $inner)"
  clients_leak_check
  # The user, its home (podman's storage) and its subordinate ids go; nothing of it may stay.
  userdel -r "$PM_USER" >/dev/null 2>&1
  if id "$PM_USER" >/dev/null 2>&1 || grep -q "^$PM_USER:" /etc/subuid /etc/subgid || [ -e "$WORK/home" ]; then
    fail "cleanup: the test's user, its home and its /etc/subuid, /etc/subgid lines are gone"
  else pass "cleanup: the test's user, its home and its /etc/subuid, /etc/subgid lines are gone"; fi
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
[ -z "${TRACE_FILE:-}" ] || { touch "$TRACE_FILE"; chmod 666 "$TRACE_FILE"; chmod -R a+rX "$WORK/bin"; }
user_uid=$(id -u "$PM_USER") user_gid=$(id -g "$PM_USER")
HOME_DIR=$WORK/home XDG=$WORK/xdg
mkdir -p "$XDG" "$WORK/tools" "$WORK/vol"
chmod 700 "$XDG"
chown "$PM_USER:" "$XDG" "$WORK/vol"
runuser -u "$PM_USER" -- mkdir -p "$HOME_DIR/.config/containers" "$HOME_DIR/tmp"
cat > "$HOME_DIR/.config/containers/containers.conf" <<END
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$HOME_DIR/events.log"
tmp_dir = "$XDG/libpod-tmp"
image_copy_tmp_dir = "$HOME_DIR/tmp"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "hako", "$(basename "$client_runtime")"]
END
# Rootless podman keeps its images and containers in ~/.local/share/containers/storage (the
# user's home, under the work directory) and its run root in $XDG_RUNTIME_DIR/containers.
cat > "$HOME_DIR/.config/containers/storage.conf" <<END
[storage]
driver = "vfs"
END
echo 'unqualified-search-registries = []' > "$HOME_DIR/.config/containers/registries.conf"
chown -R "$PM_USER:" "$HOME_DIR/.config"
# `pm`: podman as the user, with nothing of root's environment; a script so that timeout,
# script and capture can run it.
cat > "$WORK/tools/pm" <<END
#!/bin/sh
exec runuser -u $PM_USER -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  HOME=$HOME_DIR USER=$PM_USER LOGNAME=$PM_USER XDG_RUNTIME_DIR=$XDG TMPDIR=$HOME_DIR/tmp \\
  CONTAINERS_CONF=$HOME_DIR/.config/containers/containers.conf \\
  CONTAINERS_STORAGE_CONF=$HOME_DIR/.config/containers/storage.conf \\
  CONTAINERS_REGISTRIES_CONF=$HOME_DIR/.config/containers/registries.conf \\
  ${TERM:+TERM=$TERM} podman --runtime "$client_runtime" "\$@"
END
chmod 755 "$WORK/tools/pm"
export PATH=$WORK/tools:$PATH
RUN=(run --pull=never --network none)

cleanup_inner() {
  local pid
  timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1
  # Rootless podman keeps a pause process holding its user namespace: ours, ended by its pid.
  for pid in $(cat "$XDG"/libpod-tmp/pause.pid "$XDG"/libpod/tmp/pause.pid 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null
  done
}
trap cleanup_inner EXIT

# Waits until the container's log has LINE (podman logs), at most 10 s.
wait_for_log() {
  local name=$1 line=$2 i
  for i in $(seq 50); do
    pm logs "$name" 2>/dev/null | grep -qxF "$line" && return 0
    sleep 0.2
  done
  return 1
}

# ---- podman's own user namespace: the user's id and subordinate ids
capture 60 pm unshare cat /proc/self/uid_map
check "podman unshare: podman's user namespace maps the user and its subordinate uids" \
  "0 $user_uid 1|1 $SUBIDS $SUBCOUNT" "$(sed 's/^ *//; s/  */ /g' <<< "$OUT" | paste -sd'|')" "$ERR"

# ---- the image, offline
"$repo/scripts/busybox-rootfs.sh" "$WORK/rootfs" >/dev/null
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
chmod 644 "$WORK/rootfs.tar"
capture 120 pm import --change CMD=/bin/sh "$WORK/rootfs.tar" "$IMAGE"
if [ "$RC" -eq 0 ] && pm image exists "$IMAGE"; then pass "import: busybox rootfs tarball as $IMAGE (the user's storage)"
else fail "import: busybox rootfs tarball as $IMAGE (the user's storage)" "$ERR"; exit 1; fi

# ---- run --rm: output, exit status, PID 1, hostname
capture 60 pm "${RUN[@]}" --rm "$IMAGE" echo hello from rootless podman
check "run --rm: output is exactly the process's" "hello from rootless podman" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
check "run --rm: exit status 7 comes back" 7 "$RC" "$ERR"
capture 60 pm "${RUN[@]}" --rm --hostname boxname "$IMAGE" sh -c "echo \$\$; hostname; [ ! -e $WORK ] && echo host-invisible"
check "run --rm --hostname: PID 1, the hostname, the host's files invisible" \
  "1|boxname|host-invisible" "$(paste -sd'|' <<< "$OUT")" "$ERR"
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'id -u; head -n 1 /proc/self/uid_map | tr -s " " | sed "s/^ //"'
check "run --rm: root in the container is the user on the host (podman's namespace)" \
  "0|0 $user_uid 1" "$(paste -sd'|' <<< "$OUT")" "$ERR"
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'awk "/^Seccomp:/ { print \$2 }" /proc/self/status'
check "seccomp: podman's default profile is in force (Seccomp: 2, filter)" 2 "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm "$IMAGE" sh -c 'ls -ln /dev/null | awk "{ print \$1, \$5 \$6 }"; echo x > /dev/null && echo writable'
check "devices: /dev/null is the host's, bound (crw-rw-rw- 1,3) and writable" "crw-rw-rw- 1,3|writable" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- -e, -w, -u
capture 60 pm "${RUN[@]}" --rm -e GREETING=hello -e EMPTY= "$IMAGE" sh -c 'echo "$GREETING|$EMPTY|${UNSET-unset}"'
check "-e: variables reach the process" "hello||unset" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -w /var/tmp "$IMAGE" pwd
check "-w: working directory" /var/tmp "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -u 65534:65534 "$IMAGE" sh -c 'echo $(id -u):$(id -g):$(id -un)'
check "-u 65534:65534: user, group and name from the image's passwd" "65534:65534:nobody" "$OUT" "$ERR"
capture 60 pm "${RUN[@]}" --rm -u 1234:5678 "$IMAGE" sh -c 'echo $(id -u):$(id -g); touch /tmp/f && stat -c %u:%g /tmp/f'
check "-u 1234:5678: a subordinate user without a passwd entry, files made as it" "1234:5678|1234:5678" "$(paste -sd'|' <<< "$OUT")" "$ERR"

# ---- a volume: the user's directory; what root and uid 1000 make there, as the host sees it
capture 60 pm "${RUN[@]}" --rm -v "$WORK/vol:/data" "$IMAGE" sh -c 'echo by-root > /data/root-made && cat /data/root-made'
check "-v DIR:/data: root's file is the user's on the host" "by-root|$user_uid:$user_gid" \
  "$OUT|$(stat -c %u:%g "$WORK/vol/root-made" 2>/dev/null)" "$ERR"
chmod 777 "$WORK/vol"
capture 60 pm "${RUN[@]}" --rm -u 1000:1000 -v "$WORK/vol:/data" "$IMAGE" touch /data/user-made
check "-v DIR:/data -u 1000:1000: the file belongs to the 1000th subordinate id" \
  "$((SUBIDS + 999)):$((SUBIDS + 999))" "$(stat -c %u:%g "$WORK/vol/user-made" 2>/dev/null)" "$ERR"
capture 60 pm "${RUN[@]}" --rm -v "$WORK/vol:/data:ro" "$IMAGE" sh -c 'touch /data/no 2>/dev/null || echo read-only'
check "-v DIR:/data:ro: read-only" read-only "$OUT" "$ERR"

# ---- --userns keep-id: the container's user namespace, mapped by the runtime inside podman's
capture 60 pm "${RUN[@]}" --rm --userns keep-id -v "$WORK/vol:/data" "$IMAGE" sh -c 'id -u; touch /data/kept && echo made'
check "--userns keep-id: the process has the user's uid, its files are the user's" \
  "$user_uid|made|$user_uid" "$(paste -sd'|' <<< "$OUT")|$(stat -c %u "$WORK/vol/kept" 2>/dev/null)" "$ERR"

# ---- slirp4netns: the network rootless podman gives by default
capture 60 pm run --pull=never --rm --network slirp4netns "$IMAGE" sh -c 'ip -o -4 addr show tap0 | awk "{ print \$4 }"'
check "--network slirp4netns: tap0 has slirp4netns's address" "10.0.2.100/24" "$OUT" "$ERR"

# ---- run -d, ps, logs, exec, exec -it, run -it, kill, stop, rm
SLEEPER='echo started; trap "echo got USR1" USR1; trap "echo got TERM; exit 0" TERM; while :; do sleep 1; done'
capture 60 pm "${RUN[@]}" -d --name sleeper "$IMAGE" sh -c "$SLEEPER"
cid=$OUT
if [ "$RC" -eq 0 ] && [ ${#cid} -eq 64 ]; then pass "run -d: prints the container id"
else fail "run -d: prints the container id" "$OUT"$'\n'"$ERR"; fi

capture 30 pm ps --format '{{.Names}} {{.Status}}'
if [ "$RC" -eq 0 ] && grep -qE '^sleeper Up' <<< "$OUT"; then pass "ps: the detached container is Up"
else fail "ps: the detached container is Up" "$OUT"$'\n'"$ERR"; fi

pid=$(pm inspect --format '{{.State.Pid}}' sleeper 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" -gt 0 ] && [ "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" = "sh -c $SLEEPER " ] &&
   [ "$(stat -c %u "/proc/$pid")" = "$user_uid" ]; then
  pass "inspect: State.Pid is the container's process on the host, running as the user"
else fail "inspect: State.Pid is the container's process on the host, running as the user" "pid=$pid"; fi

sleeper_steps pm "${RUN[@]:1}"

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

capture 30 pm rm sleeper
left=$(pm ps -a --format '{{.Names}}' 2>&1)
if [ "$RC" -eq 0 ] && ! grep -qx sleeper <<< "$left" && { [ -z "$pid" ] || [ ! -e "/proc/$pid" ]; }; then
  pass "rm: the container is gone, and its process"
else fail "rm: the container is gone, and its process" "$ERR"$'\n'"$left"; fi

# ---- rm -f of a running container
capture 60 pm "${RUN[@]}" -d --name doomed "$IMAGE" sleep 300
pid=$(pm inspect --format '{{.State.Pid}}' doomed 2>/dev/null)
capture 60 pm rm --force --time 0 doomed
if [ "$RC" -eq 0 ] && [ -n "$pid" ] && [ ! -e "/proc/$pid" ]; then pass "rm -f: a running container is killed and removed"
else fail "rm -f: a running container is killed and removed" "pid=$pid"$'\n'"$ERR"; fi

# ---- nothing left in podman
capture 30 pm ps -a --format '{{.Names}}'
check "ps -a: no container left" "" "$OUT" "$ERR"
