#!/bin/bash
# Captures the OCI configs that Docker 20.10 (Debian 12's docker.io) writes for runc, one per
# docker command line, and stores them normalised as test fixtures (see
# src/test/resources/bundles/README.md, section "docker").
#
# Usage (root): tests/clients/docker-configs.sh [OUTDIR]   (default src/test/resources/bundles/docker)
#   RAW_DIR=DIR                      also keeps the captured files as Docker wrote them, by id
#
# Same throwaway namespaces, dockerd and containerd as docker.sh; the runtime is runc behind the
# CAPTURE_DIR and TRACE_FILE wrapper of lib.sh, which copies each bundle's config.json on
# `create` (and each exec's process.json) before runc runs, and records every call. Every case is
# `docker run -d --name CASE ...` then `docker rm -f CASE`; that container's config becomes
# OUTDIR/CASE.json, as Docker wrote it (compact JSON) with only what is particular to this machine
# and run replaced (README.md lists the replacements), and its runtime calls go to OUTDIR/calls.txt.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

IMAGE=hako/busybox:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "docker-configs.sh must run as root" >&2; exit 2; }
  clients_ensure_packages docker.io containerd runc tini iptables busybox-static bsdutils util-linux iproute2
  OUTDIR=$(mkdir -p "${1:-$repo/src/test/resources/bundles/docker}" && cd "${1:-$repo/src/test/resources/bundles/docker}" && pwd)
  WORK=$(mktemp -d /tmp/hako-docker.XXXXXX)
  export WORK OUTDIR RESULTS=$WORK/results CGROUP_PARENT=hako-capture-${WORK##*.}
  : > "$RESULTS"
  echo "# docker $(dockerd --version | awk '{print $3}' | tr -d ,), runc $(runc --version | awk 'NR == 1 { print $3 }'), work dir $WORK, into $OUTDIR"
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- "$self" "$(readlink -f "$(command -v runc)")"
  inner=$?
  [ "$inner" -le 1 ] || fail "the captures ran to their end (inner half exited with $inner)"
  clients_leak_check "$CGROUP_PARENT"
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
runtime=$1
clients_private_namespaces
export CAPTURE_DIR=$WORK/captured TRACE_FILE=$WORK/calls.log
client_runtime=$(clients_runtime_for_client "$runtime" "$WORK/bin")
# RAW_DIR=DIR keeps the configs as Docker wrote them too.
trap '[ -z "${RAW_DIR:-}" ] || cp -r "$CAPTURE_DIR/." "$RAW_DIR/"; clients_docker_stop' EXIT
clients_docker_start "$client_runtime" 2> "$WORK/start.err" || { fail "dockerd starts" "$(cat "$WORK/start.err")"; exit 1; }
clients_docker_import "$repo" "$IMAGE"
[ "$RC" -eq 0 ] || { fail "import" "$ERR"; exit 1; }
mkdir -p "$WORK/volume" "$WORK/volume-ro"
: > "$OUTDIR/calls.txt.new"

# The text for sed: STRING with the regex's special characters escaped.
literal() { printf '%s' "$1" | sed 's/[][\.*^$/#&]/\\&/g'; }

# normalise ID NUMBER: stdin (a file as Docker or the shim wrote it) to stdout, the text kept but
# what belongs to this run: the rootfs path, dockerd's pid, libnetwork's controller id, the
# container's id (its 12-digit short form: hostname, HOSTNAME), exec ids, the work directory, the
# cgroup parent, the shim's temporary file names.
normalise() {
  local id=$1 number=$2 fake
  fake=0123456789abcdef$(printf '%048x' "$number")
  sed -E \
    -e 's#"root":\{"path":"[^"]*"#"root":{"path":"rootfs"#' \
    -e "s#/proc/$dockerd_pid/exe#/proc/DOCKERD_PID/exe#g" \
    -e "s#\"$id\",\"[0-9a-f]{12}\"#\"$id\",\"fedcba987654\"#g" \
    -e "s#$id#$fake#g" -e "s#${id:0:12}#0123456789ab#g" \
    -e "s#/[0-9a-f]{64}\\.pid#/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.pid#g" \
    -e "s#$(literal "$WORK")#/WORK#g" -e "s#$(literal "$CGROUP_PARENT")#hako-capture#g" \
    -e 's#runc-process[0-9]+#runc-processNNNNNNNNNN#g' -e 's#/pty[0-9]+/#/ptyNNNNNNNNNN/#g'
}

# The runtime calls for container ID, without the time, status and duration, as CASE<TAB>argv.
calls_of() {
  local name=$1 id=$2 number=$3
  grep -F "$id" "$TRACE_FILE" | sed -E 's/^[^ ]+ rc=[0-9]+ [0-9]+ms //' | normalise "$id" "$number" |
    sed "s/^/$name\t/" >> "$OUTDIR/calls.txt.new"
}

# capture_case CASE DOCKER-RUN-ARGUMENTS...: `docker run -d --name CASE ARGS` (the container kept
# for the exec cases when CASE is "run"), CASE.json, its calls.
number=0
capture_case() {
  local name=$1 id; shift
  number=$((number + 1))
  capture 60 dk run -d --name "$name" "$@"
  id=$(dk inspect --format '{{.Id}}' "$name" 2>/dev/null)
  if [ -n "$id" ] && [ -f "$CAPTURE_DIR/$id.json" ]; then
    normalise "$id" "$number" < "$CAPTURE_DIR/$id.json" > "$OUTDIR/$name.json"
    if [ "$RC" -eq 0 ]; then pass "$name: docker run -d $*"
    else pass "$name: docker run -d $* (captured; runc refused it: $(tail -n 1 <<< "$ERR" | cut -c1-160))"; fi
  else fail "$name: docker run -d $*" "no config.json captured for '$id'"$'\n'"$ERR"; fi
  if [ "$name" != run ]; then
    timeout 60 dk rm --force "$name" >/dev/null 2>&1
    sleep 0.5
    calls_of "$name" "$id" "$number"
  fi
}

# capture_exec CASE DESCRIPTION COMMAND...: a docker exec into "run"; its process.json as
# CASE.process.json.
capture_exec() {
  local name=$1 description=$2 id before file; shift 2
  id=$(dk inspect --format '{{.Id}}' run 2>/dev/null)
  before=$(ls "$CAPTURE_DIR")
  "$@" > "$WORK/exec.out" 2>&1
  file=$(comm -13 <(echo "$before") <(ls "$CAPTURE_DIR") | grep "^$id\.exec\." | head -n 1)
  if [ -n "$file" ]; then
    normalise "$id" 1 < "$CAPTURE_DIR/$file" > "$OUTDIR/$name.process.json"
    pass "$name: $description (process.json)"
  else fail "$name: $description" "$(cat "$WORK/exec.out")"$'\n'"$(ls "$CAPTURE_DIR")"; fi
}

capture_case run "$IMAGE" sleep 300
capture_exec exec "docker exec run true" dk exec run true
capture_exec exec-tty-user "docker exec -it -u 65534:65534 -w /tmp -e EXEC_VAR=v1 run true (on a terminal)" \
  on_a_terminal dk exec -it -u 65534:65534 -w /tmp -e EXEC_VAR=v1 run true
run_id=$(dk inspect --format '{{.Id}}' run 2>/dev/null)
timeout 60 dk rm --force run >/dev/null 2>&1
sleep 0.5
calls_of run "$run_id" 1

capture_case publish -p 18080:80 "$IMAGE" httpd -f -p 80
# (--network none writes the same config as the default bridge: the network namespace without a
# path and the same setkey hook; libnetwork does the rest from the hook.)
capture_case tmpfs --tmpfs /scratch --tmpfs /sized:size=1m,mode=1777 "$IMAGE" sleep 300
capture_case read-only --read-only "$IMAGE" sleep 300
capture_case volume -v "$WORK/volume:/data" -v "$WORK/volume-ro:/data-ro:ro" "$IMAGE" sleep 300
capture_case caps --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-drop NET_RAW --cap-drop CHOWN "$IMAGE" sleep 300
capture_case cap-drop-all --cap-drop ALL --cap-add CHOWN "$IMAGE" sleep 300
capture_case privileged --privileged "$IMAGE" sleep 300
capture_case resources --memory 64m --cpus 0.5 --pids-limit 64 "$IMAGE" sleep 300
capture_case user -u 1234:5678 "$IMAGE" sleep 300
capture_case init --init "$IMAGE" sleep 300
capture_case env-workdir -e GREETING=hello -e EMPTY= -w /var/tmp --hostname boxname "$IMAGE" sleep 300
capture_case tty -t -i "$IMAGE" sh
mv "$OUTDIR/calls.txt.new" "$OUTDIR/calls.txt"

# Nothing of this run left in the fixtures.
if grep -lF -e "$WORK" -e "$CGROUP_PARENT" -e "/proc/$dockerd_pid/" "$OUTDIR"/*; then fail "fixtures: nothing of this run left"
else pass "fixtures: nothing of this run left"; fi
