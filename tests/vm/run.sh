#!/bin/bash
# Proves hako's cgroup v2 support on a pure cgroup v2 hierarchy: boots one throwaway VM
# (tests/vm/vm-run.sh: Debian's kernel under QEMU, the host's files read-only under an overlay)
# and runs tests/vm/checks.sh in it, which prints a line per check and "N passed, N failed".
# Builds nothing: run `mvn package` first. Exit status: non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
# apparmor: apparmor_parser, with which the checks load a profile into the VM's kernel (never the host's)
ensure_packages qemu-system-x86 linux-image-amd64 busybox-static jq apparmor
if [ ! -x target/java ] || [ ! -f target/test-classes/hako/cgroup/VmProbe.class ]; then
  echo "tests/vm/run.sh: hako is not built: run 'mvn package' first" >&2
  exit 1
fi
# Two CPUs for the cpuset check; brd gives the io checks a block device (/dev/ram0, 1:0).
exec tests/vm/vm-run.sh --cpus 2 --mem 2048 --timeout 540 --modules brd --no-env -- tests/vm/checks.sh
