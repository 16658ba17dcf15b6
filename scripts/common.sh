# Shared by hako's scripts: finding a JDK 25 and installing Debian packages that are missing.
# shellcheck shell=bash

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
find_jdk() {
  local candidate version best="" best_version=0
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -f "$candidate/release" ] && [ -x "$candidate/bin/javac" ] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      if [ "$candidate" = "${JAVA_HOME:-}" ]; then best=$candidate; break; fi
      if [ "$version" -gt "$best_version" ]; then best=$candidate; best_version=$version; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "hako needs a JDK 25 or newer (for example Temurin 25 in /usr/lib/jvm): none found; set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME=$best
}

# Installs the named Debian packages that are not installed yet (one apt-get update, only if
# needed), waiting for another apt/dpkg to finish rather than failing on its lock.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  # Packages such as docker-registry start a daemon on the host when installed on a systemd
  # machine; the tests start their own in throwaway namespaces. policy-rc.d (exit 101: "not
  # allowed") keeps installs from starting any, only while they run, unless one is there already.
  local policy=/usr/sbin/policy-rc.d ours=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && ours=1
  fi
  local status=0
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq || status=$?
  [ $status -eq 0 ] && { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?; }
  [ -n "$ours" ] && rm -f "$policy"
  return $status
}

# What building hako needs: Maven, and musl for the small static stage binary.
BUILD_PACKAGES=(maven musl-tools)
# What running hako needs besides a JDK: libseccomp (libseccomp.so.2), which compiles linux.seccomp;
# libzstd (libzstd.so.1), which decompresses zstd layers and tarballs; libsystemd (libsystemd.so.0),
# whose sd-bus talks to systemd for the systemd cgroup driver.
RUNTIME_PACKAGES=(libseccomp2 libzstd1 libsystemd0)

# Maven's own libraries call sun.misc.Unsafe; JDK 25 warns about it on every build. Harmless.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
