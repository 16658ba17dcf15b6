#!/bin/bash
# Faults and load for hako, with numbers:
#   usage: tests/faults/run.sh [--rounds N] [--load N] [--commands create,start,exec,delete]
#                              [--modes plain,net,hostmnt] [--keep] [HAKO]
#
# 1. Kill points. hako is killed with SIGKILL at a random moment of `create`, `start`, `exec` and
#    `delete`, each in three modes: `plain` (the spec's own namespaces), `net` (the bundle
#    annotations dev.hako.network=bridge and dev.hako.publish) and `hostmnt` (no mount namespace:
#    the rootfs's mounts are made where hako runs), N rounds of each (default 10: 120 kill
#    points). The delays are spread from 0 to 1.2 times the command's own duration, measured
#    just before (one stratum of that range per round). Then `hako delete --force ID`, and the
#    check that nothing of the container is left: process, mount, cgroup, state directory, link,
#    nft element or rule, address record, lock; and that a bystander container is untouched.
# 2. Load. N containers (default 50) with a network and a published port each, created all at
#    once, then started all at once: all running, no address, veth or port given twice, every
#    hosts file naming all N; then deleted all at once: nothing left, no lock held. The wall times
#    of the three steps are printed.
#
# Everything runs inside a throwaway network and mount namespace (unshare -n -m), with its own
# --root under a private temporary directory and its own container ids: the machine's network,
# routes, firewall and sysctls are never touched. A PASS/FAIL line per kill point and per check,
# a summary table, `N passed, N failed`; exit status 1 on any failure. As root.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../clients/lib.sh
source "$repo/tests/clients/lib.sh"
KNOWN_GAPS=""     # every failure here counts: none is a known gap

ROUNDS=10 LOAD=50 KEEP=0 HAKO=$repo/bin/hako COMMANDS=create,start,exec,delete MODES=plain,net,hostmnt
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --load) LOAD=$2; shift 2 ;;
    --commands) COMMANDS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --inner) INNER=1; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) HAKO=$1; shift ;;
  esac
done

