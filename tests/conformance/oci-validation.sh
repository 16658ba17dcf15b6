#!/bin/bash
# Runs the OCI runtime-tools validation suite (validation/*/*.t, 58 TAP programs; see
# ../shared/conformance/README.md) against hako and the reference runtimes, and prints one row
# per test program: test | hako | runc | crun, then the totals. A report, not a gate: exits 0
# unless this script itself broke, or with --gate when hako fails a test that another runtime
# passes.
#
# Usage: tests/conformance/oci-validation.sh [options] [RUNTIME...]
#   RUNTIME           a command name or path (default: bin/hako of this checkout, runc, crun);
#                     its column is named after the file (bin/hako -> hako)
#   --vm              run the same inside a throwaway cgroup v2 VM (tests/vm/vm-run.sh, QEMU)
#   --gate            exit 1 when hako fails a test that another runtime passes
#   --timeout SEC     time limit of one test program (default 120; 900 with --vm)
#   --vm-timeout SEC  time limit of the whole VM (default 14400)
#   --only REGEX      only the tests whose name matches (grep -E)
#   --results DIR     where the raw TAP goes (default /var/tmp/hako-conformance/results/host|vm-DATE)
#   --no-pidns        do not give each test a PID namespace of its own
#   --rebuild         rebuild the suite even when it is there
#   --report DIR      print the table of an earlier run again from its results (runs nothing)
#   -h, --help
# Environment: OCI_SUITE_ROOT (default /var/tmp/hako-conformance): the suite is extracted and
# built there once (Go 1.19 from Debian's golang-go, vendored modules, no network).
#
# Each test program runs as root from the suite's root directory, with a fresh world-readable
# TMPDIR, a state directory of its own (the runtime is called through a two-line wrapper that
# adds --root), under `timeout`, inside `unshare --net --mount --pid --fork --mount-proc`: a
# throwaway network namespace (only lo; the machine's network is never touched), a private mount
# namespace (nothing the runtimes mount outlives the test) and a PID namespace (no process
# outlives the test). Afterwards every container left in the test's state directory is deleted
# with that runtime's `delete --force`, and the cgroups the suite names (cgrouptest, testdir/...)
# or named after a leftover container's id are removed when empty; what had to be cleaned is
# written to RESULTS/RUNTIME/TEST.leaks.
#
# Verdict of one program: PASS when it exited 0, printed no "not ok" and at least one "ok" that
# is not a skip; SKIP when its only results are skips; TIMEOUT; CLEAN when it exited 0 with no
# result at all and no "error" in its YAML diagnostics (the hook tests and the *_fail tests say
# "all is well" that way: 1..0, or nothing; not counted as a pass); else FAIL. PASS* is a pass of
# linux_seccomp, linux_process_apparmor_profile or linux_mount_label by hako while it warned that
# it did not apply the field under test: it does not count in the totals. Files: RESULTS/summary.tsv, table.txt, table.md and, per
# runtime and test, TEST.tap (stdout), TEST.stderr, TEST.log (the runtime's --log, hako only).
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd -P)
SUITE_ROOT=${OCI_SUITE_ROOT:-/var/tmp/hako-conformance}
SUITE_TARBALL=${OCI_SUITE_TARBALL:-$REPO/../shared/conformance/runtime-tools-260e151.tar.gz}
SUITE=$SUITE_ROOT/runtime-tools-260e151
EXPECTED_TESTS=58

