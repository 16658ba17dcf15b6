# Shared by the tests and the benchmark that drive containerd's CRI (cri.sh, critest.sh,
# bench/cri-pods.sh): cri-tools built offline, the CNI conflist, containerd's CRI tables with the
# runtime handlers runc and hako, crictl's configuration and the pause image.
# shellcheck shell=bash
# Needs lib.sh sourced first (clients_oci_archive_of, capture) and, for most functions, $WORK.

CRI_CACHE=${CRI_CACHE:-/var/tmp/hako-cri}
CRI_TOOLS=${CRI_TOOLS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/conformance/cri-tools-v1.26.1.tar.gz}
CRICTL=$CRI_CACHE/bin/crictl
CRITEST=$CRI_CACHE/bin/critest
PAUSE_IMAGE=${PAUSE_IMAGE:-docker.io/hako/pause:catatonit}
# Pods' addresses (the CNI bridge's range, inside the test's network namespace only).
CRI_SUBNET=10.88.0.0/16

# cri_build_tools crictl [critest]: builds the tools named from the vendored source of cri-tools,
# offline, with Debian's Go, into $CRI_CACHE/bin; each is rebuilt only when the tarball changes
# (its sha256 is kept beside the binary). crictl is `go build ./cmd/crictl`; critest is the test
# binary of ./cmd/critest (`go test -c`), as upstream's Makefile makes it.
cri_build_tools() {
  local sum tool
  [ -f "$CRI_TOOLS" ] || { echo "no cri-tools source at $CRI_TOOLS" >&2; return 1; }
  sum=$(sha256sum "$CRI_TOOLS" | cut -d' ' -f1)
  for tool in "$@"; do
    [ -x "$CRI_CACHE/bin/$tool" ] && [ "$(cat "$CRI_CACHE/bin/$tool.source" 2>/dev/null)" = "$sum" ] && continue
    if [ "$(cat "$CRI_CACHE/src/.source" 2>/dev/null)" != "$sum" ]; then
      rm -rf "$CRI_CACHE/src" && mkdir -p "$CRI_CACHE/src" "$CRI_CACHE/bin" || return 1
      tar -xzf "$CRI_TOOLS" -C "$CRI_CACHE/src" --strip-components 1 || return 1
      echo "$sum" > "$CRI_CACHE/src/.source"
    fi
    echo "# building $tool from $CRI_TOOLS (a few minutes the first time)" >&2
    (
      cd "$CRI_CACHE/src" || exit 1
      export GOFLAGS=-mod=vendor GOPROXY=off CGO_ENABLED=0 GOCACHE=$CRI_CACHE/gocache
      case $tool in
        crictl) go build -o "$CRI_CACHE/bin/$tool.new" ./cmd/crictl ;;
        critest) go test -c -o "$CRI_CACHE/bin/$tool.new" ./cmd/critest ;;
        *) echo "unknown cri-tools binary: $tool" >&2; exit 1 ;;
      esac
    ) >&2 || return 1
    mv "$CRI_CACHE/bin/$tool.new" "$CRI_CACHE/bin/$tool" && echo "$sum" > "$CRI_CACHE/bin/$tool.source"
  done
}

# The CNI configuration, in $WORK/cni: Debian's bridge (cni0, a gateway, hairpin), host-local
# addresses from $CRI_SUBNET (data in the work dir), portmap and loopback.
cri_write_cni() {
  mkdir -p "$WORK/cni"
  cat > "$WORK/cni/10-hako.conflist" <<END
{
  "cniVersion": "1.0.0",
  "name": "hako-cri",
  "plugins": [
    { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$CRI_SUBNET" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$WORK/cni-ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
END
}

# cri_toml HAKO [EXTRA]: containerd's CRI tables: the pause image, overlayfs, the handlers runc
# (the default, Debian's runc) and hako (BinaryName = HAKO), both io.containerd.runc.v2 with
# cgroupfs (CRI_SYSTEMD_CGROUP=true: the systemd driver, both), the CNI of cri_write_cni, and
# EXTRA (more of the CRI's tables) appended.
cri_toml() {
  cat <<END
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # No CAP_SYS_RESOURCE here: the pause container's -998 is clamped to containerd's own score.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = ${CRI_SYSTEMD_CGROUP:-false}
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako.options]
        BinaryName = "$1"
        SystemdCgroup = ${CRI_SYSTEMD_CGROUP:-false}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$WORK/cni"
    max_conf_num = 1
${2:-}
END
}

# crictl's configuration ($WORK/crictl.yaml: the private socket) and `cr` on PATH ($WORK/tools).
cri_write_crictl() {
  mkdir -p "$WORK/tools"
  cat > "$WORK/crictl.yaml" <<END
runtime-endpoint: unix://$WORK/containerd.sock
image-endpoint: unix://$WORK/containerd.sock
timeout: 60
END
  cat > "$WORK/tools/cr" <<END
#!/bin/sh
exec $CRICTL --config $WORK/crictl.yaml "\$@"
END
  chmod 755 "$WORK/tools/cr"
  export PATH=$WORK/tools:$PATH
}

# The pause image as an OCI archive (OUT): Debian's static catatonit, run as `catatonit -P`
# (a pause process: it only reaps), user 65535 as kubernetes' pause image.
cri_pause_archive() {
  local rootfs
  rootfs=$(mktemp -d "$WORK/pause-rootfs.XXXXXX")
  cp /usr/bin/catatonit "$rootfs/catatonit"
  clients_oci_archive_of "$rootfs" "$1" "$PAUSE_IMAGE" '"Entrypoint":["/catatonit","-P"],"User":"65535:65535"'
  rm -rf "$rootfs"
}
