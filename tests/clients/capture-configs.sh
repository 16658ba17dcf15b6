#!/bin/bash
# Records the config.json (and the process.json of exec) that real clients hand to their runtime,
# as test fixtures: src/test/resources/bundles/<client>/<case>.json (see the README there).
#
# Usage (root): tests/clients/capture-configs.sh [CLIENT...]
#   CLIENT: spec (runc spec, crun spec), podman, containerd, buildah; all of them by default.
#   BUNDLES=DIR where the fixtures go (default src/test/resources/bundles); only the files of the
#               clients captured are replaced
#   RAW=DIR     also keeps the files exactly as sent (before normalisation) in DIR/<client>/
#
# The clients run as podman.sh, containerd.sh and buildah.sh run them: in a throwaway network +
# mount namespace, private storage, configuration and cgroup parent. Their runtime is a wrapper
# named runc that copies BUNDLE/config.json on create/run (and the --process file on exec) under
# the name of the case being captured, records its command line, then execs runc: the containers
# really run, so each client goes through its whole sequence.
#
# Normalisation (the README there lists it): root.path becomes "rootfs"; the private work directory
# becomes /WORK; each container id, bundle directory and cgroup parent name the client or this
# script made up becomes a fixed one of the same form; netavark's netns file becomes netns-NETNS.
# Nothing else is changed: the files keep the client's own formatting.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"