die() { echo "oci-validation: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; exit "${1:-2}"; }

# ------------------------------------------------------------------ one test (inside unshare) ----
# __one WRAPPER STATE TEST OUTPREFIX TIMEOUT HIDE_UNIFIED: PID 1 of the test's namespaces.
if [ "${1:-}" = __one ]; then
  wrapper=$2 test=$4 out=$5 limit=$6 hide_unified=$7
  # crun refuses a hybrid host whose v2 tree holds a controller; in this private mount
  # namespace only, it is shown a legacy (v1-only) host instead.
  if [ "$hide_unified" = 1 ]; then umount -l /sys/fs/cgroup/unified; fi
  # Like a machine's: lo up and a second interface (linux_cgroups_network takes the first two
  # links it finds), here a veth pair that lives and dies with this network namespace.
  ip link set lo up 2>/dev/null || true
  ip link add eth0 type veth peer name eth1 2>/dev/null || true
  cd "$SUITE"
  set +e
  RUNTIME=$wrapper timeout -k 10 "$limit" "validation/$test/$test.t" < /dev/null > "$out.tap" 2> "$out.stderr"
  echo $? > "$out.rc"
  # What the test left behind: delete it the runtime's way, while its processes still live.
  for id in $("$wrapper" list -q 2>/dev/null); do
    echo "$id" >> "$out.ids"
    echo "container $id left in the state directory: delete --force" >> "$out.leaks"
    timeout -k 5 60 "$wrapper" delete --force "$id" >> "$out.leaks" 2>&1 ||
      echo "delete --force $id failed (exit $?)" >> "$out.leaks"
  done
  # Exiting kills whatever else is left in this PID namespace.
  exit 0
fi

# ----------------------------------------------------------------------------------- options ----
VM=0 GATE=0 TIMEOUT="" VM_TIMEOUT=14400 ONLY="" RESULTS="" PIDNS=1 REBUILD=0 IN_VM=0 REPORT="" RUNTIMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vm) VM=1; shift ;;
    --in-vm) IN_VM=1; shift ;;  # internal: the VM side of --vm
    --gate) GATE=1; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --vm-timeout) VM_TIMEOUT=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-pidns) PIDNS=0; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --report) REPORT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    --) shift; RUNTIMES+=("$@"); break ;;
    -*) echo "oci-validation: unknown option $1" >&2; usage ;;
    *) RUNTIMES+=("$1"); shift ;;
  esac
