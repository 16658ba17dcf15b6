#!/bin/bash
# Proves the systemd cgroup driver on a pure cgroup v2 host with systemd as PID 1: boots one
# throwaway VM (tests/vm/vm-run.sh --systemd) and runs tests/vm/systemd-checks.sh in it, which
# prints a line per check and "N passed, N failed". Builds nothing: run `mvn package` first.
# Exit status: non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
ensure_packages qemu-system-x86 linux-image-amd64 busybox-static jq systemd dbus
if [ ! -x target/java ]; then
  echo "tests/vm/systemd-run.sh: hako is not built: run 'mvn package' first" >&2
  exit 1
fi
exec tests/vm/vm-run.sh --systemd --cpus 2 --mem 2048 --timeout 900 --no-env -- tests/vm/systemd-checks.sh
