#!/bin/bash
# critest in the cgroup v2 VM: tests/clients/critest.sh (cri-tools v1.26.1's CRI validation suite
# through containerd 1.6, runc as the baseline, then hako, on one containerd) booted in a throwaway
# VM whose controllers are all cgroup v2's, so that every limit critest sets is enforced and none
# can be waved through by the host policy, and whose kernel has AppArmor (securityfs mounted there:
# critest then runs its AppArmor cases, and containerd gives every container its default profile).
# cgroupfs, as critest's pods have no cgroup parent (the systemd driver needs one, which only
# kubelet gives: tests/vm/cri-systemd.sh).
#
# Usage (root): tests/vm/critest.sh [HAKO]       HAKO: default bin/hako (the warm path)
#   CRITEST_FOCUS, CRITEST_KEEP as for tests/clients/critest.sh
# A long run, not part of .ci/run: the VM is software emulation here (about half an hour).
# Exit status: critest.sh's (1 when a case runc passes fails with hako).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
ensure_packages qemu-system-x86 linux-image-amd64 busybox-static containerd runc golang-go \
  containernetworking-plugins iptables catatonit jq util-linux iproute2 docker-registry skopeo \
  musl-tools procps apparmor
[ -x target/java ] || { echo "tests/vm/critest.sh: run 'mvn package' first" >&2; exit 1; }
# What the VM cannot do offline is done here: cri-tools built, Debian's busybox fetched.
WORK=/tmp RESULTS=/dev/null source tests/clients/lib.sh
source tests/clients/cri-lib.sh
cri_build_tools crictl critest
ls "$CRI_CACHE"/debs/busybox_*.deb >/dev/null 2>&1 ||
  { mkdir -p "$CRI_CACHE/debs" && (cd "$CRI_CACHE/debs" && apt-get download -q busybox); }
# dpkg's database is the host's (--keep-var-lib): the packages are installed above.
# A warm runtime that outlives critest's gaps (a one-shot call costs seconds in the VM).
exec tests/vm/vm-run.sh --cpus 2 --mem 4096 --timeout "${VM_TIMEOUT:-9000}" --no-env --keep-var-lib \
  ${CRITEST_KEEP:+--out "$CRITEST_KEEP"} -- \
  env HAKO_WARM_IDLE=120 CRITEST_TIMEOUT=8400 ${CRITEST_FOCUS:+CRITEST_FOCUS="$CRITEST_FOCUS"} \
  ${CRITEST_KEEP:+CRITEST_KEEP="$CRITEST_KEEP"} \
  sh -c 'mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security; exec "$@"' \
  critest tests/clients/critest.sh "${1:-bin/hako}"
