#!/bin/bash
# What the systemd cgroup driver's D-Bus conversation costs a fresh hako JVM (its own options and
# AOT cache, -Xint): hako.sys.SdBusCost, N times (default 15), against a fake systemd on a
# private dbus-daemon (hako.sys.SystemdFakeMain, in a JVM of its own). Prints the minimum and
# median of: connect (sd_bus_open_system), conversation (StartTransientUnit awaited,
# ControlGroup, StopUnit awaited) and their total. PREPARED=prepared makes the sd-bus handles
# before the clock starts, to tell their making from the rest. Needs `mvn package` and
# dbus-daemon; touches nothing of the machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
T=target; N=${1:-15}
[ -x $T/java ] && [ -f $T/test-classes/hako/sys/SdBusCost.class ] || { echo "tests/sdbus-cost.sh: run 'mvn package' first" >&2; exit 1; }
opts=$(grep -v '^-cp$' $T/hako.args | grep -v 'hako.jar"$' | tr -d '"' | tr '\n' ' ')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
coproc FAKE { exec $T/java --enable-native-access=ALL-UNNAMED -cp $T/classes:$T/test-classes hako.sys.SystemdFakeMain; }
read -r addr <&"${FAKE[0]}"
# the AOT cache takes the class path it was made with, extended: hako.jar first
for i in $(seq 1 "$N"); do
  DBUS_SYSTEM_BUS_ADDRESS=$addr $T/java $opts -cp $T/hako.jar:$T/test-classes hako.sys.SdBusCost ${PREPARED:-}
done > "$out"
exec {FAKE[1]}>&-
wait
for f in connect conversation total; do
  sed -n "s/.*$f \([0-9.]*\) ms.*/\1/p" "$out" | sort -n | awk -v f=$f '{a[NR]=$1} END {printf "%s: min %.1f median %.1f ms (n=%d)\n", f, a[1], a[int((NR+1)/2)], NR}'
done
