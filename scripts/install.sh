#!/bin/bash
# Installs a built hako (mvn package) under PREFIX (default /usr/local): the jar, its AOT caches
# and JVM options in PREFIX/lib/hako, and PREFIX/bin/hako, the command (a small static binary that
# hands calls to a warm runtime, docs/warm.md: podman and containerd call the runtime by path,
# many times per container, and it must start fast).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
[ -f target/hako.jar ] || { echo "build hako first: mvn package (see README.md)" >&2; exit 1; }
java_home=$(dirname "$(dirname "$(readlink -f target/java)")")
lib=$prefix/lib/hako
mkdir -p "$lib" "$prefix/bin"
install -m 0644 target/hako.jar "$lib/hako.jar"
# The AOT cache is tied to the jar's path: make it again for the installed jar.
bin/hako-aot "$java_home" "$lib/hako.jar"
# The command itself (src/main/c/client.c): it finds java and the args files in ../lib/hako.
install -m 0755 target/hako "$prefix/bin/hako.new"
mv "$prefix/bin/hako.new" "$prefix/bin/hako"
echo "installed $prefix/bin/hako ($("$prefix/bin/hako" --version | head -1))"
