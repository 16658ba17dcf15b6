#!/bin/bash
# Proves that `tests/vm/vm-run.sh --systemd` boots systemd as PID 1 with a system D-Bus, as the
# systemd cgroup driver's tests (issue 11) need it: in one VM, PID 1 is systemd, a transient
# scope started through systemd lands in its own cgroup under system.slice, and the bus answers.
# Exit status: non-zero when one of the three does not hold.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
ensure_packages qemu-system-x86 linux-image-amd64 busybox-static systemd dbus
status=0
out=$(tests/vm/vm-run.sh --systemd --timeout 300 --no-env -- sh -c \
  'cat /proc/1/comm; systemd-run --scope --unit=t1 cat /proc/self/cgroup; busctl status >/dev/null && echo bus') || status=$?
expected=$'systemd\n0::/system.slice/t1.scope\nbus'
if [ "$status" != 0 ] || [ "$out" != "$expected" ]; then
  printf 'tests/vm/systemd-smoke.sh: FAIL (exit %s): got\n%s\nexpected\n%s\n' "$status" "$out" "$expected" >&2
  exit 1
fi
echo "tests/vm/systemd-smoke.sh: pass (systemd is PID 1, scope t1 in system.slice, system bus up)"
