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
# The image commands have a JVM set-up of their own, with the JIT and their own AOT cache
# (bin/hako-aot says why). The command is the first word that is not a global flag (or a global
# flag's value).
args=hako.args
value=
for word in "\$@"; do
  if [ -n "\$value" ]; then value=; continue; fi
  case \$word in
    --root|-root|--image-root|-image-root|--registries-conf|-registries-conf|--log|-log|--log-format|-log-format|--criu|-criu|--rootless|-rootless) value=1 ;;
    -*) ;;
    pull|image|images|rmi|prune) args=hako-images.args; break ;;
    *) break ;;
  esac
done
HAKO_LAUNCHER=$prefix/bin/hako exec "$lib/java" @"$lib/\$args" hako.Main "\$@"
END
chmod 0755 "$prefix/bin/hako.new"
mv "$prefix/bin/hako.new" "$prefix/bin/hako"
echo "installed $prefix/bin/hako ($("$prefix/bin/hako" --version | head -1))"