# ------------------------------------------------------------------------------ outer half
if [ -z "${INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "run as root: containers, cgroups and namespaces are made" >&2; exit 2; }
  for tool in unshare ip nft jq fuser timeout busybox; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
  done
  HAKO=$(clients_resolve_runtime "$HAKO")
  WORK=$(mktemp -d /tmp/hako-faults.XXXXXX)
  RESULTS=$WORK/results
  : > "$RESULTS"
  # Container ids of this run only: leak checks look at these and nothing else of the machine's.
  PREFIX=hf$(printf '%04x' $((RANDOM % 65536)))
  export WORK RESULTS PREFIX HAKO ROUNDS LOAD
  echo "hako: $HAKO; work: $WORK; ids: $PREFIX-*; $ROUNDS rounds per command and mode; load $LOAD"
  started=$(date +%s)
  unshare -n -m --propagation private "$0" --inner --rounds "$ROUNDS" --load "$LOAD" --commands "$COMMANDS" --modes "$MODES" "$HAKO"
  inner_rc=$?
  [ "$inner_rc" -le 1 ] || fail "the run inside the namespaces ended with status $inner_rc"

  # Back in the machine's namespaces: nothing of ours may be left here either.
  if grep -qF "$WORK" /proc/self/mountinfo; then
    fail "outside: no mount under $WORK in the machine's mount namespace" "$(grep -F "$WORK" /proc/self/mountinfo)"
  else
    pass "outside: no mount under $WORK in the machine's mount namespace"
  fi
  left=""
  for proc in /proc/[0-9]*; do
    [[ $proc/root -ef $WORK/rootfs || $proc/root -ef $WORK/rootfs-hostmnt || $proc/root -ef $WORK/rootfs-bystander ]] && left+="${proc#/proc/}: $(tr '\0' ' ' < "$proc/cmdline" 2>/dev/null)"$'\n'
  done
  if [ -z "$left" ]; then pass "outside: no process rooted in the test's rootfs"
  else fail "outside: no process rooted in the test's rootfs" "$left"; fi
  cgroups=$(find /sys/fs/cgroup/ -maxdepth 4 -type d -name "$PREFIX-*" 2>/dev/null)
  if [ -z "$cgroups" ]; then pass "outside: no cgroup of the test's containers"
  else fail "outside: no cgroup of the test's containers" "$cgroups"; fi

  [ -f "$WORK/summary" ] && cat "$WORK/summary"
  echo "run time: $(( $(date +%s) - started )) s"
  clients_summary; status=$?
  if [ "$KEEP" -eq 1 ] || [ "$status" -ne 0 ]; then
    echo "work directory kept: $WORK (round logs in $WORK/logs)"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
fi

# ------------------------------------------------------------------------------ inner half
# Here: a new network namespace (lo only) and a private mount namespace; $$ is this script.
ip link set lo up
ROOT=$WORK/state
NETROOT=$ROOT-network
LOGS=$WORK/logs
POINTS=$WORK/points.tsv
mkdir -p "$LOGS"
: > "$POINTS"
CGROUP_TREE=/sys/fs/cgroup/unified/hako
[ -d /sys/fs/cgroup/unified ] || CGROUP_TREE=/sys/fs/cgroup/hako

h() { "$HAKO" --root "$ROOT" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The bundles share one rootfs (root.path absolute), so that "rooted in the test's rootfs" is one
# test; but hostmnt's, whose mounts are made in this namespace, where every later container's
# mount namespace would copy them from.
"$repo/scripts/busybox-rootfs.sh" "$WORK/rootfs"
mkdir -p "$WORK/spec"
h spec --bundle "$WORK/spec" || { fail "hako spec"; exit 1; }
# bundle DIR ANNOTATIONS-JSON ARGS-JSON
bundle() {
  mkdir -p "$1"
  jq --arg root "$WORK/rootfs" --argjson annotations "$2" --argjson args "$3" \
    '.root.path = $root | .process.args = $args | .annotations = $annotations' \
    "$WORK/spec/config.json" > "$1/config.json"
}
bundle "$WORK/bundle-plain" '{}' '["sleep","600"]'
bundle "$WORK/bundle-net" '{"dev.hako.network":"bridge","dev.hako.publish":"18080:80"}' '["sleep","600"]'
cp -a "$WORK/rootfs" "$WORK/rootfs-hostmnt"
bundle "$WORK/bundle-hostmnt" '{}' '["sleep","600"]'
# Without a mount namespace there is nothing to mask, make read-only or pivot into.
jq --arg root "$WORK/rootfs-hostmnt" '.root.path = $root | .root.readonly = false | .linux.maskedPaths = []
    | .linux.readonlyPaths = [] | .linux.namespaces |= map(select(.type != "mount"))' \
  "$WORK/bundle-hostmnt/config.json" > "$WORK/hostmnt.json" && mv "$WORK/hostmnt.json" "$WORK/bundle-hostmnt/config.json"
# A bystander on the same network through all the kill points, from a rootfs of its own: the
# faults of others must not touch its record, rules, hosts file or process.
BYSTANDER=$PREFIX-bystander
cp -a "$WORK/rootfs" "$WORK/rootfs-bystander"
bundle "$WORK/bundle-bystander" '{"dev.hako.network":"bridge","dev.hako.publish":"18081:80"}' '["sleep","600"]'
jq --arg root "$WORK/rootfs-bystander" '.root.path = $root' "$WORK/bundle-bystander/config.json" > "$WORK/bystander.json" &&
  mv "$WORK/bystander.json" "$WORK/bundle-bystander/config.json"

# --- what must not be left --------------------------------------------------------------------

# Whether PID is this script or one of its own children (subshells, pipelines): what hako
# starts and leaves is never ours, its parent being killed (or ended) before any check.
ours() {
  local pid=$1 stat rest
  while [ "$pid" -gt 1 ]; do
    [ "$pid" = "$$" ] && return 0
    read -r stat < "/proc/$pid/stat" 2>/dev/null || return 1
    rest=${stat##*) }          # after the command name, which may hold spaces and parentheses
    set -- $rest
    pid=$2
  done
  return 1
}

# Processes of the test: in this network or mount namespace (but this script's own), or rooted
# in the test's rootfs (a container's, after pivot_root), or in the given cgroup directories.
leftover_processes() {
  local proc pid dir
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    if [[ $proc/ns/net -ef /proc/$$/ns/net || $proc/ns/mnt -ef /proc/$$/ns/mnt ||
          $proc/root -ef $WORK/rootfs || $proc/root -ef $WORK/rootfs-hostmnt ]]; then
      ours "$pid" && continue
      [ -e "$proc" ] && printf '%s: %s\n' "$pid" "$(tr '\0' ' ' < "$proc/cmdline" 2>/dev/null)"
    fi
  done
  for dir in "$@"; do
    [ -f "$dir/cgroup.procs" ] && sed 's/$/: in '"${dir//\//\\/}"'/' "$dir/cgroup.procs"
  done
}

# The links, nft ruleset and records of a clean namespace, taken once the network exists.
baseline() {
  ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort > "$WORK/links.base"
  nft list ruleset > "$WORK/nft.base"
}

# Locks that some process holds on a file of the work directory (/proc/locks names the inode).
held_locks() {
  local dev inodes
  dev=$(stat -c %d "$NETROOT/lock" 2>/dev/null) || return 0
  # /proc/locks writes the device as MAJOR:MINOR in hex, as the kernel's new_encode_dev splits it.
  dev=$(printf '%02x:%02x' $(( (dev >> 8) & 0xfff )) $(( (dev & 0xff) | ((dev >> 12) & 0xfff00) )))
  inodes=$(find "$WORK" -xdev \( -path "$WORK/rootfs*" -prune \) -o -printf '%i\n' 2>/dev/null | sort -u)
  awk -v dev="$dev" 'NR == FNR { ours[$1] = 1; next }
    { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9a-f]+:[0-9a-f]+:[0-9]+$/) {
        split($i, f, ":"); if (f[1] ":" f[2] == dev && (f[3] in ours)) print } }' \
    <(printf '%s\n' "$inodes") /proc/locks
  fuser "$NETROOT/lock" 2>/dev/null | tr -s ' ' | sed -n 's/^ *\(.\+\)$/fuser: \1/p'
}

# leaks ID [CGROUP]: prints one line per thing left of container ID (nothing when clean).
leaks() {
  local id=$1 cgroup=${2:-} out
  local dirs=("$CGROUP_TREE/$id")
  [ -n "$cgroup" ] && [ "$cgroup" != "$CGROUP_TREE/$id" ] && dirs+=("$cgroup")
  out=$(leftover_processes "${dirs[@]}")
  [ -n "$out" ] && printf 'process %s\n' "$out"
  for dir in "${dirs[@]}"; do [ -d "$dir" ] && echo "cgroup $dir"; done
  grep -F "$WORK" /proc/self/mountinfo | sed 's/^/mount /'
  [ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')"
  ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | comm -13 "$WORK/links.base" - | sed 's/^/link /'
  nft list ruleset | diff "$WORK/nft.base" - | grep '^[<>]' | sed 's/^/nft /'
  ls -A "$NETROOT/containers" 2>/dev/null | grep -vx "$BYSTANDER.json" | sed "s|^|address record $NETROOT/containers/|"
  held_locks | sed 's/^/lock /'
}

# --- timing -------------------------------------------------------------------------------------

# timed VAR COMMAND…: how long a command took, in ms, into VAR; its status in $RC.
timed() {
  local var=$1 t0 t1; shift
  t0=$(date +%s%N)
  "$@" > "$LOGS/timing.out" 2>&1; RC=$?
  t1=$(date +%s%N)
  printf -v "$var" '%d' $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure MODE CYCLES [SKIP]: the four commands' durations (medians of CYCLES cycles of create,
# start, exec true, delete --force, after SKIP unmeasured ones) into T[COMMAND,MODE].
declare -A T
measure() {
  local mode=$1 cycles=$2 skip=${3:-0} i id c s e d
  local cs=() ss=() es=() ds=()
  for i in $(seq $((1 - skip)) "$cycles"); do
    id=$PREFIX-warm-$mode-$((++WARM))
    timed c h create --bundle "$WORK/bundle-$mode" "$id"; [ "$RC" -eq 0 ] || { fail "warm-up: create $id" "$(cat "$LOGS/timing.out")"; return 1; }
    timed s h start "$id"; [ "$RC" -eq 0 ] || { fail "warm-up: start $id" "$(cat "$LOGS/timing.out")"; return 1; }
    timed e h exec "$id" true; [ "$RC" -eq 0 ] || { fail "warm-up: exec $id" "$(cat "$LOGS/timing.out")"; return 1; }
    timed d h delete --force "$id"; [ "$RC" -eq 0 ] || { fail "warm-up: delete $id" "$(cat "$LOGS/timing.out")"; return 1; }
    [ "$i" -ge 1 ] && cs+=("$c") ss+=("$s") es+=("$e") ds+=("$d")
  done
  T[create,$mode]=$(printf '%s\n' "${cs[@]}" | median)
  T[start,$mode]=$(printf '%s\n' "${ss[@]}" | median)
  T[exec,$mode]=$(printf '%s\n' "${es[@]}" | median)
  T[delete,$mode]=$(printf '%s\n' "${ds[@]}" | median)
  echo "durations ($mode, median of $cycles): create ${T[create,$mode]} ms, start ${T[start,$mode]} ms, exec ${T[exec,$mode]} ms, delete --force ${T[delete,$mode]} ms"
}

# --- one kill point ----------------------------------------------------------------------------

# await_status ID STATUS: up to 5 s.
await_status() {
  local i
  for i in $(seq 50); do
    [ "$(h state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# kill_point COMMAND MODE ROUND: sets up the container, runs COMMAND in the background, SIGKILLs
# it after a delay in stratum ROUND of [0, 1.2 × its duration], then delete --force and checks.
kill_point() {
  local command=$1 mode=$2 round=$3
  local id=$PREFIX-$command-$mode-$round bundle=$WORK/bundle-$mode log=$LOGS/$PREFIX-$command-$mode-$round
  local span=$(( ${T[$command,$mode]} * 12 / 10 )) variant="" args=() delay pid rc outcome status cgroup
  # Stratified: round r of N draws its delay from [r, r+1) × span / N.
  delay=$(( (round * span + RANDOM % 1000 * span / 1000) / ROUNDS ))
  case $command in
    create) args=(create --bundle "$bundle" "$id") ;;
    start) args=(start "$id") ;;
    exec)
      case $(( round % 3 )) in
        0) variant="true"; args=(exec "$id" true) ;;
        1) variant="sleep 60"; args=(exec "$id" sleep 60) ;;
        2) variant="-d sleep 60"; args=(exec -d "$id" sleep 60) ;;
      esac ;;
    delete)
      if [ $(( round % 2 )) -eq 0 ]; then variant="--force, running"; args=(delete --force "$id")
      else variant="stopped"; args=(delete "$id"); fi ;;
  esac
  # The container the command needs, made without faults.
  if [ "$command" != create ]; then
    h create --bundle "$bundle" "$id" > "$log.setup" 2>&1 || { fail "$command/$mode #$round: setup: create" "$(cat "$log.setup")"; return; }
    if [ "$command" != start ]; then
      h start "$id" >> "$log.setup" 2>&1 || { fail "$command/$mode #$round: setup: start" "$(cat "$log.setup")"; return; }
    fi
    if [ "$variant" = stopped ]; then
      h kill "$id" KILL >> "$log.setup" 2>&1 && await_status "$id" stopped ||
        { fail "$command/$mode #$round: setup: stop" "$(cat "$log.setup")"; return; }
    fi
  fi

  "$HAKO" --root "$ROOT" "${args[@]}" > "$log.out" 2>&1 < /dev/null &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null; rc=$?
  if [ "$rc" -eq 137 ]; then outcome=killed
  else outcome="ended first (rc $rc)"; fi

  # What the kill left, as hako says it, and the cgroup the state names.
  status=$(h state "$id" 2>&1 | jq -r .status 2>/dev/null) || status="no state"
  [ -n "$status" ] || status="no state"
  if [ "$status" = "no state" ] && [ -d "$ROOT/$id" ]; then
    status="no state.json; dir has: $(ls -A "$ROOT/$id" | tr '\n' ' ' | sed 's/ $//')"
  fi
  cgroup=$(jq -r '.cgroup // empty' "$ROOT/$id/state.json" 2>/dev/null)

  local t0 drc dmsg left
  t0=$(now_ms)
  dmsg=$(timeout -k 5 60 "$HAKO" --root "$ROOT" delete --force "$id" 2>&1 < /dev/null); drc=$?
  local dtime=$(( $(now_ms) - t0 ))
  left=$(leaks "$id" "$cgroup"; bystander_intact)
  local name="$command${variant:+ ($variant)}/$mode #$round: SIGKILL at ${delay}ms of ~${T[$command,$mode]}ms, $outcome, then '$status'"
  local details=""
  [ "$drc" -eq 0 ] || details+="delete --force failed (rc $drc): $dmsg"$'\n'
  [ -n "$dmsg" ] && [ "$drc" -eq 0 ] && details+="delete --force said: $dmsg"$'\n'
  [ -n "$left" ] && details+="left after delete --force:"$'\n'"$left"$'\n'
  if [ "$drc" -eq 0 ] && [ -z "$left" ]; then
    pass "$name; delete --force ok (${dtime}ms)${dmsg:+: $dmsg}"
  else
    fail "$name; delete --force rc $drc" "$details"
    clean_up "$id" "$cgroup"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$command" "$mode" "$delay" "$outcome" "$status" "$drc" \
    "$(printf '%s' "$dmsg" | tr '\t\n' '  ')" "$(printf '%s' "$left" | awk '{print $1}' | sort -u | tr '\n' ' ')" >> "$POINTS"
}

