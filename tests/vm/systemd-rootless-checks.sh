#!/bin/bash
# Runs inside the cgroup v2 VM with systemd as PID 1 (tests/vm/systemd-run.sh), as root: the
# systemd cgroup driver's rootless path. Makes the user hakouser (uid 1000), starts its
# systemd --user (user@1000.service, with its session bus at /run/user/1000/bus), and runs the
# same checks as that user with runc (the baseline) and with hako, on the default (warm) path
# and with HAKO_WARM=0 (one-shot): run, create (the scope in the user's manager, delegated, the
# init in it), the limits systemd --user can take, pause/resume, update, delete, a limit whose
# controller the user is not given, no session bus. Each check prints "pass NAME" or
# "FAIL NAME: why", and last "N passed, N failed"; exits 1 when one failed.
# Needs the tree built (mvn package), runc, jq, setpriv and dbus-user-session.
set -uo pipefail
cd "$(dirname "$0")/../.."
HAKO=$PWD/bin/hako
CG=/sys/fs/cgroup
ID=1000
NAME=hakouser
RUNDIR=/run/user/$ID
# where systemd puts the user's manager, and so every unit of systemd --user
MANAGER=/user.slice/user-$ID.slice/user@$ID.service
TOP=/tmp/vm-rootless
source tests/vm/check-lib.sh
await() { local i; for i in $(seq 1 300); do grep -q "${2:-.}" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
field() { sed -n "s/^$2 //p" "$1"; }
ms() { date +%s%N | cut -c1-13; }
# said FILE: what a runtime printed, less runc's warnings (level=warning: runc 1.1 skips
# /dev/char/10:200 for systemd's device list on every run; hako must say nothing)
said() { grep -v 'level=warning' "$1"; }

# ---------------------------------------------------------------- the user and its systemd --user
# The VM's root is a throwaway overlay of the host's: a host user that has uid 1000 gives it up.
other=$(getent passwd $ID | cut -d: -f1)
if [ "$other" != $NAME ]; then
  [ -n "$other" ] && userdel "$other"
  useradd -m -u $ID -s /bin/sh $NAME || { echo "FAIL useradd -u $ID $NAME"; exit 1; }
fi
GID=$(id -g $NAME)
# Ranges for newuidmap, should a bundle map more than the user's own id (runc spec --rootless
# maps the one id, which the user may map itself: the checks need none).
grep -q "^$NAME:" /etc/subuid 2>/dev/null || echo "$NAME:200000:65536" >> /etc/subuid
grep -q "^$NAME:" /etc/subgid 2>/dev/null || echo "$NAME:200000:65536" >> /etc/subgid
# user@.service opens a PAM session (PAMName=systemd-user); a host image without systemd's PAM
# file gets Debian's, less the SELinux and loginuid lines.
if [ ! -e /etc/pam.d/systemd-user ]; then
  printf '@include common-account\nsession required pam_limits.so\n@include common-session-noninteractive\nsession optional pam_systemd.so\n' \
    > /etc/pam.d/systemd-user
fi
systemctl start user@$ID.service || { systemctl status --no-pager user@$ID.service; echo "FAIL starting user@$ID.service"; exit 1; }
for _ in $(seq 1 300); do [ -S $RUNDIR/bus ] && break; sleep 0.1; done
expect_true "systemd --user runs, its session bus at $RUNDIR/bus" "no socket" [ -S $RUNDIR/bus ]
# What the system manager delegates to the user's (user@.service's Delegate=): the controllers
# of its cgroup are all systemd --user can enable for a unit, and all a rootless limit can use.
delegated=$(cat $CG$MANAGER/cgroup.controllers)
echo "user@$ID.service ($(systemctl show -P Delegate user@$ID.service | tr -d '\n'); Delegate=$(systemctl show -P DelegateControllers user@$ID.service)) gives the user: $delegated"
# A controller the root of the tree has and the user is not given (Debian 12: cpuset, io).
for c in cpuset io; do
  if grep -qw $c $CG/cgroup.controllers && ! grep -qw $c <<< "$delegated"; then undelegated=$c; break; fi
done

# as_user COMMAND...: as hakouser, in its systemd --user's environment (and $EXTRA_ENV)
as_user() {
  setpriv --reuid=$ID --regid="$GID" --init-groups env -i PATH="$PATH" HOME=/home/$NAME USER=$NAME LOGNAME=$NAME \
    XDG_RUNTIME_DIR=$RUNDIR DBUS_SESSION_BUS_ADDRESS=unix:path=$RUNDIR/bus "${EXTRA_ENV[@]}" "$@"
}
# show UNIT PROPERTY: the user's systemd's value
show() { as_user systemctl --user show -P "$2" "$1"; }
# gone UNIT: until the user's systemd has no such unit loaded (10 s at most)
gone() { local i; for i in $(seq 1 100); do [ "$(show "$1" LoadState)" = not-found ] && return 0; sleep 0.1; done; return 1; }

mkdir -p $TOP
chmod 755 $TOP
scripts/busybox-rootfs.sh $TOP/rootfs
# the bundles bind /io: a rootless runtime cannot make the mount point in a root-owned rootfs
mkdir -p $TOP/rootfs/io

# lifecycle LABEL PREFIX: the created container web, in its scope: the unit, the limits, start,
# pause, resume, update, delete (rt, show and W are those of checks)
lifecycle() {
  local L=$1 prefix=$2
  local unit=$prefix-web.scope
  local cgroup; cgroup=$(show $unit ControlGroup)
  expect "$L: the unit $unit is active, in the user's user.slice, delegated" \
    "$(show $unit ActiveState) $(show $unit Slice) $(show $unit Delegate)" "active user.slice yes"
  expect "$L: its cgroup is in the user's manager" "$cgroup" "$MANAGER/user.slice/$unit"
  local pid; pid=$(rt state web | jq -r .pid)
  expect "$L: init is in that cgroup, alone" "$(cat /proc/$pid/cgroup 2>&1) $(cat $CG$cgroup/cgroup.procs 2>&1 | tr '\n' ' ')" "0::$cgroup $pid "
  if [ $prefix = hako ]; then
    # the path the calls take: a warm runtime of the user's, or none with HAKO_WARM=0
    local path; path=$(as_user env HAKO_WARM_TRACE=1 "${runtime[@]}" --root "$W/state" state web 2>&1 >/dev/null)
    if [ "${EXTRA_ENV[*]}" = HAKO_WARM=0 ]; then expect "$L: the calls are one-shot (HAKO_WARM_TRACE says nothing)" "$path" ""
    else expect_true "$L: the calls are the user's warm runtime's (HAKO_WARM_TRACE: served)" "'$path'" grep -q ': served$' <<< "$path"; fi
    expect "$L: the state names the unit and its cgroup" "$(jq -r '.systemdUnit + " " + .cgroup' "$W/state/web/state.json")" "$unit $CG$cgroup"
  fi
  expect "$L: systemd --user has the limits: MemoryMax TasksMax CPUQuotaPerSecUSec" \
    "$(show $unit MemoryMax) $(show $unit TasksMax) $(show $unit CPUQuotaPerSecUSec)" "67108864 32 500ms"
  expect "$L: the scope's files: memory.max pids.max cpu.max" \
    "$(cat $CG$cgroup/memory.max $CG$cgroup/pids.max $CG$cgroup/cpu.max 2>&1 | tr '\n' ' ')" "67108864 32 50000 100000 "

  # ---- start, pause, resume
  rt start web
  expect_true "$L: start: the process runs" "no tick in $W/web.io" await "$W/web.io/tick"
  rt pause web
  expect "$L: pause freezes the scope" "$(field $CG$cgroup/cgroup.events frozen) $(rt state web | jq -r .status)" "1 paused"
  local before after tick
  before=$(cat "$W/web.io/tick"); sleep 1; after=$(cat "$W/web.io/tick")
  expect "$L: a paused container does not run" "$after" "$before"
  rt resume web
  for _ in $(seq 50); do tick=$(cat "$W/web.io/tick"); [ -n "$tick" ] && [ "$tick" != "$after" ] && break; sleep 0.1; done
  expect_true "$L: resume thaws it" "tick stays '$after'" [ -n "$tick" -a "$tick" != "$after" ]

  # ---- update: SetUnitProperties on the user's bus, and the files
  rt update --memory 134217728 --pids-limit 64 web
  expect "$L: update: systemd --user's MemoryMax and TasksMax" "$(show $unit MemoryMax) $(show $unit TasksMax)" "134217728 64"
  expect "$L: update: memory.max and pids.max" "$(cat $CG$cgroup/memory.max $CG$cgroup/pids.max 2>&1 | tr '\n' ' ')" "134217728 64 "

  # ---- delete --force: unit gone, cgroup gone
  rt delete --force web
  expect_true "$L: delete stops the unit: LoadState not-found" "LoadState $(show $unit LoadState)" gone $unit
  expect "$L: delete: the scope's cgroup is gone" "$(ls -d $CG$cgroup 2>/dev/null)" ""
}

# checks LABEL PREFIX RUNTIME...: the checks for one runtime (its units are PREFIX-ID.scope)
checks() {
  local L=$1 prefix=$2; shift 2
  local runtime=("$@")
  W=$TOP/$L
  mkdir -p "$W"
  chown $ID:"$GID" "$W"
  rt() { as_user "${runtime[@]}" --root "$W/state" --systemd-cgroup "$@"; }
  # the bundle runc spec --rootless writes (the user's own id mapped to root, no network
  # namespace, /sys bound; on cgroup v2 a cgroup namespace), with the busybox root, no terminal
  as_user sh -c "cd '$W' && runc spec --rootless"
  jq --arg rootfs $TOP/rootfs '.root.path = $rootfs | .process.terminal = false
      | .linux.namespaces |= (if any(.type == "cgroup") then . else . + [{"type": "cgroup"}] end)' "$W/config.json" > "$W/base.json"
  mk() { bundle "$@"; chown -R $ID:"$GID" "$W/$1" "$W/$1.io"; }
  echo "# $L: $(as_user "${runtime[@]}" --version | head -1), as $(as_user id -un) (uid $(as_user id -u))${EXTRA_ENV[*]:+, ${EXTRA_ENV[*]}}"

  # ---- run in the foreground: the exit code, the cgroup namespace, nothing left after
  mk fg '.process.args = ["sh", "-c", "cat /proc/self/cgroup; exit 3"]'
  rt run --bundle "$W/fg" fg < /dev/null > "$W/fg.out" 2>&1
  expect "$L: run: the exit code, and the process saw its cgroup namespace's root" "$? $(said "$W/fg.out")" "3 0::/"
  expect_true "$L: run: the unit $prefix-fg.scope is gone after" "LoadState $(show $prefix-fg.scope LoadState)" gone $prefix-fg.scope

  if [ $prefix = hako ]; then
    # hako's own rootless bundle too
    mkdir -p "$W/own"; chown $ID:"$GID" "$W/own"
    as_user "${runtime[@]}" spec --rootless --bundle "$W/own"
    jq --arg rootfs $TOP/rootfs '.root.path = $rootfs | .process.terminal = false | .process.args = ["sh", "-c", "cat /proc/self/cgroup; exit 4"]' \
      "$W/own/config.json" > "$W/own/c" && mv "$W/own/c" "$W/own/config.json"
    rt run --bundle "$W/own" own < /dev/null > "$W/own.out" 2>&1
    expect "$L: run with hako spec --rootless's bundle" "$? $(said "$W/own.out")" "4 0::/"
  fi

  # ---- create: the scope in the user's manager, delegated, with the limits, the init in it
  mk web '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 32}, "cpu": {"quota": 50000, "period": 100000}}
    | .process.args = ["sh", "-c", "n=0; while :; do n=$((n+1)); echo $n > /io/tick; sleep 0.2; done"]'
  rt create --bundle "$W/web" web < /dev/null > "$W/web.out" 2>&1; code=$?
  expect "$L: create exits 0" "$code $(said "$W/web.out")" "0 "
  if [ $code = 0 ]; then lifecycle "$L" "$prefix"; else fail "$L: the scope, start, pause, update, delete" "skipped: no container"; fi
  # ---- a limit of a controller the user is not given
  if [ -n "${undelegated:-}" ]; then
    local limit what file
    case $undelegated in
      cpuset) limit='{"cpu": {"cpus": "0"}}' what=linux.resources.cpu.cpus file=cpuset.cpus ;;
      io) limit='{"blockIO": {"weight": 500}}' what=linux.resources.blockIO.weight file=io.weight ;;
    esac
    mk undelegated ".linux.resources = $limit | .process.args = [\"sleep\", \"300\"]"
    rt create --bundle "$W/undelegated" undelegated < /dev/null > "$W/undelegated.out" 2>&1; code=$?
    out=$(said "$W/undelegated.out")
    echo "# $L: a $undelegated limit ($limit), which user@$ID.service does not delegate: exit $code: $out"
    if [ $prefix = hako ]; then
      expect "$L: a limit of a controller not delegated is refused in one line, before systemd is asked" "$code $out" \
        "1 hako: creating container \"undelegated\": config.json: $what: needs the cgroup v2 $undelegated controller, which systemd does not delegate to this user's systemd --user ($MANAGER has $delegated: see Delegate= of user@.service); set [cgroup] unenforceable-limits = \"warn\" in /etc/hako/hako.toml to run without it"
    else
      # runc starts the unit (systemd --user takes AllowedCPUs, enables no cpuset), then fails
      # writing cpuset.cpus itself
      expect_true "$L: a limit of a controller not delegated fails create (after the unit's start: $file missing)" "exit $code: $out" \
        grep -q "$file: no such file or directory" <<< "$out"
    fi
    expect_true "$L: ... and leaves no unit" "LoadState $(show $prefix-undelegated.scope LoadState)" gone $prefix-undelegated.scope
    rt delete --force undelegated > /dev/null 2>&1
  else
    echo "# $L: user@$ID.service is given every controller of the tree: no limit to refuse"
  fi

  # ---- no session bus to reach
  mk nobus '.process.args = ["true"]'
  mkdir -p "$W/empty"; chown $ID:"$GID" "$W/empty"
  out=$(as_user env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$W/empty" "${runtime[@]}" --root "$W/state" --systemd-cgroup \
    run --bundle "$W/nobus" nobus 2>&1 < /dev/null); code=$?
  echo "# $L: no session bus: exit $code: $out"
  if [ $prefix = hako ]; then
    expect "$L: no session bus to reach: one line naming it" "$code $out" \
      "1 hako: running container \"nobus\": the systemd cgroup driver needs systemd's D-Bus: connecting to $W/empty/bus: no such file or directory"
  else
    expect_true "$L: no session bus to reach: an error" "exit $code: $out" grep -q 'failed to connect to dbus' <<< "$out"
  fi

  # ---- cost: create + start + delete --force of a container running true, COST_RUNS rounds
  mk quick '.process.args = ["true"]'
  : > "$W/cost"
  for _ in $(seq 1 "${COST_RUNS:-3}"); do
    local t0; t0=$(ms)
    { rt create --bundle "$W/quick" q && rt start q && rt delete --force q; } < /dev/null > /dev/null 2>&1 || fail "$L: create+start+delete" "failed"
    echo $(( $(ms) - t0 )) >> "$W/cost"
  done
  sort -n "$W/cost" | awk -v l="$L" '{a[NR]=$1} END {printf "cost: %s: create+start+delete: min %d ms, median %d ms (n=%d)\n", l, a[1], a[int((NR+1)/2)], NR}'

  expect "$L: nothing of $L's left in the user's user.slice, no state" \
    "$(ls -d $CG$MANAGER/user.slice/$prefix-*.scope 2>/dev/null) $(ls "$W/state" 2>/dev/null)" " "
}

EXTRA_ENV=()
checks runc runc runc
checks hako-warm hako "$HAKO"
EXTRA_ENV=(HAKO_WARM=0)
checks hako-oneshot hako "$HAKO"
EXTRA_ENV=()

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
