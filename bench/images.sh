#!/bin/bash
# Images benchmark (not a test): hako against podman with runc, side by side in one run (each
# round alternates which goes first, so both meet the same machine), on one 3-layer image that a
# registry on loopback serves:
#   1. pull into an empty store (both stores are wiped before every round);
#   2. time to first output of `hako launch --rm IMG echo hi` and `podman run --rm IMG echo hi`
#      on the image just pulled (fresh: never run) and on the second and third runs (cached), and
#      the time until the command has exited and removed its container;
#   3. `launch -d IMG sleep 60` and `podman run -d`: the time until the command returns, and what
#      stays with the container besides its own processes, with its resident memory (VmRSS).
# The image is built offline: busybox-static's rootfs, then two layers of random bytes (which no
# compression shrinks), written by umoci as an OCI layout and pushed into Debian's docker-registry
# with skopeo. Everything runs in throwaway network and mount namespaces (tests/clients/lib.sh's
# two halves): the registry on the namespace's own 127.0.0.1, podman with its own configuration,
# overlay storage, runc state (on a private /run), file events and cgroup parent, hako with its own
# --root and --image-root, all under one temporary directory; the outer half checks that nothing
# is left. Prints a markdown table (median and minimum, ratio hako / podman) and writes it, with
# the versions and the machine, to bench/results/images.md.
#
# Usage (root, after mvn package): bench/images.sh [ROUNDS]   (default 5)
set -uo pipefail
export LC_ALL=C # EPOCHREALTIME with a decimal point
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$repo/tests/clients/lib.sh"

REGISTRY=127.0.0.1:5000 # the namespace's loopback, not the machine's
IMAGE=$REGISTRY/bench:1
NOISE_MIB=16 # each of the two upper layers

