#!/bin/bash
# Builds hako and runs a demo container from a busybox root filesystem that it prepares itself.
# Run as root on Debian 12 with a JDK 25: sudo ./scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" busybox-static
find_jdk
mvn -q -B package -DskipTests >&2

bundle=$(mktemp -d /tmp/hako-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
scripts/busybox-rootfs.sh "$bundle/rootfs"
bin/hako spec --bundle "$bundle"

echo "== the plan: what hako will ask the kernel to do"
bin/hako plan --bundle "$bundle" | head -20
echo "   …"
echo "== inside the container"
# The default process is sh, so the demo types its commands into the container's shell.
printf 'echo "hostname: $(hostname)"\necho "processes it sees:"\nps -o pid,user,args\n' \
  | bin/hako run --bundle "$bundle" "demo-$$"
echo "== the container has exited, and hako removed it"