ALL_CLIENTS="spec podman containerd buildah"
PODMAN_IMAGE=localhost/hako-busybox:latest
CTR_IMAGE=docker.io/hako/busybox:latest
BUILDAH_IMAGE=localhost/hako-busybox-base:latest

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "capture-configs.sh must run as root" >&2; exit 2; }
  clients=${*:-$ALL_CLIENTS}
  for client in $clients; do
    [[ " $ALL_CLIENTS " == *" $client "* ]] || { echo "unknown client: $client (one of: $ALL_CLIENTS)" >&2; exit 2; }
  done
  clients_ensure_packages runc crun podman conmon netavark aardvark-dns iptables uidmap slirp4netns \
    catatonit containerd buildah busybox-static bsdutils util-linux iproute2 jq perl
  out=${BUNDLES:-$repo/src/test/resources/bundles}
  WORK=$(mktemp -d /tmp/hako-capture.XXXXXX)
  # One name for podman's cgroup parent and ctr's namespace (which names ctr's cgroups).
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-capture-${WORK##*.} NAMESPACE=hako-capture-${WORK##*.}
  : > "$RESULTS"
  echo "# runc $(runc --version | awk 'NR == 1 { print $3 }'), crun $(crun --version | awk 'NR == 1 { print $3 }')," \
    "podman $(podman --version | awk '{ print $3 }'), containerd $(containerd --version | awk '{ print $3 }')," \
    "buildah $(buildah --version | awk '{ print $3 }'); work dir $WORK"
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 600 unshare --net --mount --propagation private -- \
    "$self" "$(readlink -f "$(command -v runc)")" $clients
  inner=$?
  [ "$inner" -le 1 ] || fail "the captures ran to their end (inner half exited with $inner)"
  # podman (cgroupfs) moves conmon into PARENT/conmon and never removes it: that one is expected.
  # buildah run sets no cgroupsPath: the runtime's default cgroup is /<container name>.
  # shellcheck disable=SC2046
  CLIENT_CGROUPS_KEPT=conmon clients_leak_check "$CGROUP_PARENT" buildah-capture \
    $(grep -o ' create .* buildah-buildah[0-9]*$' "$WORK/captures/calls" 2>/dev/null | awk '{ print $NF }' | sort -u)
  for client in $clients; do
    [ -d "$WORK/captures/$client" ] || continue
    rm -rf "${out:?}/$client"
    mkdir -p "$out/$client"
    cp "$WORK/captures/$client"/*.json "$WORK/captures/$client/calls.txt" "$out/$client/" 2>/dev/null
    if [ -n "${RAW:-}" ]; then rm -rf "${RAW:?}/$client"; mkdir -p "$RAW"; cp -r "$WORK/captures/$client/raw" "$RAW/$client"; fi
    echo "# $client: $(find "$out/$client" -maxdepth 1 -name '*.json' | wc -l) files in $out/$client"
  done
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
real_runc=$1; shift
clients_private_namespaces
mkdir -p "$WORK/tmp" "$WORK/wrapper" "$WORK/captures"
export TMPDIR=$WORK/tmp

# The wrapper runtime. Each create/run (config.json) and each exec --process (process.json) takes
# the next case name from $WORK/next-cases; with none left the call is only recorded. Every call is
# recorded with the case it belongs to (the last one expected or taken).
QUEUE=$WORK/next-cases LABEL=$WORK/label
wrapper=$WORK/wrapper/runc
cat > "$wrapper" <<END
#!/bin/bash
queue=$(printf '%q' "$QUEUE")
label=$(printf '%q' "$LABEL")
captures=$(printf '%q' "$WORK/captures")
END
cat >> "$wrapper" <<'END'
command="" bundle="" process="" skip=""
for arg in "$@"; do
  if [ -n "$skip" ]; then
    case $skip in bundle) bundle=$arg ;; process) process=$arg ;; esac
    skip=""; continue
  fi
  if [ -z "$command" ]; then
    case $arg in
      --root|--log|--log-format|--criu|--rootless) skip=value ;;
      -*) ;;
      *) command=$arg ;;
    esac
  else
    case $arg in
      --bundle|-b) skip=bundle ;;
      --bundle=*) bundle=${arg#*=} ;;
      --process|-p) [ "$command" = exec ] && skip=process ;;
      --process=*) process=${arg#*=} ;;
    esac
  fi
done
if { [ "$command" = create ] || [ "$command" = run ] || { [ "$command" = exec ] && [ -n "$process" ]; }; } &&
   [ -s "$queue" ]; then
  name=$(head -n 1 "$queue")
  sed -i 1d "$queue"
  echo "$name" > "$label"
  client=${name%%/*}
  mkdir -p "$captures/$client/raw"
  if [ "$command" = exec ]; then
    cp "$process" "$captures/$name.process.json"
  else
    cp "${bundle:-.}/config.json" "$captures/$name.json"
  fi
fi
printf '%s\t%s\n' "$(cat "$label" 2>/dev/null || echo -)" "$*" >> "$captures/calls"
END
printf 'exec %q "$@"\n' "$real_runc" >> "$wrapper"
chmod 755 "$wrapper"

# label CASE: the runtime calls from now on are recorded as CASE's (calls.txt).
label() { echo "$1" > "$LABEL"; }
# expect CASE...: the next configs sent are recorded as these cases (CLIENT/NAME), in order.
expect() { printf '%s\n' "$@" > "$QUEUE"; label "$1"; }
# captured CASE [process]: the step's PASS/FAIL: the file is there (and the client succeeded).
captured() {
  local name=$1 suffix=${2:+.$2}
  if [ "$RC" -eq 0 ] && [ -s "$WORK/captures/$name$suffix.json" ]; then pass "captured $name$suffix.json"
  else fail "captured $name$suffix.json" "rc=$RC"$'\n'"$ERR"; fi
  : > "$QUEUE"
}

# normalise CLIENT [ID=REPLACEMENT...]: the client's captures, in place, raw copies kept in raw/.
# root.path becomes "rootfs", $WORK becomes /WORK, each ID its REPLACEMENT (literal strings, the
# longest first as given), netavark's netns-UUID becomes netns-NETNS.
normalise() {
  local client=$1 file root pair; shift
  for file in "$WORK/captures/$client"/*.json; do
    [ -e "$file" ] || continue
    cp "$file" "$WORK/captures/$client/raw/"
    root=$(jq -r '.root.path // empty' "$file")
    if [ -n "$root" ] && [ "${root#/}" != "$root" ]; then
      FROM="\"$root\"" TO='"rootfs"' perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$file"
    fi
    FROM=$WORK TO=/WORK perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$file"
    for pair in "$@"; do
      FROM=${pair%%=*} TO=${pair#*=} perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$file"
    done
    perl -0pi -e 's{/netns-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}{/netns-NETNS}g' "$file"
  done
  # The runtime calls, normalised the same way (the .json files are the fixtures; this is context).
  grep "^$client/" "$WORK/captures/calls" | sed "s|^$client/||" > "$WORK/captures/$client/calls.txt"
  FROM=$WORK TO=/WORK perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$WORK/captures/$client/calls.txt"
  for pair in "$@"; do
    FROM=${pair%%=*} TO=${pair#*=} perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$WORK/captures/$client/calls.txt"
  done
  # Names the client makes up for each call: exec ids, temporary files and sockets.
  perl -pi -e 's/\b(?!0123456789abcdef)([0-9a-f]{64})\b/$id{$1} ||= sprintf("fedcba9876543210%048x", ++$n)/ge;
    s{(conmon-term\.)[0-9A-Za-z]{6}}{${1}XXXXXX}g; s{(pty|runc-process|exec-process-)[0-9]+}{${1}NNNNNNNNNN}g' \
    "$WORK/captures/$client/calls.txt"
}

# A fixed container id of the same form as the client's (64 hex digits: 0123456789ab, then ..., N).
fake_id() { printf '%064x' "$1" | sed 's/^0000000000000000/0123456789abcdef/'; }

# ---------------------------------------------------------------- runc spec, crun spec
capture_spec() {
  local dir=$WORK/spec-bundles tool mode
  mkdir -p "$WORK/captures/spec/raw"
  for tool in runc crun; do
    for mode in "" rootless; do
      rm -rf "$dir"; mkdir -p "$dir"
      capture 30 "$tool" spec --bundle "$dir" ${mode:+--rootless}
      [ "$RC" -eq 0 ] && cp "$dir/config.json" "$WORK/captures/spec/$tool${mode:+-$mode}.json"
      printf 'spec/%s\t%s spec --bundle DIR%s\n' "$tool${mode:+-$mode}" "$tool" "${mode:+ --rootless}" >> "$WORK/captures/calls"
      if [ "$RC" -eq 0 ]; then pass "captured spec/$tool${mode:+-$mode}.json"
      else fail "captured spec/$tool${mode:+-$mode}.json" "$ERR"; fi
    done
  done
  normalise spec
}

# ---------------------------------------------------------------- podman
capture_podman() (
  local run ids=() name id cid
  # As podman.sh is run here: no pids limit by default (this hybrid host's pids controller is v1).
  PIDS_LIMIT=${PIDS_LIMIT:-0} clients_podman_environment "$wrapper"
  trap 'timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1' EXIT
  clients_podman_import "$repo" "$PODMAN_IMAGE"
  [ "$RC" -eq 0 ] || { fail "podman import" "$ERR"; return 1; }
  mkdir -p "$WORK/volume" "$WORK/volume-ro"
  run=(run --pull=never --cgroup-parent "/$CGROUP_PARENT")
  # case name, then podman's arguments before the image, then the command.
  podman_case() {
    local name=$1; shift
    local options=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do options+=("$1"); shift; done
    shift
    expect "podman/$name"
    capture 60 pm "${run[@]}" --name "$name" "${options[@]}" "$PODMAN_IMAGE" "$@"
    captured "podman/$name"
    ids+=("$(pm inspect --format '{{.Id}}' "$name" 2>/dev/null)=$name")
    pm rm --force --time 0 "$name" >/dev/null 2>&1
  }
  podman_case run -- true
  podman_case tmpfs --tmpfs /scratch -- true
  podman_case volume -v "$WORK/volume:/data" -v "$WORK/volume-ro:/data-ro:ro" -- true
  podman_case read-only --read-only -- true
  podman_case publish -p 18080:80 -- true
  podman_case caps --cap-add NET_ADMIN,SYS_TIME --cap-drop CHOWN,MKNOD -- true
  podman_case cap-drop-all --cap-drop all --cap-add NET_BIND_SERVICE -- true
  podman_case privileged --privileged -- true
  podman_case resources --memory 64m --cpus 0.5 -- true
  podman_case pids-limit --pids-limit 64 -- true
  podman_case network-none --network none -- true
  podman_case user -u 65534:65534 -- true
  podman_case init --init --init-path /usr/bin/catatonit -- true
  # -t: podman asks for a terminal whether or not its own stdin is one; on one (script), it also
  # sends the terminal's size.
  expect podman/tty
  OUT=$(on_a_terminal pm "${run[@]}" --name tty -t "$PODMAN_IMAGE" true 2>&1); RC=$? ERR=$OUT
  captured podman/tty
  ids+=("$(pm inspect --format '{{.Id}}' tty 2>/dev/null)=tty")
  pm rm --force --time 0 tty >/dev/null 2>&1

  # exec into a running container (its own config is not kept).
  label podman/exec
  capture 60 pm "${run[@]}" -d --name exec "$PODMAN_IMAGE" sleep 300
  ids+=("$OUT=exec")
  expect podman/exec
  capture 30 pm exec exec true
  captured podman/exec process
  expect podman/exec-tty-user
  OUT=$(on_a_terminal pm exec -it -u 65534:65534 -w /tmp -e EXEC_VAR=v1 exec true 2>&1); RC=$? ERR=$OUT
  captured podman/exec-tty-user process
  pm rm --force --time 0 exec >/dev/null 2>&1

  # Each container id (and its 12-digit short form: hostname, HOSTNAME) becomes a fixed one.
  local pairs=() n=1 pair
  for pair in "${ids[@]}"; do
    cid=${pair%%=*}
    [ ${#cid} -eq 64 ] || continue
    id=$(fake_id "$n"); n=$((n + 1))
    pairs+=("$cid=$id" "${cid:0:12}=${id:0:12}")
  done
  pairs+=("$CGROUP_PARENT=hako-capture")
  normalise podman "${pairs[@]}"
)

# ---------------------------------------------------------------- containerd
capture_containerd() (
  clients_containerd_start 2> "$WORK/start-error" || { fail "containerd starts" "$(cat "$WORK/start-error")"; return 1; }
  trap 'clients_containerd_stop "$CTR_IMAGE"' EXIT
  clients_oci_archive "$repo" "$WORK/busybox-oci.tar" "$CTR_IMAGE"
  capture 120 c images import "$WORK/busybox-oci.tar"
  [ "$RC" -eq 0 ] || { fail "ctr images import" "$ERR"; return 1; }
  mkdir -p "$WORK/volume"
  local run=(run --runc-binary "$wrapper" --rm)
  expect containerd/run
  capture 60 c "${run[@]}" "$CTR_IMAGE" run true
  captured containerd/run
  expect containerd/tty
  OUT=$(on_a_terminal c "${run[@]}" -t "$CTR_IMAGE" tty true 2>&1); RC=$? ERR=$OUT
  captured containerd/tty
  expect containerd/memory-limit
  capture 60 c "${run[@]}" --memory-limit 67108864 "$CTR_IMAGE" memory-limit true
  captured containerd/memory-limit
  expect containerd/caps
  capture 60 c "${run[@]}" --cap-add CAP_NET_ADMIN --cap-drop CAP_CHOWN "$CTR_IMAGE" caps true
  captured containerd/caps
  expect containerd/mount
  capture 60 c "${run[@]}" --mount "type=bind,src=$WORK/volume,dst=/data,options=rbind:ro" "$CTR_IMAGE" mount true
  captured containerd/mount

  label containerd/exec
  capture 60 c run --runc-binary "$wrapper" -d "$CTR_IMAGE" sleeper sleep 300
  expect containerd/exec
  capture 30 c task exec --exec-id e1 sleeper true
  captured containerd/exec process
  expect containerd/exec-tty-user
  OUT=$(on_a_terminal c task exec -t --exec-id e2 --cwd /tmp --user 65534 sleeper true 2>&1); RC=$? ERR=$OUT
  captured containerd/exec-tty-user process
  timeout 10 c task kill -s SIGKILL sleeper >/dev/null 2>&1
  normalise containerd "$NAMESPACE=hako-capture"
)

# ---------------------------------------------------------------- buildah
capture_buildah() (
  clients_buildah_environment
  clients_buildah_base "$repo" "$BUILDAH_IMAGE"
  [ "$RC" -eq 0 ] || { fail "buildah base image" "$ERR"; return 1; }
  mkdir -p "$WORK/context"
  cat > "$WORK/context/Containerfile" <<END
FROM $BUILDAH_IMAGE
RUN echo built > /built
ENV GREETING=hello
WORKDIR /work
USER 65534:65534
RUN echo "\$GREETING" > /tmp/greeting
USER 0
RUN --mount=type=tmpfs,target=/cache touch /cache/x
END
  expect buildah/bud-run buildah/bud-env-workdir-user buildah/bud-mount-tmpfs
  capture 300 bh bud --signature-policy "$WORK/buildah/policy.json" --pull=never --runtime "$wrapper" \
    --isolation oci --cgroup-parent /buildah-capture -t localhost/hako-captured "$WORK/context"
  local name
  for name in bud-run bud-env-workdir-user bud-mount-tmpfs; do captured "buildah/$name"; done
  label buildah/run
  capture 60 bh from --signature-policy "$WORK/buildah/policy.json" --pull=never --name run-ctr "$BUILDAH_IMAGE"
  expect buildah/run
  capture 60 bh run --runtime "$wrapper" --isolation oci run-ctr true
  captured buildah/run
  bh rm --all >/dev/null 2>&1
  bh rmi --all --force >/dev/null 2>&1
  # buildah's bundle directories (and container names, buildah-<directory>) and the hostnames
  # (the working container's short id) become fixed ones of the same form.
  local pairs=() dir host n=1 file
  for dir in $(grep -o 'create --bundle [^ ]*' "$WORK/captures/calls" | awk '{ print $3 }' | grep -o 'buildah[0-9]*$' | awk '!seen[$0]++'); do
    pairs+=("$dir=buildah$(printf '%09d' "$n")"); n=$((n + 1))
  done
  n=1
  for host in $(for file in "$WORK/captures/buildah"/*.json; do jq -r '.hostname // empty' "$file"; done | awk '!seen[$0]++'); do
    pairs+=("$host=$(printf "%012x" "$n")"); n=$((n + 1))
  done
  normalise buildah "${pairs[@]}"
)

for client in "$@"; do
  case $client in
    spec) capture_spec ;;
    podman) capture_podman ;;
    containerd) capture_containerd ;;
    buildah) capture_buildah ;;
  esac
done
exit 0