if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/images.sh must run as root" >&2; exit 2; }
  [ -x "$repo/target/java" ] || { echo "build hako first: mvn package" >&2; exit 2; }
  rounds=${1:-5}
  [[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS]" >&2; exit 2; }
  clients_ensure_packages docker-registry skopeo umoci podman runc conmon netavark busybox-static jq curl \
    util-linux iproute2
  WORK=$(mktemp -d /tmp/hako-bench-images.XXXXXX)
  export WORK RESULTS=$WORK/results CGROUP_PARENT=hako-bench-${WORK##*.}
  : > "$RESULTS"
  # Interrupted (^C reaches every process of the group): the inner half cleans up as it ends,
  # and this half still checks and removes what is left.
  trap : INT TERM # handled, not ignored: ignoring would be inherited by the inner half
  CLIENTS_INNER=1 unshare --net --mount --propagation private -- "$self" "$rounds"
  inner=$?
  [ -f "$WORK/table.md" ] && { mkdir -p "$here/results"; cp "$WORK/table.md" "$here/results/images.md"; }
  # Not a test, but it cleans up like one: say so if anything was left. hako's containers'
  # cgroups (unified hierarchy, below hako/) carry the bench's prefix in their names.
  CLIENT_CGROUPS_KEPT=conmon clients_leak_check "$CGROUP_PARENT" | grep '^FAIL' >&2
  left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$CGROUP_PARENT-*" 2>/dev/null)
  if [ -n "$left" ]; then
    fail "leak check: no hako container cgroup is left" "$left" >&2
    printf '%s\n' "$left" | sort -r | xargs -r rmdir
  fi
  leaks=0; grep -q '^fail ' "$RESULTS" && leaks=1
  [ "$leaks" -eq 0 ] && echo "left nothing behind: no process, mount or cgroup of the bench" >&2
  rm -rf "$WORK"
  [ "$inner" -eq 0 ] && exit $leaks
  exit "$inner"
fi

# --- the inner half: in the throwaway namespaces ------------------------------------------

rounds=$1
clients_private_namespaces
PODMAN_STORAGE_DRIVER=overlay clients_podman_environment "$(clients_resolve_runtime runc)"
export REGISTRY_AUTH_FILE=$WORK/no-auth.json # neither reads the machine's credentials
echo '{"auths": {}}' > "$REGISTRY_AUTH_FILE"
cat > "$WORK/tools/hk" <<END
#!/bin/sh
exec $(printf '%q' "$repo/bin/hako") --root $WORK/hako/state --image-root $WORK/hako/images "\$@"
END
chmod 755 "$WORK/tools/hk"
mkdir -p "$WORK/m"
registry_pid=""

die() {
  echo "bench/images.sh: $1" >&2
  [ -s "$WORK/last.err" ] && tail -n 5 "$WORK/last.err" | sed 's/^/  | /' >&2
  # a detached hako container's own logs: what conmon and the create under it said
  local log
  for log in "$WORK"/hako/containers/*/{conmon,runtime}.log; do
    [ -s "$log" ] && { echo "  ${log#"$WORK"/}:"; tail -n 5 "$log" | sed 's/^/  | /'; } >&2
  done
  exit 1
}

# Everything started here ends here, by pid or by the tool that started it.
cleanup() {
  local name
  for name in $(timeout 30 hk ps -a 2>/dev/null | awk 'NR > 1 { print $1 }'); do
    timeout 30 hk rm -f "$name" > /dev/null 2>&1
  done
  timeout 60 pm rm --all --force --time 0 >/dev/null 2>&1
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; fi
  grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
}
trap cleanup EXIT
# A command that ends on ^C with a status of its own (a JVM: 130) would not stop bash by itself.
trap 'exit 130' INT TERM

start_registry() {
  cat > "$WORK/registry.yml" <<END
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: $REGISTRY
END
  # docker-registry takes REGISTRY_* variables as configuration: REGISTRY_AUTH_FILE would be auth.file
  env -u REGISTRY_AUTH_FILE docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://$REGISTRY/v2/" && return 0
    sleep 0.1
  done
  cp "$WORK/registry.log" "$WORK/last.err"
  die "docker-registry did not start"
}

# The image, as umoci writes it: each repack of the bundle adds one layer with what changed.
build_and_push_image() {
  local layout=$WORK/layout bundle=$WORK/bundle n manifest layers
  {
    umoci init --layout "$layout" &&
      umoci new --image "$layout:bench" &&
      umoci config --image "$layout:bench" --config.env PATH=/bin:/usr/bin --config.cmd /bin/sh &&
      umoci unpack --image "$layout:bench" "$bundle" &&
      "$repo/scripts/busybox-rootfs.sh" "$bundle/rootfs" &&
      umoci repack --refresh-bundle --image "$layout:bench" "$bundle"
  } > /dev/null 2> "$WORK/last.err" || die "building the image's first layer with umoci failed"
  for n in 1 2; do
    head -c $((NOISE_MIB << 20)) /dev/urandom > "$bundle/rootfs/noise-$n"
    umoci repack --refresh-bundle --image "$layout:bench" "$bundle" > /dev/null 2> "$WORK/last.err" ||
      die "building layer $((n + 1)) with umoci failed"
  done
  manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "bench") | .digest' "$layout/index.json")
  layers=$(jq '.layers | length' "$layout/blobs/sha256/${manifest#sha256:}")
  [ "$layers" = 3 ] || die "the image has $layers layers, not 3"
  LAYER_MIB=$(jq '[.layers[].size] | add / 1048576 | . * 10 | round / 10' "$layout/blobs/sha256/${manifest#sha256:}")
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$WORK/policy.json"
  skopeo copy --quiet --policy "$WORK/policy.json" --dest-tls-verify=false "oci:$layout:bench" "docker://$IMAGE" \
    > /dev/null 2> "$WORK/last.err" || die "skopeo copy into the registry failed"
}

# The stores as new: no container, no image, no database (podman's), no layer.
wipe_stores() {
  timeout 60 pm rm --all --force --time 0 > /dev/null 2>&1
  grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  rm -rf "$WORK/storage" "$WORK/runroot" "$WORK/libpod-tmp" "$WORK/hako"
  mkdir -p "$WORK/libpod-tmp"
}

now() { echo "${EPOCHREALTIME/./}"; } # microseconds

# timed METRIC COMMAND…: appends the microseconds COMMAND took to METRIC's file; its stdout is
# left in $WORK/last.out.
timed() {
  local metric=$1; shift
  local start end
  start=$(now)
  "$@" > "$WORK/last.out" 2> "$WORK/last.err" < /dev/null || die "failed: $*"
  end=$(now)
  echo $((end - start)) >> "$WORK/m/$metric"
}

# first_output KIND.TOOL COMMAND…: runs COMMAND, which must print exactly "hi", and appends the
# microseconds until its first line came to KIND.first.TOOL, until it had exited to KIND.exit.TOOL.
first_output() {
  local kind=${1%.*} tool=${1##*.}; shift
  local start end got first line rest
  start=$(now)
  got=$({ "$@" 2> "$WORK/last.err" < /dev/null; echo "exit $?"; } |
    { IFS= read -r line; first=$(now); rest=$(cat); printf '%s %s %s' "$first" "$line" "$rest"; })
  end=$(now)
  read -r first line rest <<< "$got"
  [ "$line $rest" = "hi exit 0" ] || die "expected \"hi\" and exit 0, got \"$line\" then \"$rest\": $*"
  echo $((first - start)) >> "$WORK/m/$kind.first.$tool"
  echo $((end - start)) >> "$WORK/m/$kind.exit.$tool"
}

# What stays beside a detached container: the processes in the bench's own network and pid
# namespaces but the bench itself (and the subshells named), and the registry (a container's
# processes are in namespaces of their own).
stayers() {
  local netns pidns proc pid ours=" $$ $BASHPID $registry_pid $* "
  netns=$(readlink /proc/self/ns/net) pidns=$(readlink /proc/self/ns/pid)
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [[ $ours == *" $pid "* ]] && continue
    [ "$(readlink "$proc/ns/net" 2>/dev/null)" = "$netns" ] && [ "$(readlink "$proc/ns/pid" 2>/dev/null)" = "$pidns" ] &&
      echo "$pid"
  done
}

# What stays, as "RSS ANON NAME[+NAME…]": VmRSS and its anonymous part (RssAnon, which no other
# process shares: the file-backed rest is mostly shared libraries) in KiB, added up.
resident() {
  local me=$BASHPID pid rss=0 anon=0 names="" key value
  for pid in $(stayers "$me"); do
    while read -r key value _; do
      case $key in VmRSS:) rss=$((rss + value)) ;; RssAnon:) anon=$((anon + value)) ;; esac
    done < "/proc/$pid/status"
    names+=${names:++}$(< "/proc/$pid/comm")
  done
  echo "$rss $anon ${names:-nothing}"
}

await_nothing_stays() {
  for _ in $(seq 100); do [ -z "$(stayers)" ] && return 0; sleep 0.1; done
  die "still running after the container was removed: $(resident)"
}

# The two tools, as the same operations.
pull() {
  case $1 in
    hako) hk pull --tls-verify=false "$IMAGE" ;;
    podman) pm pull --tls-verify=false --signature-policy "$WORK/policy.json" "$IMAGE" ;;
  esac
}
launch() { # launch TOOL NAME FLAG… -- COMMAND…
  local tool=$1 name=$2 flags=(); shift 2
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  case $tool in
    hako) hk launch "${flags[@]}" --network none --name "$name" "$IMAGE" "$@" ;;
    podman) pm run "${flags[@]}" --pull=never --network none --cgroup-parent "/$CGROUP_PARENT" --name "$name" "$IMAGE" "$@" ;;
  esac
}
status_of() {
  case $1 in
    hako) hk ps | awk -v name="$2" '$1 == name { print $NF }' ;;
    podman) pm inspect --format '{{.State.Status}}' "$2" ;;
  esac
}
remove() {
  case $1 in
    hako) hk rm -f "$2" ;;
    podman) pm rm -f -t 0 "$2" ;;
  esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_registry
build_and_push_image
for round in $(seq "$rounds"); do
  wipe_stores
  if ((round % 2)); then order="hako podman"; else order="podman hako"; fi
  for tool in $order; do timed "pull.$tool" pull "$tool"; done
  for tool in $order; do first_output "fresh.$tool" launch "$tool" "$CGROUP_PARENT-$round-fresh" --rm -- echo hi; done
  for run in 2 3; do
    for tool in $order; do first_output "cached.$tool" launch "$tool" "$CGROUP_PARENT-$round-run$run" --rm -- echo hi; done
  done
  for tool in $order; do
    name=$CGROUP_PARENT-$round-detached
    timed "detach.$tool" launch "$tool" "$name" -d -- sleep 60
    [ "$(status_of "$tool" "$name" 2> "$WORK/last.err")" = running ] || die "$tool's detached container is not running"
    read -r rss anon names <<< "$(resident)"
    echo "$rss" >> "$WORK/m/rss.$tool"
    echo "$anon" >> "$WORK/m/anon.$tool"
    echo "$names" >> "$WORK/m/stays.$tool"
    remove "$tool" "$name" > /dev/null 2> "$WORK/last.err" || die "$tool could not remove $name"
    await_nothing_stays
  done
  echo "round $round of $rounds done" >&2
done

# --- the table ------------------------------------------------------------------------------

stats() { sort -n "$WORK/m/$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1] }'; }
# row LABEL METRIC DIVISOR UNIT: the median (the minimum) of each, and hako's over podman's.
row() {
  local label=$1 metric=$2 divisor=$3 unit=$4
  awk -v label="$label" -v d="$divisor" -v unit="$unit" -v digits="$([ "$unit" = MiB ] && echo 2 || echo 1)" \
    -v h="$(stats "$metric.hako")" -v p="$(stats "$metric.podman")" 'BEGIN {
      split(h, hv, " "); split(p, pv, " "); f = "%." digits "f"
      printf "| %s | " f " %s (" f ") | " f " %s (" f ") | %.2f× |\n", label,
        hv[1] / d, unit, hv[2] / d, pv[1] / d, unit, pv[2] / d, hv[1] / pv[1]
    }'
}
{
  echo "| $IMAGE: busybox + 2 × $NOISE_MIB MiB of random bytes, 3 layers, $LAYER_MIB MiB; $rounds rounds, median (min) | hako | podman + runc | ratio |"
  echo "|---|---|---|---|"
  row "pull from a registry on loopback into an empty store" pull 1000 ms
  row "\`launch --rm IMG echo hi\` / \`run --rm\`, fresh image (just pulled): first output" fresh.first 1000 ms
  row "… until it has exited and its container is removed" fresh.exit 1000 ms
  row "the same, cached image (2nd and 3rd runs): first output" cached.first 1000 ms
  row "… until it has exited and its container is removed" cached.exit 1000 ms
  row "\`launch -d IMG sleep 60\` / \`run -d\`: until the command returns" detach 1000 ms
  echo "| what stays with a detached container besides its own processes | $(sort -u "$WORK/m/stays.hako" | paste -sd,) | $(sort -u "$WORK/m/stays.podman" | paste -sd,) | |"
  row "its resident memory (VmRSS)" rss 1024 MiB
  row "… of which its own (RssAnon; the rest is shared library pages)" anon 1024 MiB
} > "$WORK/table"
cat "$WORK/table"
{
  echo "# Images benchmark (bench/images.sh)"
  echo
  echo "$(date -u +%Y-%m-%d), hako $(git -C "$repo" describe --always --dirty 2>/dev/null), podman $(podman --version | awk '{print $3}'),"
  echo "runc $(runc --version | awk 'NR == 1 {print $3}'), conmon $(conmon --version | awk 'NR == 1 {print $3}'), Linux $(uname -r),"
  echo "$(nproc) cores, load average $load_before before and $(cut -d' ' -f1-3 /proc/loadavg) after;"
  echo "podman with overlay storage, cgroupfs, file events, --network none (hako too)."
  echo "Ratio: hako's median over podman's (below 1: hako is faster or smaller). A shared machine: the numbers are provisional."
  echo
  cat "$WORK/table"
} > "$WORK/table.md"
