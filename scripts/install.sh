#!/bin/bash
# Installs a built hako (mvn package) under PREFIX (default /usr/local): the jar and its AOT cache
# in PREFIX/lib/hako, and PREFIX/bin/hako, a launcher with every path written in (podman and
# containerd call the runtime by path, many times per container: it must start fast).
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
cat > "$prefix/bin/hako.new" <<END
#!/bin/sh
# the JIT for the image commands, which hash and unpack hundreds of megabytes (see bin/hako)
jit=
for arg; do case \$arg in image|prune|pull) jit=-Xmixed; break ;; esac; done
HAKO_LAUNCHER=$prefix/bin/hako exec "$lib/java" @"$lib/hako.args" \$jit hako.Main "\$@"
END
chmod 0755 "$prefix/bin/hako.new"
mv "$prefix/bin/hako.new" "$prefix/bin/hako"
echo "installed $prefix/bin/hako ($("$prefix/bin/hako" --version | head -1))"