# After a failed point: removes what was left so that the next points start clean (a leak is
# reported once). Only what is this container's: its processes, cgroup, state and record.
clean_up() {
  local id=$1 cgroup=$2 dir pid
  for dir in "$CGROUP_TREE/$id" $cgroup; do
    if [ -d "$dir" ]; then
      echo 1 > "$dir/cgroup.kill" 2>/dev/null
      for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      sleep 0.2
      find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
    fi
  done
  h network gc > /dev/null 2>&1     # dead records: veth, rules and address together
  rm -rf "${ROOT:?}/$id"
  # Anything still rooted in the rootfs is a container of ours whose cgroup is gone.
  for pid in $(leftover_processes | cut -d: -f1); do kill -KILL "$pid" 2>/dev/null; done
  # Mounts of a container without a mount namespace of its own, made in this one: deepest first.
  grep -F "$WORK/rootfs" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | while read -r mount; do umount -l "$mount"; done
  baseline_drift=$(leaks "$id" "$cgroup")
  if [ -n "$baseline_drift" ]; then
    echo "      (cleanup after this point could not remove: $(echo "$baseline_drift" | tr '\n' ';'); new baseline taken)"
    baseline
  fi
}

# --- load ---------------------------------------------------------------------------------------

# parallel STEP ARGS-FUNCTION: runs `hako $(ARGS-FUNCTION i)` for every container at once; prints the wall time.
parallel() {
  local step=$1 i t0 pids=()
  t0=$(date +%s%N)
  for i in $(seq "$LOAD"); do
    ( "$HAKO" --root "$ROOT" $($2 "$i") > "$LOGS/load-$step-$i.out" 2>&1 < /dev/null; echo $? > "$LOGS/load-$step-$i.rc" ) &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
load_id() { echo "$PREFIX-load-$1"; }
create_args() { echo "create --bundle $WORK/load/b$1 $(load_id "$1")"; }
start_args() { echo "start $(load_id "$1")"; }
delete_args() { echo "delete --force $(load_id "$1")"; }

# all_ok STEP: pass when every container's STEP returned 0.
all_ok() {
  local step=$1 i bad=""
  for i in $(seq "$LOAD"); do
    [ "$(cat "$LOGS/load-$step-$i.rc" 2>/dev/null)" = 0 ] || bad+="$(load_id "$i"): rc $(cat "$LOGS/load-$step-$i.rc" 2>/dev/null): $(head -c 300 "$LOGS/load-$step-$i.out")"$'\n'
  done
  if [ -z "$bad" ]; then pass "load: $LOAD ${step}s at once, all succeeded (${WALL[$step]} ms wall)"
  else fail "load: $LOAD ${step}s at once, all succeeded (${WALL[$step]} ms wall)" "$bad"; fi
}

declare -A WALL
load() {
  local i ports
  for i in $(seq "$LOAD"); do
    bundle "$WORK/load/b$i" "{\"dev.hako.network\":\"bridge\",\"dev.hako.publish\":\"$((20000 + i)):80\"}" '["sleep","600"]'
  done
  WALL[create]=$(parallel create create_args); all_ok create
  local listed
  listed=$(h list --format json | jq -r --arg p "$PREFIX-load-" '[.[] | select(.id | startswith($p))] | map(.status) | group_by(.) | map("\(.[0])=\(length)") | join(" ")')
  check "load: after the creates, hako list shows all $LOAD created" "created=$LOAD" "$listed"
  WALL[start]=$(parallel start start_args); all_ok start
  listed=$(h list --format json | jq -r --arg p "$PREFIX-load-" '[.[] | select(.id | startswith($p))] | map(.status) | group_by(.) | map("\(.[0])=\(length)") | join(" ")')
  check "load: after the starts, hako list shows all $LOAD running" "running=$LOAD" "$listed"

  # The records: one per container, every address, veth and port once.
  local records="$NETROOT/containers"
  check "load: $LOAD address records" "$LOAD" "$(ls "$records" | grep -c "^$PREFIX-load-")"
  for field in address veth key; do
    local dup
    dup=$(jq -r ".$field" "$records"/*.json | sort | uniq -d)
    check "load: no $field given twice" "" "$dup"
  done
  check "load: no host port given twice" "" "$(jq -r '.ports[]' "$records"/*.json | cut -d: -f1 | sort | uniq -d)"
  # What each container has on eth0, from inside (hako exec), against its record: in parallel too.
  local t0 mismatch="" seen
  t0=$(date +%s%N)
  for i in $(seq "$LOAD"); do
    ( h exec "$(load_id "$i")" ip -4 -o addr show eth0 > "$LOGS/load-ip-$i.out" 2>&1 ) &
  done
  wait
  WALL[exec]=$(( ($(date +%s%N) - t0) / 1000000 ))
  for i in $(seq "$LOAD"); do
    local want got
    want=$(jq -r .address "$records/$(load_id "$i").json" 2>/dev/null)
    got=$(awk '{ split($4, a, "/"); print a[1] }' "$LOGS/load-ip-$i.out")
    [ -n "$want" ] && [ "$want" = "$got" ] || mismatch+="$(load_id "$i"): record $want, eth0 '$got' $(head -c 200 "$LOGS/load-ip-$i.out")"$'\n'
  done
  seen=$(cat "$LOGS"/load-ip-*.out | awk '{ split($4, a, "/"); print a[1] }' | sort | uniq -d)
  check "load: every container's eth0 has its recorded address (${WALL[exec]} ms for $LOAD execs at once)" "" "$mismatch"
  check "load: no address seen twice inside the containers" "" "$seen"
  # Each hosts file names every container of the network: none was lost in the parallel rewrites.
  local short=""
  for i in $(seq "$LOAD"); do
    local n
    n=$(grep -c "$PREFIX-load-" "$ROOT/$(load_id "$i")/hosts" 2>/dev/null)
    [ "$n" = "$LOAD" ] || short+="$(load_id "$i"): $n names"$'\n'
  done
  check "load: every hosts file names all $LOAD containers" "" "$short"
  ports=$(nft -j list map inet hako published 2>/dev/null | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add // 0')
  check "load: $LOAD published ports in hako's map" "$LOAD" "$ports"
  local alive=""
  for i in $(seq "$LOAD"); do
    local pid
    pid=$(jq -r .pid "$ROOT/$(load_id "$i")/state.json" 2>/dev/null)
    [[ -n $pid && /proc/$pid/root -ef $WORK/rootfs ]] || alive+="$(load_id "$i"): init $pid not running in the rootfs"$'\n'
  done
  check "load: every container's init is alive" "" "$alive"

  WALL[delete]=$(parallel delete delete_args); all_ok delete
  local left="" l
  for i in $(seq "$LOAD"); do
    l=$(leaks "$(load_id "$i")" | grep -v '^lock ')
    [ -n "$l" ] && left+="$l"$'\n'
  done
  check "load: nothing left after the $LOAD deletes" "" "$(printf '%s' "$left" | sort -u)"
  check "load: no lock on hako's files held by any process" "" "$(held_locks)"
  check "load: no process holds a file of the state roots open" "" \
    "$(find /proc/[0-9]*/fd -maxdepth 1 -type l -lname "$ROOT*" -printf '%p -> %l\n' 2>/dev/null)"
}

# --- the run --------------------------------------------------------------------------------------

# Interrupted or not, the containers of this run go: every one hako still lists, then whatever of
# theirs is left (the namespaces take the links and rules with them).
finish() {
  local id dir
  for id in $(h list -q 2>/dev/null); do h delete --force "$id" > /dev/null 2>&1; done
  for pid in $(leftover_processes | cut -d: -f1); do kill -KILL "$pid" 2>/dev/null; done
  for dir in "$CGROUP_TREE/$PREFIX"-*; do
    [ -d "$dir" ] && clean_up "$(basename "$dir")" "" > /dev/null
  done
  grep -F "$WORK/rootfs" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | while read -r mount; do umount -l "$mount"; done
}
trap finish EXIT
trap 'exit 130' INT TERM

# The first cycle is slower (page cache, the AOT cache's first mapping): not measured.
WARM=0
measure plain 3 1 || exit 1
measure net 3 1 || exit 1
baseline
cp "$WORK/links.base" "$WORK/links.empty"; cp "$WORK/nft.base" "$WORK/nft.empty"
h run -d --bundle "$WORK/bundle-bystander" "$BYSTANDER" > "$LOGS/bystander.out" 2>&1 ||
  { fail "the bystander container starts" "$(cat "$LOGS/bystander.out")"; exit 1; }
bystander_record=$(cat "$NETROOT/containers/$BYSTANDER.json")
bystander_hosts=$(cat "$ROOT/$BYSTANDER/hosts")
bystander_pid=$(h state "$BYSTANDER" | jq -r .pid)
baseline
left=$(leaks "$PREFIX-warm-net-$WARM")
check "warm-up: create, start, exec, delete --force leave nothing" "" "$left"

# bystander_intact: prints what changed of the bystander (nothing when intact).
bystander_intact() {
  [ "$(h state "$BYSTANDER" 2>&1 | jq -r .status 2>/dev/null)" = running ] || echo "bystander: not running"
  [[ /proc/$bystander_pid/root -ef $WORK/rootfs-bystander ]] || echo "bystander: init $bystander_pid gone"
  [ "$(cat "$NETROOT/containers/$BYSTANDER.json" 2>/dev/null)" = "$bystander_record" ] || echo "bystander: address record changed"
  [ "$(cat "$ROOT/$BYSTANDER/hosts" 2>/dev/null)" = "$bystander_hosts" ] ||
    echo "bystander: hosts file changed: $(tr '\n' ';' < "$ROOT/$BYSTANDER/hosts")"
}

for command in ${COMMANDS//,/ }; do
  case $command in create|start|exec|delete) ;; *) fail "unknown command in --commands: $command"; continue ;; esac
  for mode in ${MODES//,/ }; do
    case $mode in plain|net|hostmnt) ;; *) fail "unknown mode in --modes: $mode"; continue ;; esac
    # Durations drift with the machine's load: measured again where they are used.
    measure "$mode" 3 > /dev/null || exit 1
    echo "$command/$mode: ~${T[$command,$mode]} ms; SIGKILL from 0 to $(( ${T[$command,$mode]} * 12 / 10 )) ms"
    for round in $(seq 0 $((ROUNDS - 1))); do
      kill_point "$command" "$mode" "$round"
    done
  done
