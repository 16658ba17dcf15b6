# Shared by the real-client tests (podman.sh, containerd.sh) and bench-podman.sh.
# shellcheck shell=bash
#
# Each test runs in two halves. The outer half (in the machine's own namespaces) makes a private
# work directory, then re-runs the script inside new network and mount namespaces; there the
# client and the runtime under test do everything, with a private tmpfs on /run and /dev/shm, so
# bridges, firewall rules, netns files, sockets and state directories live and die with those
# namespaces. Back outside, the outer half checks that nothing was left (processes, cgroups,
# mounts), removes what the client itself made and prints the totals.

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

# hako's warm runtime (docs/warm.md) starts on the first call in the test's namespaces and would
# outlive the test by its idle time: a short one, so that the leak check can wait for it to end.
export HAKO_WARM_IDLE=${HAKO_WARM_IDLE:-2}

# Installs the Debian packages that are missing (scripts/common.sh); exit 2 when that fails.
clients_ensure_packages() {
  ( ensure_packages "$@" ) || { echo "installing $* failed" >&2; exit 2; }
}

# The runtime under test as an absolute path: a path, or a name looked up in PATH.
clients_resolve_runtime() {
  local name=$1 path
  path=$(command -v "$name" 2>/dev/null) || { echo "runtime not found: $name" >&2; exit 2; }
  path=$(readlink -f "$path")
  [ -x "$path" ] || { echo "runtime is not executable: $path" >&2; exit 2; }
  # Shell launchers (bin/hako) are fine; a runtime that cannot even print its version is not.
  "$path" --version >/dev/null 2>&1 || echo "warning: '$path --version' failed" >&2
  echo "$path"
}

# When TRACE_FILE or CAPTURE_DIR is set, the client is given a wrapper (same basename as the
# runtime, so podman's runtime_supports_json still matches) that, with TRACE_FILE, appends every
# call, its exit code and its duration to TRACE_FILE, and with CAPTURE_DIR copies the bundle's
# config.json to CAPTURE_DIR/ID.json on `create` and `run` (as the client wrote it, before the
# runtime reads it) and an exec's --process file to CAPTURE_DIR/ID.exec.NANOSECONDS.json; then
# returns the runtime's exit code. Prints the path to hand to the client.
clients_runtime_for_client() {
  local runtime=$1 dir=$2
  if [ -z "${TRACE_FILE:-}" ] && [ -z "${CAPTURE_DIR:-}" ]; then echo "$runtime"; return; fi
  mkdir -p "$dir"
  [ -z "${CAPTURE_DIR:-}" ] || mkdir -p "$CAPTURE_DIR"
  cat > "$dir/$(basename "$runtime")" <<END
#!/bin/bash
# Records the call; the runtime keeps the caller's stdio, fds and environment.
capture_dir=$(printf '%q' "${CAPTURE_DIR:-}")
if [ -n "\$capture_dir" ]; then
  # runc's syntax: [global options] create|run [--bundle|-b DIR] [options] ID (bundle: the cwd),
  # [global options] exec [--process|-p FILE] [options] ID [ARGS].
  command="" bundle=. process="" previous=""
  for arg in "\$@"; do
    case \$arg in
      create|run|exec) [ -n "\$command" ] || command=\$arg ;;
      --bundle=*) [ -z "\$command" ] || bundle=\${arg#--bundle=} ;;
      --process=*) [ -z "\$command" ] || process=\${arg#--process=} ;;
      *) if [ -n "\$command" ] && { [ "\$previous" = --bundle ] || [ "\$previous" = -b ]; }; then bundle=\$arg; fi
         if [ "\$command" = exec ] && { [ "\$previous" = --process ] || [ "\$previous" = -p ]; }; then process=\$arg; fi ;;
    esac
    previous=\$arg
  done
  if [ "\$command" = exec ] && [ -f "\$process" ]; then
    # The exec's process.json, as ID.exec.NANOSECONDS.json (the container's id is the argument
    # after the options; with --process, the last one).
    cp "\$process" "\$capture_dir/\${!#}.exec.\$(date +%s%N).json"
  elif [ -n "\$command" ] && [ "\$command" != exec ] && [ "\$#" -gt 0 ] && [ -f "\$bundle/config.json" ]; then
    cp "\$bundle/config.json" "\$capture_dir/\${!#}.json"
  fi
