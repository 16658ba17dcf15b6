#!/bin/bash
# Proves the systemd cgroup driver on a pure cgroup v2 host with systemd as PID 1: boots one
# throwaway VM (tests/vm/vm-run.sh --systemd) and runs in it tests/vm/systemd-checks.sh (root,
# the system's systemd) and tests/vm/systemd-rootless-checks.sh (a user's systemd --user, hako
# and runc), each printing a line per check and "N passed, N failed". Builds nothing: run
# `mvn package` first. Usage: systemd-run.sh [root|rootless] (default: both).
# Exit status: non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
ensure_packages qemu-system-x86 linux-image-amd64 busybox-static jq systemd dbus dbus-user-session libpam-systemd runc util-linux
if [ ! -x target/java ]; then
  echo "tests/vm/systemd-run.sh: hako is not built: run 'mvn package' first" >&2
  exit 1
fi
case "${1:-both}" in
  root) checks='tests/vm/systemd-checks.sh' ;;
  rootless) checks='tests/vm/systemd-rootless-checks.sh' ;;
  both) checks='tests/vm/systemd-checks.sh; root=$?; echo; tests/vm/systemd-rootless-checks.sh && [ $root = 0 ]' ;;
  *) echo "usage: tests/vm/systemd-run.sh [root|rootless]" >&2; exit 2 ;;
esac
exec tests/vm/vm-run.sh --systemd --cpus 2 --mem 2048 --timeout 1800 --no-env -- bash -c "$checks"