done

check "the bystander went through the kill points untouched" "" "$(bystander_intact)"
h delete --force "$BYSTANDER" > "$LOGS/bystander.out" 2>&1 || fail "the bystander is deleted" "$(cat "$LOGS/bystander.out")"
BYSTANDER=none
cp "$WORK/links.empty" "$WORK/links.base"; cp "$WORK/nft.empty" "$WORK/nft.base"
check "nothing left once the bystander is deleted" "" "$(leaks "$PREFIX-bystander"; leftover_processes)"

[ "$LOAD" -gt 0 ] && load

{
  echo
  echo "kill points (delete --force after each; 'left' counts points with anything left):"
  printf '  %-8s %-6s %7s %7s %13s %10s %6s\n' command mode points killed "ended first" "delete err" left
  awk -F'\t' '{ k = $1 "\t" $2; n[k]++; if ($4 == "killed") kd[k]++; else ef[k]++; if ($6 != 0) de[k]++; if ($8 != "") l[k]++; order[k] = NR }
    END { for (k in n) { split(k, a, "\t"); printf "  %-8s %-6s %7d %7d %13d %10d %6d\n", a[1], a[2], n[k], kd[k], ef[k], de[k], l[k] } }' "$POINTS" | sort
  awk -F'\t' '{ n++; if ($4 == "killed") k++; if ($8 != "") l++; if ($6 != 0) d++ }
    END { printf "  %-15s %7d %7d %13d %10d %6d\n", "total", n, k, n - k, d, l }' "$POINTS"
  echo "what each kill left before delete --force (hako state):"
  awk -F'\t' '{ s = $5; sub(/;.*/, "", s); n[$1 ": " s]++ } END { for (k in n) printf "  %-40s %d\n", k, n[k] }' "$POINTS" | sort
  awk -F'\t' '$8 != "" { print $8 }' "$POINTS" | tr ' ' '\n' | grep -v '^$' | sort | uniq -c | sed 's/^/  leaked kind: /'
  if [ "$LOAD" -gt 0 ]; then
    echo "load: $LOAD containers with a network: create ${WALL[create]:-?} ms, start ${WALL[start]:-?} ms, exec ${WALL[exec]:-?} ms, delete ${WALL[delete]:-?} ms (wall, all at once)"
  fi
} | tee "$WORK/summary.tmp" > /dev/null
mv "$WORK/summary.tmp" "$WORK/summary"

# Leave nothing: the networks hako made in this namespace go with it, but remove them properly.
for network in $(h network ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do h network rm "$network" > /dev/null 2>&1; done
exit 0