fi
trace_file=$(printf '%q' "${TRACE_FILE:-}")
[ -n "\$trace_file" ] || exec $(printf '%q' "$runtime") "\$@"
start=\$(date +%s%N)
$(printf '%q' "$runtime") "\$@"
rc=\$?
printf '%s rc=%d %dms %s\n' "\$(date +%T)" "\$rc" "\$(( (\$(date +%s%N) - start) / 1000000 ))" "\$*" >> "\$trace_file"
exit \$rc
END
  chmod 755 "$dir/$(basename "$runtime")"
  echo "$dir/$(basename "$runtime")"
}

# --- results --------------------------------------------------------------------------------
# Steps append "pass NAME" / "fail NAME" to $RESULTS (a file, so that both halves add to it).
# KNOWN_GAPS (an extended regular expression) names steps that the runtime under test is known
# not to pass yet, for a reason said where the caller sets it: such a failure is printed as GAP
# and counted apart, never as a pass, and does not fail the run.

pass() { echo "PASS  $1"; echo "pass $1" >> "$RESULTS"; }
fail() {
  if [ -n "${KNOWN_GAPS:-}" ] && printf '%s' "$1" | grep -Eq -- "$KNOWN_GAPS"; then
    echo "GAP   $1"
    echo "gap $1" >> "$RESULTS"
  else
    echo "FAIL  $1"
    echo "fail $1" >> "$RESULTS"
  fi
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/      | /' | head -n 40; fi
}

# check NAME EXPECTED ACTUAL [DETAILS]: passes when ACTUAL equals EXPECTED.
check() {
  local name=$1 expected=$2 actual=$3 details=${4:-}
  if [ "$actual" = "$expected" ]; then pass "$name"
  else fail "$name" "expected: $(printf '%q' "$expected")"$'\n'"got:      $(printf '%q' "$actual")${details:+$'\n'$details}"
  fi
}

# Runs a command with a time limit, its stdout in $OUT, its stderr in $ERR, its status in $RC.
# A client that hangs on a broken runtime must fail the step, not the whole run.
OUT="" ERR="" RC=0
capture() {
  local limit=$1; shift
  local errfile; errfile=$(mktemp "$WORK/stderr.XXXXXX")
  OUT=$(timeout -k 5 "$limit" "$@" 2>"$errfile"); RC=$?
  ERR=$(cat "$errfile"); rm -f "$errfile"
  [ "$RC" -eq 124 ] && ERR="timed out after ${limit}s: $*"$'\n'"$ERR"
  return 0
}

# Runs a command on a pty (script, from bsdutils) and prints what the terminal showed, without
# carriage returns. script's stdin is /dev/null: the NUL it sends at the end comes back echoed as
# "^@" somewhere in the output, so that is dropped too.
on_a_terminal() {
  local command
  command=$(printf '%q ' "$@")
  timeout -k 5 60 script -qfec "$command" /dev/null < /dev/null | tr -d '\r\0' | sed 's/\^@//g'
}

# The outer half's end: the results kept while the work directory goes, the time taken since
# $started (when set), the totals, and the exit status (1 when a step failed).
clients_finish() {
  local kept status
  kept=$(mktemp /tmp/hako-results.XXXXXX)
  cp "$RESULTS" "$kept"
  rm -rf "$WORK"
  RESULTS=$kept
  [ -n "${started:-}" ] && echo "# $(( $(date +%s) - started ))s"
  clients_summary; status=$?
  rm -f "$kept"
  exit $status
}

