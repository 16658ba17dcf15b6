#!/bin/bash
# buildah 1.28 (Debian 12) driving an OCI runtime: `buildah bud --runtime RUNTIME --isolation oci`
# (each RUN step is a create/start/state/delete of the runtime) and `buildah run`.
#
# Usage (root): tests/clients/buildah.sh [RUNTIME]      RUNTIME: a path or a name in PATH (default runc)
#   TRACE_FILE=/tmp/calls.log tests/clients/buildah.sh /usr/local/bin/hako
#                                    also records every runtime call, its exit code and duration
#
# Everything happens in a throwaway network + mount namespace with buildah's own storage root,
# runroot, storage.conf, registries.conf (no registry), containers.conf (cgroupfs, netavark) and
# signature policy under a private work directory: nothing is pulled, nothing of the machine's
# storage or network is touched. The base image is made offline (`buildah from scratch`, a busybox
# rootfs copied in, committed). Prints a PASS/FAIL line per step and "N passed, N failed"; exits 1
# when a step failed, 2 when it could not start.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

BASE=localhost/hako-busybox-base:latest
BUILT=localhost/hako-built:latest
# The 14 capabilities that buildah gives a RUN step (bounding, effective, permitted and ambient):
# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT
# MKNOD AUDIT_WRITE SETFCAP.
BUILDAH_CAPS=00000000a80425fb

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "buildah.sh must run as root" >&2; exit 2; }
  clients_ensure_packages buildah netavark aardvark-dns iptables busybox-static util-linux iproute2 runc
  runtime=$(clients_resolve_runtime "${1:-${RUNTIME:-runc}}") || exit 2
  WORK=$(mktemp -d /tmp/hako-buildah.XXXXXX)
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-buildah-${WORK##*.}
  # The runtime calls are always recorded (TRACE_FILE or our own): the leak check needs the names
  # of the containers that `buildah run` made without a cgroup parent (cgroupsPath unset: the
  # runtime's default cgroup, /<container name>).
  export TRACE_FILE=${TRACE_FILE:-$WORK/calls.log}
  : > "$RESULTS"
  started=$(date +%s)
  echo "# buildah $(buildah --version | awk '{print $3}'), runtime $runtime, work dir $WORK"
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$runtime"
  inner=$?
  [ "$inner" -le 1 ] || fail "the steps ran to their end (inner half exited with $inner)"
  # `buildah run` sets no cgroupsPath: each of its containers is in the runtime's default cgroup,
  # /NAME under runc, /hako/NAME under hako, which must be gone like the container.
  names=$(grep -o ' \(create\|run\) .* buildah-buildah[0-9]*$' "$TRACE_FILE" 2>/dev/null | awk '{ print $NF }' | sort -u)
  defaults=$(for name in $names; do echo "$name"; echo "hako/$name"; done)
  # shellcheck disable=SC2086
  left=$(clients_cgroup_dirs $defaults)
  if [ -z "$left" ]; then pass "leak check: no default cgroup of a container is left (cgroupsPath unset)"
  else fail "leak check: no default cgroup of a container is left (cgroupsPath unset)" "$left"; fi
  # shellcheck disable=SC2086
  clients_leak_check "$CGROUP_PARENT" $defaults
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
clients_buildah_environment
POLICY=(--signature-policy "$WORK/buildah/policy.json")
BUD=(bud "${POLICY[@]}" --pull=never --runtime "$client_runtime" --isolation oci --cgroup-parent "/$CGROUP_PARENT")

cleanup_inner() {
  timeout 60 bh rm --all >/dev/null 2>&1
  timeout 60 bh rmi --all --force >/dev/null 2>&1
  # vfs has no mounts of its own, but `buildah mount` and RUN --mount may leave some here.
  grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
}
trap cleanup_inner EXIT

# ---- the base image, offline
clients_buildah_base "$repo" "$BASE"
if [ "$RC" -eq 0 ] && bh inspect --type image "$BASE" >/dev/null 2>&1; then
  pass "base image: buildah from scratch, a busybox rootfs copied in, committed as $BASE"
else fail "base image: buildah from scratch, a busybox rootfs copied in, committed as $BASE" "$OUT"$'\n'"$ERR"; exit 1; fi

# ---- bud: several RUN steps, each one the runtime's container
mkdir -p "$WORK/context"
cat > "$WORK/context/Containerfile" <<END
FROM $BASE
RUN echo built > /built && echo "\$(id -u):\$(id -g) \$\$ \$(hostname)" > /ids
ENV GREETING=hello
WORKDIR /work
RUN echo "\$GREETING" > greeting && pwd > /work/pwd && cat /built > /work/copied
USER 65534:65534
RUN id -u > /tmp/nobody-uid && id -g >> /tmp/nobody-uid && ! touch /root-owned 2>/dev/null
USER 0
RUN grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status > /caps
RUN --mount=type=tmpfs,target=/cache touch /cache/x && grep -q ' /cache tmpfs ' /proc/mounts && echo mounted > /tmpfs-ok
RUN test "\$(cat /work/greeting)" = hello && test -s /built && echo ok > /checked
CMD ["cat", "/work/greeting"]
END
capture 300 bh "${BUD[@]}" -t "$BUILT" "$WORK/context"
if [ "$RC" -eq 0 ] && bh inspect --type image "$BUILT" >/dev/null 2>&1; then
  pass "bud --runtime RUNTIME --isolation oci: 6 RUN steps, the image is committed"
else fail "bud --runtime RUNTIME --isolation oci: 6 RUN steps, the image is committed" "rc=$RC"$'\n'"$(tail -n 20 <<< "$ERR")"; fi
runs=$(grep -c ' create .*buildah' "$TRACE_FILE" 2>/dev/null)
check "bud: one runtime container per RUN step (create calls)" 6 "$runs"

# The result's content, read from its filesystem (buildah mount), not through the runtime.
capture 60 bh from "${POLICY[@]}" --pull=never --name inspect-ctr "$BUILT"
capture 60 bh mount inspect-ctr
root=$OUT
if [ "$RC" -eq 0 ] && [ -d "$root" ]; then
  check "RUN: a file written by a step is in the image" built "$(cat "$root/built" 2>/dev/null)"
  ids=$(cat "$root/ids" 2>/dev/null)
  check "RUN: as root (0:0), PID 1 of its own pid namespace" "0:0 1" "${ids% *}"
  check "RUN: the hostname is a short container id (12 hex digits)" 1 "$(grep -cE '^[0-9a-f]{12}$' <<< "${ids##* }")" "$ids"
  check "RUN after ENV and WORKDIR: the environment and the directory of the step" "hello|/work|built" \
    "$(cat "$root/work/greeting" 2>/dev/null)|$(cat "$root/work/pwd" 2>/dev/null)|$(cat "$root/work/copied" 2>/dev/null)"
  check "RUN after USER 65534:65534: user and group, and no write to the root directory" "65534|65534" \
    "$(paste -sd'|' "$root/tmp/nobody-uid" 2>/dev/null)"
  [ -e "$root/root-owned" ] && fail "RUN as 65534 could not write /" "/root-owned exists"
  caps=$(cat "$root/caps" 2>/dev/null)
  check "RUN: capabilities bounding, permitted, effective are buildah's 14" \
    "$BUILDAH_CAPS|$BUILDAH_CAPS|$BUILDAH_CAPS" \
    "$(awk '$1 == "CapBnd:" { b = $2 } $1 == "CapPrm:" { p = $2 } $1 == "CapEff:" { e = $2 } END { print b "|" p "|" e }' <<< "$caps")" "$caps"
  # buildah asks for the same 14 in ambient, with no inheritable set: the kernel raises an ambient
  # capability only when it is permitted and inheritable, so runc ends with none (and no error).
  check "RUN: ambient (asked without inheritable) as runc leaves it: none, the step not failed" \
    "0000000000000000|0000000000000000" \
    "$(awk '$1 == "CapInh:" { i = $2 } $1 == "CapAmb:" { a = $2 } END { print i "|" a }' <<< "$caps")" "$caps"
  check "RUN --mount=type=tmpfs: a tmpfs at the target during the step" mounted "$(cat "$root/tmpfs-ok" 2>/dev/null)"
  if [ -e "$root/cache/x" ]; then fail "RUN --mount=type=tmpfs: nothing of it is left in the image" "/cache/x is in the image"
  else pass "RUN --mount=type=tmpfs: nothing of it is left in the image"; fi
  check "RUN: a step sees the files of the steps before it" ok "$(cat "$root/checked" 2>/dev/null)"
else
  fail "the built image can be mounted (buildah mount)" "$OUT"$'\n'"$ERR"
fi
bh umount inspect-ctr >/dev/null 2>&1
bh rm inspect-ctr >/dev/null 2>&1

# ---- a failing RUN fails the build, and nothing after it runs
mkdir -p "$WORK/failing"
cat > "$WORK/failing/Containerfile" <<END
FROM $BASE
RUN echo before > /before
RUN sh -c 'echo failing-step >&2; exit 3'
RUN echo after > /after
END
before=$(grep -c ' create .*buildah' "$TRACE_FILE" 2>/dev/null)
capture 120 bh "${BUD[@]}" -t localhost/hako-failing "$WORK/failing"
after=$(grep -c ' create .*buildah' "$TRACE_FILE" 2>/dev/null)
if [ "$RC" -ne 0 ] && grep -q 'exit status 3' <<< "$ERR" && ! bh inspect --type image localhost/hako-failing >/dev/null 2>&1; then
  pass "bud: a RUN that exits 3 fails the build with its status, no image is made"
else fail "bud: a RUN that exits 3 fails the build with its status, no image is made" "rc=$RC"$'\n'"$(tail -n 10 <<< "$ERR")"; fi
check "bud: the step after the failing RUN never ran (2 containers)" 2 "$((after - before))"

# ---- buildah run on a working container of the image
capture 60 bh from "${POLICY[@]}" --pull=never --name run-ctr "$BUILT"
if [ "$RC" -eq 0 ]; then
  capture 60 bh run --runtime "$client_runtime" --isolation oci run-ctr -- sh -c 'cat /work/greeting; echo $$; pwd; echo "$GREETING"'
  check "run: output, PID 1, the image's WORKDIR and ENV" "hello|1|/work|hello" "$(paste -sd'|' <<< "$OUT")" "$ERR"
  capture 60 bh run --runtime "$client_runtime" --isolation oci run-ctr -- sh -c 'exit 5'
  if [ "$RC" -ne 0 ] && { [ "$RC" -eq 5 ] || grep -q 'exit status 5' <<< "$ERR"; }; then
    pass "run: a command that exits 5 fails buildah run (rc $RC)"
  else fail "run: a command that exits 5 fails buildah run" "rc=$RC"$'\n'"$ERR"; fi
  capture 60 bh run --runtime "$client_runtime" --isolation oci --user 65534:65534 --workingdir /tmp \
    --env RUN_VAR=v1 run-ctr -- sh -c 'echo "$(id -u):$(id -g) $(pwd) $RUN_VAR"'
  check "run --user --workingdir --env: user, directory and environment" "65534:65534 /tmp v1" "$OUT" "$ERR"
  capture 60 bh run --runtime "$client_runtime" --isolation oci run-ctr -- sh -c 'echo written-by-run > /work/run-file'
  capture 60 bh mount run-ctr
  check "run: what the command wrote is in the working container" written-by-run "$(cat "$OUT/work/run-file" 2>/dev/null)" "$ERR"
  bh umount run-ctr >/dev/null 2>&1
else
  fail "from: a working container of the built image" "$ERR"
fi
bh rm run-ctr >/dev/null 2>&1

capture 30 bh containers --quiet
check "containers: none left" "" "$OUT" "$ERR"
