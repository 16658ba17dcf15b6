#!/bin/bash
# Runs hako's whole test suite: unit tests, then integration tests as root on the real kernel.
# On a fresh Debian 12 machine with a JDK 25: sudo ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
# procps: kill(1) and ps(1), which the tests and `hako ps` call; runc and crun write the bundles
# (`runc spec`, `crun spec`) that ForeignBundlesIT runs, and runc runs them too to compare;
# uidmap (newuidmap/newgidmap) and passwd (useradd) for RootlessIT, which runs as a user it makes;
# umoci, skopeo and zstd write the OCI layouts, archives and zstd tarballs that ImageIT loads;
# PullIT's registries: docker-registry (distribution 2.8) filled by skopeo, htpasswd (apache2-utils)
# for its auth, openssl for its self-signed certificate, curl to see it is up;
# conmon watches LaunchIT's detached containers, catatonit is --init's process;
# dbus-daemon is SdBusTest's private bus
ensure_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" busybox-static nftables iproute2 procps runc crun util-linux uidmap passwd \
  umoci skopeo zstd docker-registry apache2-utils openssl curl conmon catatonit dbus-daemon
find_jdk
exec mvn -B verify "$@"