# Prints the totals line from $RESULTS; returns non-zero when any step failed (or none ran).
clients_summary() {
  local passed failed gaps
  passed=$(grep -c '^pass ' "$RESULTS" || true)
  failed=$(grep -c '^fail ' "$RESULTS" || true)
  gaps=$(grep -c '^gap ' "$RESULTS" || true)
  echo "$passed passed, $failed failed$([ "$gaps" -gt 0 ] && echo ", $gaps known gaps (not passed)")"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# --- namespaces and leaks -------------------------------------------------------------------

# Inside the new mount namespace: private tmpfs on /run, /dev/shm and /var/lib (podman writes
# /var/lib/containers/cache whatever --root says; runc, shims and netns files go to /run), loopback up.
clients_private_namespaces() {
  mount -t tmpfs -o mode=755 clients-run /run
  mount -t tmpfs -o mode=1777 clients-shm /dev/shm
  mount -t tmpfs -o mode=755 clients-var-lib /var/lib
  ip link set lo up
  readlink /proc/self/ns/net > "$WORK/netns"
  readlink /proc/self/ns/mnt > "$WORK/mntns"
}

# PIDs (one a line) of processes that belong to this test: in its network or mount namespace,
# with a root filesystem from its work directory (a container whose parent is gone), or in one
# of the cgroup directories given (any hierarchy, recursively).
clients_leftover_pids() {
  local netns mntns pid dir
  netns=$(cat "$WORK/netns" 2>/dev/null || echo none)
  mntns=$(cat "$WORK/mntns" 2>/dev/null || echo none)
  {
    for pid in /proc/[0-9]*; do
      pid=${pid#/proc/}
      [ "$pid" = "$$" ] && continue
      if [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$netns" ] ||
         [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$mntns" ] ||
         awk -v work="$WORK/" '$5 == "/" && index($0, work) { found = 1 } END { exit !found }' \
           "/proc/$pid/mountinfo" 2>/dev/null; then
        echo "$pid"
      fi
    done
    for dir in "$@"; do
      find /sys/fs/cgroup/*/"$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
    done
  } | sort -un
}

# Cgroup directories (any hierarchy) at or under the given relative paths.
clients_cgroup_dirs() {
  local dir
  for dir in "$@"; do
    find /sys/fs/cgroup/*/"$dir" -depth -type d 2>/dev/null
  done
}

# What the machine's own network looks like (read only): links, addresses, routes, the nftables
# ruleset (iptables-nft's rules too) and the forwarding sysctls. Run from the machine's namespaces
# before and after a test that starts a daemon which sets up bridges and firewall rules.
clients_host_network() {
  ip -o link show | awk '{ print $2, $3 }'
  ip -o addr show | awk '{ print $2, $3, $4 }'
  ip route show table all
  nft list ruleset 2>/dev/null
  cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null
}

# hako's warm runtimes among the test's processes end by themselves when idle (HAKO_WARM_IDLE):
# wait for that (never kill them), up to the idle time and 20 s; one still there after is left to
# the leak check.
clients_await_warm_runtimes() {
  local pid waiting i
  for i in $(seq $(( (HAKO_WARM_IDLE + 20) * 5 ))); do
    waiting=0
    for pid in $(clients_leftover_pids "$@"); do
      if { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -q ' warm-serve hako-warm/'; then waiting=1; fi
    done
    [ "$waiting" = 0 ] && return
    sleep 0.2
  done
}

# The checks after the inner half: nothing of ours still running, no mount of ours in the
# machine's mount namespace, and only the cgroup directories that the client itself is known
# to keep (CLIENT_CGROUPS_KEPT: a regex of base names). Then removes those and the work dir.
# Arguments: the cgroup paths (relative to each hierarchy's root) that this test owns.
clients_leak_check() {
  local pids pid details dirs unexpected
  clients_await_warm_runtimes "$@"
  pids=$(clients_leftover_pids "$@")
  if [ -z "$pids" ]; then
    pass "leak check: no process of the test is left"
  else
    details=$(for pid in $pids; do printf '%s: %s\n' "$pid" "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"; done)
    fail "leak check: no process of the test is left" "$details"
    # Ours by construction (our namespaces, our cgroups): end them one by one.
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
    sleep 1
  fi

  if grep -qF "$WORK" /proc/self/mountinfo; then
    fail "leak check: no mount under $WORK in the machine's mount namespace" "$(grep -F "$WORK" /proc/self/mountinfo)"
    grep -F "$WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done
  else
    pass "leak check: no mount under $WORK in the machine's mount namespace"
  fi

  dirs=$(clients_cgroup_dirs "$@")
  # The paths given are the client's parents (kept), unless CLIENT_CGROUPS_ARE_LEAVES says they
  # are the containers' own directories (every one a leak).
  unexpected=$(printf '%s\n' "$dirs" | grep -v '^$' |
    { if [ -n "${CLIENT_CGROUPS_ARE_LEAVES:-}" ]; then cat; else grep -Ev "/($(IFS='|'; echo "$*"))$"; fi } |
    grep -Ev "/(${CLIENT_CGROUPS_KEPT:-^$})$" || true)
  if [ -z "$unexpected" ]; then
    pass "leak check: no container cgroup is left (only the client's own parent directories)"
  else
    fail "leak check: no container cgroup is left (only the client's own parent directories)" "$unexpected"
  fi
  # Remove what is left, deepest first; a directory that will not go is a leak too.
  local left=""
  while read -r dir; do
    [ -n "$dir" ] || continue
    rmdir "$dir" 2>/dev/null || left+="$dir"$'\n'
  done <<< "$dirs"
  if [ -n "$left" ]; then fail "leak check: the test's cgroup directories can be removed" "$left"
  else pass "leak check: the test's cgroup directories can be removed"; fi
}

# --- docker ---------------------------------------------------------------------------------

# Inside the private namespaces: a containerd and a dockerd of the test's own, everything of theirs
# under $WORK (data root, exec root, pidfile, sockets, key, the CLI's configuration), the runtime
# given registered as "hako" and made the default, containers under /$CGROUP_PARENT (cgroupfs),
# overlay2 on the work directory's file system, the default bridge and its iptables rules in the
# test's network namespace. `dk` on PATH: Debian's docker CLI on that daemon. Sets containerd_pid
# and dockerd_pid; returns non-zero (the logs' tails on stderr) when a daemon does not answer.
# /usr/local/bin may hold another docker CLI: the one used is the package's, /usr/bin/docker.
clients_docker_start() {
  local runtime=$1 i
  mkdir -p "$WORK/tmp" "$WORK/tools" "$WORK/cli"
  export TMPDIR=$WORK/tmp DOCKER_CONFIG=$WORK/cli
  # dockerd keeps its ID key in /etc/docker/key.json unless told otherwise (20.10 has no flag for
  # it, only this key of daemon.json); /etc is the machine's: a tmpfs over /etc/docker as well.
  [ -d /etc/docker ] && mount -t tmpfs -o mode=755 clients-etc-docker /etc/docker
  cat > "$WORK/daemon.json" <<END
{ "deprecated-key-path": "$WORK/key.json" }
END
  cat > "$WORK/containerd.toml" <<END
version = 2
root = "$WORK/containerd-root"
state = "$WORK/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$WORK/containerd.sock"
[ttrpc]
  address = "$WORK/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$WORK/opt"
END
  cat > "$WORK/tools/dk" <<END
#!/bin/sh
exec /usr/bin/docker -H unix://$WORK/docker.sock "\$@"
END
  chmod 755 "$WORK/tools/dk"
  export PATH=$WORK/tools:$PATH

  containerd --config "$WORK/containerd.toml" > "$WORK/containerd.log" 2>&1 &
  containerd_pid=$!
  for i in $(seq 100); do
    [ -S "$WORK/containerd.sock" ] && break
    kill -0 "$containerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -S "$WORK/containerd.sock" ] || { tail -n 20 "$WORK/containerd.log" >&2; return 1; }

  dockerd --config-file "$WORK/daemon.json" --data-root "$WORK/data" --exec-root "$WORK/exec" \
    --pidfile "$WORK/dockerd.pid" -H "unix://$WORK/docker.sock" --containerd "$WORK/containerd.sock" \
    --storage-driver overlay2 --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGROUP_PARENT" \
    --add-runtime "hako=$runtime" --default-runtime hako --iptables=true \
    > "$WORK/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for i in $(seq 300); do
    dk version >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$WORK/dockerd.log" >&2
  return 1
}

# Removes every container, then ends dockerd and containerd (TERM, then KILL after 20 s), by pid.
clients_docker_stop() {
  local pid ids
  ids=$(timeout 20 dk ps -aq 2>/dev/null)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || timeout 60 dk rm --force $ids >/dev/null 2>&1
  for pid in ${dockerd_pid:-} ${containerd_pid:-}; do
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    wait "$pid" 2>/dev/null
  done
  # The overlay and shm mounts live in this mount namespace; unmount what is left so that the work
  # directory can be removed.
  grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  mountpoint -q /etc/docker && umount -l /etc/docker
  return 0
}

# The image, offline: `docker import` of a busybox rootfs tarball (scripts/busybox-rootfs.sh).
# Usage: clients_docker_import REPO_DIR IMAGE; sets RC, OUT, ERR.
clients_docker_import() {
  "$1/scripts/busybox-rootfs.sh" "$WORK/rootfs"
  tar --numeric-owner -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
  capture 120 dk import --change 'CMD ["/bin/sh"]' "$WORK/rootfs.tar" "$2"
}

# --- podman ---------------------------------------------------------------------------------

# Inside the private namespaces: podman's configuration, storage and network under $WORK, and
# `pm` on PATH: podman with that storage, cgroupfs, and the runtime given (the first by default;
# PM_RUNTIME picks another of those given, for the benchmark). The storage driver is vfs unless
# PODMAN_STORAGE_DRIVER says (bench/images.sh: overlay, podman's default, as hako's store is).
clients_podman_environment() {
  # PODMAN_CGROUP_MANAGER=systemd: podman's default on a systemd host (tests/vm/podman-systemd.sh)
  local names="" runtime driver=${PODMAN_STORAGE_DRIVER:-vfs} manager=${PODMAN_CGROUP_MANAGER:-cgroupfs}
  mkdir -p "$WORK/tmp" "$WORK/networks" "$WORK/libpod-tmp" "$WORK/tools"
  export TMPDIR=$WORK/tmp
  for runtime in "$@"; do names+=", \"$(basename "$runtime")\""; done
  # runtime_supports_json must name the runtime (podman compares the basename of --runtime) so
  # that podman passes `--log-format=json --log FILE` to it exactly as it does to runc.
  cat > "$WORK/containers.conf" <<END
[containers]
# No CAP_SYS_RESOURCE here, a hard nofile limit of 20000: podman's default ulimits cannot be set.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
${PIDS_LIMIT:+pids_limit = $PIDS_LIMIT}

[engine]
cgroup_manager = "$manager"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/libpod-tmp"
image_copy_tmp_dir = "$WORK/tmp"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "hako"$names]

[network]
network_backend = "netavark"
network_config_dir = "$WORK/networks"
END
  cat > "$WORK/storage.conf" <<END
[storage]
driver = "$driver"
graphroot = "$WORK/storage"
runroot = "$WORK/runroot"
END
  echo 'unqualified-search-registries = []' > "$WORK/registries.conf"
  export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  # A script rather than a function, so that timeout, script and capture can run it.
  cat > "$WORK/tools/pm" <<END
#!/bin/sh
exec podman --root $WORK/storage --runroot $WORK/runroot --storage-driver $driver \\
  --cgroup-manager $manager --runtime "\${PM_RUNTIME:-$1}" "\$@"
END
  chmod 755 "$WORK/tools/pm"
  export PATH=$WORK/tools:$PATH
}

# The image, offline: `podman import` of a busybox rootfs tarball (scripts/busybox-rootfs.sh).
# Usage: clients_podman_import REPO_DIR IMAGE; sets RC, OUT, ERR.
clients_podman_import() {
  "$1/scripts/busybox-rootfs.sh" "$WORK/rootfs"
  tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
  capture 120 pm import --change CMD=/bin/sh "$WORK/rootfs.tar" "$2"
}

# --- containerd -----------------------------------------------------------------------------

# Inside the private namespaces: a containerd of its own (config.toml, socket, root and state
# under $WORK) started in the background, its pid in $containerd_pid, and `c` on PATH: ctr on that
# socket and on containerd namespace $NAMESPACE. The CRI plugin (which wants CNI and pulls images)
# is off unless CRI_TOML is given: its [plugins."io.containerd.grpc.v1.cri"] tables, appended.
# Returns non-zero (the last lines of containerd's log on stderr) when it does not answer.
# Usage: clients_containerd_start [CRI_TOML]
clients_containerd_start() {
  local socket=$WORK/containerd.sock cri_toml=${1:-} cri_off='"io.containerd.grpc.v1.cri", '
  [ -z "$cri_toml" ] || cri_off=""
  mkdir -p "$WORK/tools"
  cat > "$WORK/config.toml" <<END
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = [${cri_off}"io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$socket"
[ttrpc]
  address = "$socket.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "$WORK/opt"
$cri_toml
END
  # A script, so that timeout and script can run it.
  cat > "$WORK/tools/c" <<END
#!/bin/sh
exec ctr --address $socket --namespace $NAMESPACE "\$@"
END
  chmod 755 "$WORK/tools/c"
  export PATH=$WORK/tools:$PATH
  containerd --config "$WORK/config.toml" > "$WORK/containerd.log" 2>&1 &
  containerd_pid=$!
  # 60 s at most: seconds in the emulated VM, a moment on a machine.
  for _ in $(seq 600); do
    c version >/dev/null 2>&1 && return 0
    kill -0 "$containerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  c version >/dev/null 2>&1 && return 0
  tail -n 20 "$WORK/containerd.log" >&2
  return 1
}

# Kills and deletes every task and container of $NAMESPACE, removes IMAGE (when given), stops
# containerd and unmounts the snapshots' overlay mounts left in this mount namespace.
clients_containerd_stop() {
  local image=${1:-} task
  for task in $(timeout 10 c task ls -q 2>/dev/null); do
    timeout 10 c task kill -s SIGKILL "$task" >/dev/null 2>&1
    sleep 0.5
    timeout 20 c task delete --force "$task" >/dev/null 2>&1
  done
  for task in $(timeout 10 c containers ls -q 2>/dev/null); do
    timeout 20 c containers delete "$task" >/dev/null 2>&1
  done
  [ -z "$image" ] || timeout 20 c images rm "$image" >/dev/null 2>&1
  if kill -0 "$containerd_pid" 2>/dev/null; then
    kill -TERM "$containerd_pid"
    for _ in $(seq 50); do kill -0 "$containerd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$containerd_pid" 2>/dev/null && kill -KILL "$containerd_pid"
  fi
  wait "$containerd_pid" 2>/dev/null
  grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
}

# An OCI image archive (an image layout, one uncompressed layer of the busybox rootfs of
# scripts/busybox-rootfs.sh) written with tar and sha256sum: nothing is pulled.
# Usage: clients_oci_archive REPO_DIR OUT.tar IMAGE
clients_oci_archive() {
  local repo=$1 out=$2 image=$3
  "$repo/scripts/busybox-rootfs.sh" "$WORK/rootfs"
  clients_oci_archive_of "$WORK/rootfs" "$out" "$image" '"Cmd":["/bin/sh"]'
}

# An OCI image archive of ROOTFS (one uncompressed layer) whose image config holds PATH and the
# JSON members PROCESS (for example '"Cmd":["/bin/sh"]'). Its index names the image for
# containerd (io.containerd.image.name) and its tag (org.opencontainers.image.ref.name).
# Usage: clients_oci_archive_of ROOTFS OUT.tar IMAGE PROCESS
clients_oci_archive_of() {
  local rootfs=$1 out=$2 image=$3 process=$4 layout blobs layer config manifest arch
  layout=$(mktemp -d "$WORK/image.XXXXXX")
  blobs=$layout/blobs/sha256
  mkdir -p "$blobs"
  tar --numeric-owner -C "$rootfs" -cf "$layout/layer.tar" .
  layer=$(sha256sum "$layout/layer.tar" | cut -d' ' -f1)
  mv "$layout/layer.tar" "$blobs/$layer"
  arch=$(dpkg --print-architecture)
  printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$arch" "$process" "$layer" > "$layout/config.json"
  config=$(sha256sum "$layout/config.json" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
    "$config" "$(stat -c %s "$layout/config.json")" "$layer" "$(stat -c %s "$blobs/$layer")" > "$layout/manifest.json"
  manifest=$(sha256sum "$layout/manifest.json" | cut -d' ' -f1)
  mv "$layout/config.json" "$blobs/$config"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$(stat -c %s "$layout/manifest.json")" "$arch" "$image" "${image##*:}" > "$layout/index.json"
  mv "$layout/manifest.json" "$blobs/$manifest"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  tar -C "$layout" -cf "$out" oci-layout index.json blobs
  rm -rf "$layout"
}

# --- buildah --------------------------------------------------------------------------------

# Inside the private namespaces: buildah's configuration and storage under $WORK/buildah
# (containers.conf with cgroupfs and netavark, storage.conf with vfs, registries.conf with no
# registry to search, a signature policy that accepts local images) and `bh` on PATH: buildah
# with that storage. The runtime is given per command (bud/run --runtime).
clients_buildah_environment() {
  local dir=$WORK/buildah
  mkdir -p "$dir/networks" "$dir/tmp" "$WORK/tools" "$WORK/tmp"
  export TMPDIR=$WORK/tmp
  cat > "$dir/containers.conf" <<END
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
image_copy_tmp_dir = "$WORK/tmp"

[network]
network_backend = "netavark"
network_config_dir = "$dir/networks"
END
  cat > "$dir/storage.conf" <<END
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/runroot"
END
  echo 'unqualified-search-registries = []' > "$dir/registries.conf"
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$dir/policy.json"
  export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$dir/registries.conf BUILDAH_ISOLATION=oci
  cat > "$WORK/tools/bh" <<END
#!/bin/sh
exec buildah --root $dir/storage --runroot $dir/runroot --storage-driver vfs \\
  --registries-conf $dir/registries.conf "\$@"
END
  chmod 755 "$WORK/tools/bh"
  export PATH=$WORK/tools:$PATH
}

# The base image, offline: `buildah from scratch`, the busybox rootfs of scripts/busybox-rootfs.sh
# copied in, PATH and CMD set, committed as IMAGE. Usage: clients_buildah_base REPO_DIR IMAGE;
# sets RC, OUT, ERR (of the step that failed, or of the commit).
clients_buildah_base() {
  local repo=$1 image=$2 ctr
  "$repo/scripts/busybox-rootfs.sh" "$WORK/rootfs"
  capture 60 bh from --signature-policy "$WORK/buildah/policy.json" scratch
  [ "$RC" -eq 0 ] || return 0
  ctr=$OUT
  capture 120 bh copy "$ctr" "$WORK/rootfs/" /
  [ "$RC" -eq 0 ] || return 0
  capture 30 bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd /bin/sh "$ctr"
  [ "$RC" -eq 0 ] || return 0
  capture 120 bh commit --signature-policy "$WORK/buildah/policy.json" --rm "$ctr" "$image"
}