done
[ "$(id -u)" = 0 ] || die "must run as root (the suite creates containers)"
source "$REPO/scripts/common.sh"
[ -n "$TIMEOUT" ] || { if [ "$VM" = 1 ] || [ "$IN_VM" = 1 ]; then TIMEOUT=900; else TIMEOUT=120; fi; }
[[ $TIMEOUT =~ ^[0-9]+$ && $VM_TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout and --vm-timeout take seconds"
DEFAULT_RUNTIMES=0
if [ ${#RUNTIMES[@]} -eq 0 ]; then RUNTIMES=("$REPO/bin/hako" runc crun); DEFAULT_RUNTIMES=1; fi

# ----------------------------------------------------------------------------- the suite ----
build_suite() {
  local n
  n=$( (ls "$SUITE"/validation/*/*.t 2>/dev/null || true) | wc -l)
  if [ "$REBUILD" = 0 ] && [ -x "$SUITE/runtimetest" ] && [ -f "$SUITE/rootfs-amd64.tar.gz" ] && [ "$n" -ge "$EXPECTED_TESTS" ]; then
    return 0
  fi
  [ "$IN_VM" = 0 ] || die "the suite is not built at $SUITE (the host side builds it)"
  [ -f "$SUITE_TARBALL" ] || die "no suite tarball at $SUITE_TARBALL"
  ensure_packages golang-go make tar gzip
  echo "oci-validation: building the suite in $SUITE" >&2
  mkdir -p "$SUITE_ROOT"
  rm -rf "$SUITE"
  tar -xzf "$SUITE_TARBALL" -C "$SUITE_ROOT"
  (cd "$SUITE" && GOFLAGS=-mod=vendor GOPROXY=off GOCACHE="$SUITE_ROOT/go-cache" \
     make runtimetest validation-executables) > "$SUITE_ROOT/build.log" 2>&1 ||
    die "building the suite failed: see $SUITE_ROOT/build.log"
}
[ -n "$REPORT" ] || build_suite
# In the VM /var/lib is an empty tmpfs: dpkg knows nothing there, and the host checked already.
if [ "$IN_VM" = 0 ] && [ -z "$REPORT" ]; then
  ensure_packages util-linux coreutils iproute2
  [ "$DEFAULT_RUNTIMES" = 0 ] || ensure_packages runc crun
fi

# ------------------------------------------------------------------------------------ --vm ----
if [ "$VM" = 1 ] && [ -z "$REPORT" ]; then
  [ -x "$REPO/target/java" ] && [ -f "$REPO/target/hako.args" ] ||
    die "hako is not built in $REPO: run 'mvn package' first"
  ensure_packages qemu-system-x86 linux-image-amd64 busybox-static
  RESULTS=${RESULTS:-$SUITE_ROOT/results/vm-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$RESULTS"
  args=(--in-vm --results "$RESULTS" --timeout "$TIMEOUT")
  [ -n "$ONLY" ] && args+=(--only "$ONLY")
  [ "$GATE" = 1 ] && args+=(--gate)
  [ "$PIDNS" = 0 ] && args+=(--no-pidns)
  for rt in "${RUNTIMES[@]}"; do
    # Paths as the VM sees them: the host's files at the same places.
    if [[ $rt == */* ]]; then args+=("$(readlink -f "$rt")"); else args+=("$rt"); fi
  done
  echo "oci-validation: booting the cgroup v2 VM (results in $RESULTS)" >&2
  start=$(date +%s)
  set +e
  (cd "$REPO" && tests/vm/vm-run.sh --cpus 2 --mem 4096 --timeout "$VM_TIMEOUT" --out "$RESULTS" --no-env \
     -- "$REPO/tests/conformance/oci-validation.sh" "${args[@]}")
  rc=$?
  set -e
  echo "oci-validation: the VM run took $(( $(date +%s) - start )) s (exit $rc)" >&2
  exit $rc
fi

# The tests of a field hako does not apply yet, and hako's warning that it did not apply it:
# a pass of one of these with that warning in the runtime's log is PASS*, not a pass.
declare -A IGNORED_FIELD=(
  [linux_seccomp]='seccomp is not applied'
  [linux_process_apparmor_profile]='apparmorProfile is not applied'
  [linux_mount_label]='(mountLabel|SELinux labels?) (is|are) not applied'
)

# verdict LABEL TEST: prints "VERDICT OK NOTOK SKIP TODO RC" for one result
verdict() {
  local out=$RESULTS/$1/$2 rc ignored=0
  rc=$(cat "$out.rc" 2>/dev/null || echo 125)
  if [ -n "${IGNORED_FIELD[$2]:-}" ] && grep -q -E "${IGNORED_FIELD[$2]}" "$out.log" 2>/dev/null; then ignored=1; fi
  awk -v rc="$rc" -v ignored="$ignored" '
    /^ok /     { ok++; if (tolower($0) ~ /# *skip/) skip++; if ($0 ~ /# *TODO/) todo++ }
    /^not ok / { notok++; if ($0 ~ /# *TODO/) todo++ }
    /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; planned = 1 }
    /^ +"error": / { diag_error++ }
    END {
      v = "PASS"
      if (rc == 124 || rc == 137) v = "TIMEOUT"
      else if (notok > 0 || rc != 0) v = "FAIL"
      else if (ok == 0 && diag_error == 0) v = "CLEAN"
      else if (ok == 0) v = "FAIL"
      else if (ok == skip) v = "SKIP"
      else if (planned && plan > ok + notok) v = "FAIL"
      if (v == "PASS" && ignored + 0 > 0) v = "PASS*"
      printf "%s %d %d %d %d %d\n", v, ok, notok, skip, todo, rc
    }' "$out.tap"
}

cell() {  # cell VERDICT OK NOTOK SKIP TODO RC
  local c=$1
  case "$1" in
    PASS|PASS\*|FAIL) c="$1 $2/$(($2 + $3))" ;;
  esac
  [ "$1" = FAIL ] && [ "$3" = 0 ] && [ "$6" != 0 ] && c="$c exit $6"
  [ "$1" = FAIL ] && [ "$2" = 0 ] && [ "$3" = 0 ] && [ "$6" = 0 ] && c="FAIL (YAML error)"
  [ "$4" != 0 ] && [ "$1" != SKIP ] && c="$c, $4 skip"
  [ "$5" != 0 ] && c="$c, $5 todo"
  echo "$c"
}

# ------------------------------------------------------------------------------ the runs ----
if [ -n "$REPORT" ]; then
  RESULTS=$(cd "$REPORT" && pwd -P) || die "no results in $REPORT"
  [ -f "$RESULTS/runtimes.tsv" ] || die "$RESULTS has no runtimes.tsv: not a results directory"
  LABELS=() PATHS=()
  while IFS=$'\t' read -r label path; do LABELS+=("$label") PATHS+=("$path"); done < "$RESULTS/runtimes.tsv"
  mapfile -t TESTS < "$RESULTS/tests.txt"
  read -r WHERE ALL_SECONDS < "$RESULTS/run.txt"
  HAKO_LABEL=${LABELS[0]}
  for l in "${LABELS[@]}"; do case "$l" in hako*) HAKO_LABEL=$l; break ;; esac; done
else
WHERE=host; [ "$IN_VM" = 1 ] && WHERE=vm
RESULTS=${RESULTS:-$SUITE_ROOT/results/$WHERE-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
# Scratch: tmpfs in the VM, where /var/tmp is an overlay over 9p.
if [ "$IN_VM" = 1 ]; then WORK=/tmp/oci-validation; else WORK=$SUITE_ROOT/run; fi
mkdir -p "$WORK"
chmod 0755 "$WORK"

LABELS=() PATHS=()
for rt in "${RUNTIMES[@]}"; do
  path=$(command -v "$rt" 2>/dev/null) || die "runtime not found: $rt"
  path=$(readlink -f "$path")
  label=$(basename "$path")
  for l in "${LABELS[@]}"; do [ "$l" != "$label" ] || label="$label-${#LABELS[@]}"; done
  LABELS+=("$label") PATHS+=("$path")
  mkdir -p "$RESULTS/$label"
done
HAKO_LABEL=${LABELS[0]}
for l in "${LABELS[@]}"; do case "$l" in hako*) HAKO_LABEL=$l; break ;; esac; done

# A hybrid cgroup host (v1 controllers, plus a v2 tree at /sys/fs/cgroup/unified) whose v2 tree
# holds a controller: crun refuses every container there ("cgroups in hybrid mode not supported").
HYBRID_WITH_CONTROLLERS=0
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] && [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
   [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
  HYBRID_WITH_CONTROLLERS=1
fi

mapfile -t TESTS < <(cd "$SUITE/validation" && for f in */*.t; do echo "${f%%/*}"; done | sort)
if [ -n "$ONLY" ]; then mapfile -t TESTS < <(printf '%s\n' "${TESTS[@]}" | grep -E -- "$ONLY" || true); fi
[ ${#TESTS[@]} -gt 0 ] || die "no test matches '$ONLY'"
printf '%s\n' "${TESTS[@]}" > "$RESULTS/tests.txt"
for i in "${!LABELS[@]}"; do printf '%s\t%s\n' "${LABELS[$i]}" "${PATHS[$i]}"; done > "$RESULTS/runtimes.tsv"

cgroup_dirs() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }

# run_one INDEX TEST: one test program against runtime INDEX; results in RESULTS/LABEL/TEST.*
run_one() {
  local i=$1 test=$2 label=${LABELS[$1]} path=${PATHS[$1]}
  local out=$RESULTS/$label/$test dir=$WORK/$label-$test hide=0 log="" ids
  rm -f "$out".*
  rm -rf --one-file-system "$dir"
  mkdir -p "$dir/state" "$dir/tmp"
  chmod 0755 "$dir" "$dir/tmp"
  # every hako (warm-modes.sh runs two): its warnings say when it did not apply a field (PASS*)
  case "$label" in hako*) log="--log $(printf %q "$out.log")" ;; esac
  printf '#!/bin/sh\nexec %q --root %q %s "$@"\n' "$path" "$dir/state" "$log" > "$dir/runtime"
  chmod 0755 "$dir/runtime"
  case "$label" in crun*) [ "$HYBRID_WITH_CONTROLLERS" = 1 ] && hide=1 ;; esac
  local before start
  before=$(cgroup_dirs)
  start=$(date +%s.%N)
  local ns=(unshare --net --mount --propagation private)
  [ "$PIDNS" = 1 ] && ns+=(--pid --fork --mount-proc)
  set +e
  TMPDIR=$dir/tmp timeout -k 10 $((TIMEOUT + 180)) "${ns[@]}" -- "$SELF" __one "$dir/runtime" "$dir/state" "$test" "$out" "$TIMEOUT" "$hide" \
    > "$out.runner" 2>&1
  local urc=$?
  set -e
  [ $urc -eq 0 ] || echo "the test's namespaces ended with exit $urc" >> "$out.leaks"
  [ -f "$out.rc" ] || echo 125 > "$out.rc"
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' > "$out.seconds"
  # Cgroups that appeared and are the suite's or a leftover container's: remove when empty.
  ids=$(cat "$out.ids" 2>/dev/null || true)
  local cg ours _
  while read -r cg; do
    [ -n "$cg" ] || continue
    ours=0
    case "$cg" in */cgrouptest|*/cgrouptest/*|*/testdir) ours=1 ;; esac
    for id in $ids; do case "/$cg/" in */"$id"/*) ours=1 ;; esac; done
    if [ $ours = 1 ]; then
      for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; [ -d "$cg" ] || break; sleep 0.5; done
      if [ -d "$cg" ]; then echo "cgroup $cg left behind (busy)" >> "$out.leaks"; else echo "cgroup $cg left behind: removed" >> "$out.leaks"; fi
    fi
  done < <(comm -13 <(echo "$before") <(cgroup_dirs) | sort -r)
  rm -rf --one-file-system "$dir"
}

echo "oci-validation: ${#TESTS[@]} tests x ${LABELS[*]} ($WHERE, limit ${TIMEOUT}s each); raw TAP in $RESULTS" >&2
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $WHERE $(uname -r); cgroup: $(stat -fc %T /sys/fs/cgroup)"
  for i in "${!LABELS[@]}"; do
    echo "# ${LABELS[$i]}: ${PATHS[$i]}: $("${PATHS[$i]}" --version 2>&1 | head -2 | tr '\n' ' ')"
  done
  [ -d "$REPO/.git" ] || [ -f "$REPO/.git" ] && echo "# hako code: $(git -C "$REPO" log -1 --format='%h %cs' -- src pom.xml bin 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD -- src pom.xml bin 2>/dev/null || echo ' (modified)') (checkout at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null))"
  [ "$HYBRID_WITH_CONTROLLERS" = 1 ] && echo "# hybrid cgroup host with controllers in the v2 tree: crun sees /sys/fs/cgroup/unified unmounted"
} > "$RESULTS/header.txt" 2>/dev/null || true
ALL_START=$(date +%s)
for test in "${TESTS[@]}"; do
  line=$test
  for i in "${!LABELS[@]}"; do
    run_one "$i" "$test"
    read -r v ok notok skip todo rc <<< "$(verdict "${LABELS[$i]}" "$test")"
    line="$line ${LABELS[$i]}=$v($(cat "$RESULTS/${LABELS[$i]}/$test.seconds")s)"
  done
  echo "$line" >&2
done
ALL_SECONDS=$(( $(date +%s) - ALL_START ))
echo "$WHERE $ALL_SECONDS" > "$RESULTS/run.txt"
fi

# ----------------------------------------------------------------------------- the table ----
summary=$RESULTS/summary.tsv
printf 'test\truntime\tverdict\tok\tnot_ok\tskip\ttodo\texit\tseconds\tfirst_failure\n' > "$summary"
declare -A PASSES CLEANS VERD
width=10
for test in "${TESTS[@]}"; do [ ${#test} -le $width ] || width=${#test}; done
cw=28
{
  printf "%-${width}s" test
  for l in "${LABELS[@]}"; do printf " | %-${cw}s" "$l"; done
  echo
  printf "%-${width}s" "" | tr ' ' -
  for l in "${LABELS[@]}"; do printf -- "-|-%-${cw}s" "" | tr ' ' -; done
  echo
} > "$RESULTS/table.txt"
{
  printf '| test |'; for l in "${LABELS[@]}"; do printf ' %s |' "$l"; done; echo
  printf '|---|'; for l in "${LABELS[@]}"; do printf -- '---|'; done; echo
} > "$RESULTS/table.md"
for test in "${TESTS[@]}"; do
  row=$(printf "%-${width}s" "$test") mdrow="| $test |"
  for l in "${LABELS[@]}"; do
    read -r v ok notok skip todo rc <<< "$(verdict "$l" "$test")"
    VERD[$l/$test]=$v
    [ "$v" = PASS ] && PASSES[$l]=$(( ${PASSES[$l]:-0} + 1 ))
    [ "$v" = CLEAN ] && CLEANS[$l]=$(( ${CLEANS[$l]:-0} + 1 ))
    c=$(cell "$v" "$ok" "$notok" "$skip" "$todo" "$rc")
    row="$row | $(printf "%-${cw}s" "$c")"
    mdrow="$mdrow $c |"
    first=""
    case "$v" in
      FAIL|TIMEOUT|SKIP)
        # The first "not ok", else the first YAML "error", else what the program said on stderr.
        first=$(grep -m1 '^not ok ' "$RESULTS/$l/$test.tap" 2>/dev/null || true)
        [ -n "$first" ] || first=$(grep -m1 -E '^ +"error": ' "$RESULTS/$l/$test.tap" 2>/dev/null | sed 's/^ *//; s/\\n.*//' || true)
        [ -n "$first" ] || first=$(grep -v -E '^\s*$|^failed to create the container$|^exit status [0-9]+$' "$RESULTS/$l/$test.stderr" 2>/dev/null |
          head -1 | cut -c1-400 || true)
        [ -n "$first" ] || first=$(grep -m1 'level=error' "$RESULTS/$l/$test.log" 2>/dev/null | sed 's/.*msg=//' | cut -c1-400 || true) ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$test" "$l" "$v" "$ok" "$notok" "$skip" "$todo" "$rc" \
      "$(cat "$RESULTS/$l/$test.seconds")" "$(echo "$first" | tr '\t' ' ')" >> "$summary"
  done
  echo "$row" >> "$RESULTS/table.txt"
  echo "$mdrow" >> "$RESULTS/table.md"
done
totals="totals:" cleans="CLEAN (no result, no error):"
sep=" "
for l in "${LABELS[@]}"; do
  if [ "$l" = "$HAKO_LABEL" ]; then totals="$totals$sep$l ${PASSES[$l]:-0} of ${#TESTS[@]}"; else totals="$totals$sep$l ${PASSES[$l]:-0}"; fi
  cleans="$cleans$sep$l ${CLEANS[$l]:-0}"
  sep=", "
done
{
  echo
  echo "$totals"
  echo "$cleans"
  echo "PASS n/m: n ok of m results; PASS*: passed while $HAKO_LABEL warned that it did not apply the field under test (not counted)"
  echo "whole run: ${ALL_SECONDS}s ($WHERE)"
} | tee -a "$RESULTS/table.txt" > /dev/null
{ echo; echo "$totals"; echo; echo "$cleans"; echo; echo "Whole run: ${ALL_SECONDS} s ($WHERE)."; } >> "$RESULTS/table.md"
cat "$RESULTS/header.txt" "$RESULTS/table.txt"
echo "raw TAP and stderr: $RESULTS/<runtime>/<test>.tap|.stderr; summary: $summary"

if [ "$GATE" = 1 ]; then
  regressions=()
  for test in "${TESTS[@]}"; do
    case "${VERD[$HAKO_LABEL/$test]}" in PASS|PASS\*|SKIP) continue ;; esac
    for l in "${LABELS[@]}"; do
      [ "$l" != "$HAKO_LABEL" ] && [ "${VERD[$l/$test]}" = PASS ] && { regressions+=("$test"); break; }
    done
  done
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "gate: $HAKO_LABEL fails ${#regressions[@]} test(s) another runtime passes: ${regressions[*]}" >&2
    exit 1
  fi
  echo "gate: $HAKO_LABEL fails no test that another runtime passes" >&2
fi
exit 0
