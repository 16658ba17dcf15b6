#!/bin/bash
# critest, the CRI validation suite of cri-tools v1.26.1, through containerd 1.6's CRI plugin,
# once with the runtime handler runc (the baseline) and once with hako, on the same containerd in
# the same run. Prints each case's result for both, the differences, and a PASS/FAIL line per
# case for hako: a case fails when runc passes it and hako does not. Exits 1 when one does
# (unless KNOWN_GAPS, an extended regular expression, names it: counted apart, as cri.sh does).
#
# Usage (root): tests/clients/critest.sh [HAKO]      HAKO: hako's launcher (default bin/hako)
#   CRITEST_FOCUS=REGEX   runs only the cases whose names match (ginkgo's -focus), to iterate
#   CRITEST_KEEP=DIR      keeps both JSON reports and critest's logs in DIR
#
# Everything runs in a throwaway network, mount and IPC namespace (critest's HostIpc cases make
# System V shared memory segments "on the host" and never remove them: here that host is the
# test's own IPC namespace, which containerd and its HostIpc pods share): containerd with its own
# config, the CNI bridge, and a registry of its own: critest pulls its images by name from
# registry.k8s.io and gcr.io, which cannot be reached here, so equivalents are built offline
# (busybox rootfs of scripts/busybox-rootfs.sh, stand-ins for nginx and nonewprivs compiled with
# musl from tests/clients/critest-images/, the users and groups critest checks), pushed with
# skopeo into Debian's docker-registry on 127.0.0.1:5000 in that namespace, and containerd's CRI
# resolves those registries' names to it (hosts.toml under config_path). The pause image is
# imported (catatonit -P). hako runs under a host policy file saying
# [cgroup] unenforceable-limits = "warn" (containerd's cpu.shares on every pause container, on a
# host whose cpu controller is cgroup v1's). critest is built once, offline (cri-lib.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/clients/lib.sh
source "$here/lib.sh"
# shellcheck source=tests/clients/cri-lib.sh
source "$here/cri-lib.sh"

REGISTRY=127.0.0.1:5000
# The names critest v1.26.1 pulls (pkg/framework/util.go, pkg/validate/consts.go,
# security_context_linux.go, multi_container_linux.go); the digest one is skipped (see SKIPS).
E2E=e2e-test-images
STAGING=k8s-staging-cri-tools

# Cases that cannot run here, each with its reason (ginkgo -skip regexes; one per line: REGEX|REASON).
SKIPS=(
  "public image with digest should be pulled and removed|pulls gcr.io/k8s-staging-cri-tools/test-image-digest@sha256:9700f9a2…: a manifest digest, which no image built offline can have"
)

# ---------------------------------------------------------------- outer half: machine namespaces
if [ -z "${CLIENTS_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "critest.sh must run as root" >&2; exit 2; }
  clients_ensure_packages containerd runc golang-go containernetworking-plugins iptables catatonit \
    busybox-static jq util-linux iproute2 docker-registry skopeo musl-tools procps
  hako=$(clients_resolve_runtime "${1:-$repo/bin/hako}") || exit 2
  cri_build_tools crictl critest || { echo "building cri-tools failed" >&2; exit 2; }
  # Debian's dynamic busybox for critest's default image (busybox_files), fetched here, once:
  # the inner half runs in a network namespace of its own, with no way out.
  ls "$CRI_CACHE"/debs/busybox_*.deb > /dev/null 2>&1 || { mkdir -p "$CRI_CACHE/debs" && (cd "$CRI_CACHE/debs" && apt-get download -q busybox); } \
    || { echo "apt-get download busybox failed" >&2; exit 2; }
  WORK=$(mktemp -d /tmp/hako-critest.XXXXXX)
  export WORK RESULTS=$WORK/results
  : > "$RESULTS"
  # critest's pods have no cgroup_parent: containerd gives each pod and container the cgroup
  # /k8s.io/ID (cgroupfs). What appears there during the run is this run's; /k8s.io itself, the
  # parent the runtimes make and leave (as for any CRI pod), goes too where this run made it.
  k8s_cgroups() { find /sys/fs/cgroup/*/k8s.io -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort; }
  cgroups_before=$(k8s_cgroups)
  parents_before=$(find /sys/fs/cgroup/*/k8s.io -maxdepth 0 -type d 2>/dev/null)
  started=$(date +%s)
  echo "# containerd $(containerd --version | awk '{print $3}') (CRI), critest of $(basename "$CRI_TOOLS" .tar.gz), runc $(runc --version | awk 'NR==1{print $3}') against $hako, work dir $WORK"
  network_before=$(clients_host_network)
  trap 'echo "interrupted: checking for leftovers" >&2' INT TERM
  CLIENTS_INNER=1 timeout --foreground -k 10 "${CRITEST_TIMEOUT:-5400}" \
    unshare --net --mount --ipc --propagation private -- "$self" "$hako"
  inner=$?
  [ "$inner" -le 1 ] && [ -e "$WORK/inner-done" ] ||
    fail "critest ran to its end for both runtimes (inner half exited with $inner)"
  check "the machine's links, addresses, routes, nft ruleset and forwarding are unchanged" \
    "$network_before" "$(clients_host_network)"
  mapfile -t ours < <(comm -13 <(echo "$cgroups_before") <(k8s_cgroups) | sed 's|^/sys/fs/cgroup/[^/]*/||' | sort -u)
  CLIENT_CGROUPS_ARE_LEAVES=1 clients_leak_check "${ours[@]}"
  for parent in /sys/fs/cgroup/*/k8s.io; do
    [ -d "$parent" ] && ! grep -qxF "$parent" <<< "$parents_before" && rmdir "$parent" 2>/dev/null
  done
  clients_finish
fi

# ---------------------------------------------------------------- inner half: private namespaces
hako=$1
clients_private_namespaces
[ -d /etc/hako ] && mount -t tmpfs -o mode=755 clients-etc-hako /etc/hako
mkdir -p "$WORK/tmp" "$WORK/tools" "$WORK/registry" "$WORK/certs.d" "$WORK/reports"
export TMPDIR=$WORK/tmp NAMESPACE=k8s.io
cat > "$WORK/hako.toml" <<END
[cgroup]
unenforceable-limits = "warn"
END
export HAKO_CONFIG=$WORK/hako.toml
# Where AppArmor is enabled (the VM), critest loads its profiles with `sudo apparmor_parser`:
# this is root already.
if ! command -v sudo > /dev/null; then
  printf '#!/bin/sh\nexec "$@"\n' > "$WORK/tools/sudo" && chmod 755 "$WORK/tools/sudo"
  export PATH=$WORK/tools:$PATH
fi
client_runtime=$(clients_runtime_for_client "$hako" "$WORK/bin")

# ---- the registry, filled with images built here -----------------------------------------------
cat > "$WORK/registry.yml" <<END
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
END
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
registry_pid=$!

stop_all() {
  [ -n "${containerd_pid:-}" ] && { timeout 300 cr rmp --force --all >/dev/null 2>&1; clients_containerd_stop; }
  kill -TERM "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null
}
trap stop_all EXIT

for _ in $(seq 100); do busybox wget -q -O /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.1; done
if busybox wget -q -O /dev/null "http://$REGISTRY/v2/" 2>/dev/null; then pass "docker-registry answers on $REGISTRY (in the test's network namespace)"
else fail "docker-registry answers on $REGISTRY (in the test's network namespace)" "$(tail -n 20 "$WORK/registry.log")"; exit 1; fi

# The base: busybox with the users of busybox's own image that critest's images name (www-data).
"$repo/scripts/busybox-rootfs.sh" "$WORK/base" >/dev/null
# Hard links for the applets, as in busybox's image: critest masks /bin/ls (MaskedPaths), which
# through a symbolic link would mask busybox itself.
hard_links() {
  local link
  for link in "$1"/bin/*; do
    [ -L "$link" ] && [ "$(readlink "$link")" = busybox ] && ln -f "$1/bin/busybox" "$link"
  done
}
hard_links "$WORK/base"
echo 'www-data:x:33:33:www-data:/var/www:/bin/false' >> "$WORK/base/etc/passwd"
echo 'www-data:x:33:' >> "$WORK/base/etc/group"
mkdir -p "$WORK/base/var/run" "$WORK/base/usr/local/bin"
for tool in nginx nnp; do
  musl-gcc -static -Os -o "$WORK/$tool" "$here/critest-images/$tool.c" ||
    { fail "the stand-ins for critest's images compile ($tool.c, musl-gcc -static)"; exit 1; }
done

# image NAME PROCESS [VARIANT]: NAME (registry/path:tag as critest pulls it) built from the base
# changed by VARIANT (a function run on the rootfs' directory) with image config members PROCESS,
# pushed to the local registry under its path. Images of the same VARIANT and PROCESS are the
# same image (same layer, same config: one id, several tags).
image_errors=""
image() {
  local name=$1 process=$2 variant=${3:-} rootfs archive
  rootfs=$WORK/rootfs-${variant:-base}
  if [ ! -d "$rootfs" ]; then
    cp -a "$WORK/base" "$rootfs"
    [ -z "$variant" ] || "$variant" "$rootfs" || image_errors+="$name: making its files ($variant) failed"$'\n'
  fi
  archive=$WORK/$(tr '/:' '__' <<< "$name").tar
  clients_oci_archive_of "$rootfs" "$archive" "$name" "$process"
  capture 120 skopeo --policy "$WORK/policy.json" copy --quiet --dest-tls-verify=false \
    "oci-archive:$archive" "docker://$REGISTRY/${name#*/}"
  [ "$RC" -eq 0 ] || image_errors+="$name: $ERR"$'\n'
  rm -f "$archive"
  image_names+=("$name")
}
echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$WORK/policy.json"
image_names=()

# with_libraries ROOTFS BINARY...: the binaries (to ROOTFS/bin) and the shared libraries ldd names.
with_libraries() {
  local rootfs=$1 binary library; shift
  for binary in "$@"; do
    cp "$binary" "$rootfs/bin/" || return 1
    for library in $(ldd "$binary" | grep -o '/[^ ]*'); do
      mkdir -p "$rootfs$(dirname "$library")" && cp -L "$library" "$rootfs$library" || return 1
    done
  done
}
# critest's default image (busybox 1.29): Debian's busybox-static is a "standalone shell" (it
# runs its applets without exec: a masked /bin/ls would still run), so this one has Debian's
# dynamic busybox (fetched by the outer half into $CRI_CACHE), and the pgrep (procps)
# and ipcs (util-linux) that busybox 1.29's image has and Debian's busybox lacks.
busybox_files() {
  local deb
  deb=$(ls "$CRI_CACHE"/debs/busybox_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || { echo "no busybox .deb in $CRI_CACHE/debs (the outer half fetches it)" >&2; return 1; }
  rm -rf "$WORK/busybox-deb" && dpkg-deb -x "$deb" "$WORK/busybox-deb" || return 1
  find "$1/bin" -samefile "$1/bin/busybox" -delete
  with_libraries "$1" "$WORK/busybox-deb/bin/busybox" /usr/bin/pgrep /usr/bin/ipcs || return 1
  local applet
  for applet in $("$1/bin/busybox" --list); do
    [ -e "$1/bin/$applet" ] || ln "$1/bin/busybox" "$1/bin/$applet"
  done
}
nginx_files() {
  cp "$WORK/nginx" "$1/usr/sbin/nginx"
  mkdir -p "$1/usr/share/nginx/html"
  echo '<h1>Welcome to nginx (a stand-in)</h1>' > "$1/usr/share/nginx/html/index.html"
}
httpd_files() {
  mkdir -p "$1/usr/local/apache2/htdocs"
  echo '<html><body><h1>It works!</h1></body></html>' > "$1/usr/local/apache2/htdocs/index.html"
  # Apache's notice at start-up, which critest looks for in the container's log.
  cat > "$1/usr/local/bin/httpd-foreground" <<'END'
#!/bin/sh
echo "[mpm_event:notice] [pid $$] AH00094: Command line: 'httpd -D FOREGROUND' (busybox httpd, a stand-in)" >&2
exec httpd -f -p 80 -h /usr/local/apache2/htdocs
END
  chmod 755 "$1/usr/local/bin/httpd-foreground"
}
nnp_files() { install -o 0 -g 0 -m 4755 "$WORK/nnp" "$1/usr/local/bin/nnp"; }
predefined_group_files() {
  echo 'default-user:x:1000:1000::/home/default-user:/bin/sh' >> "$1/etc/passwd"
  printf 'default-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n' >> "$1/etc/group"
  mkdir -p "$1/home/default-user" && chown 1000:1000 "$1/home/default-user"
}
# critest's image-test images (ADD ${TEST} ${TEST}): the base with an empty file /NAME.
for file in test-image-1 test-image-2 test-image-3 test-image-latest test all same-image; do
  eval "file_$(tr '-' '_' <<< "$file")() { touch \"\$1/$file\"; }"
done

sh_cmd='"Cmd":["sh"]'
image "registry.k8s.io/$E2E/busybox:1.29-2" "$sh_cmd" busybox_files
image "registry.k8s.io/$E2E/nginx:1.14-2" '"Cmd":["nginx","-g","daemon off;"],"ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGTERM"' nginx_files
image "gcr.io/$STAGING/hostnet-nginx-$(go env GOARCH):latest" \
  '"Cmd":["nginx","-g","daemon off;"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NGINX_PORT=12003"],"ExposedPorts":{"12003/tcp":{}}' nginx_files
image "registry.k8s.io/$E2E/httpd:2.4.39-4" '"Cmd":["httpd-foreground"],"ExposedPorts":{"80/tcp":{}}' httpd_files
image "registry.k8s.io/$E2E/nonewprivs:1.3" '"Entrypoint":["/usr/local/bin/nnp"]' nnp_files
for n in 1 2 3; do image "gcr.io/$STAGING/test-image-$n:latest" "$sh_cmd" "file_test_image_$n"; done
image "gcr.io/$STAGING/test-image-latest:latest" "$sh_cmd" file_test_image_latest
image "gcr.io/$STAGING/test-image-tag:test" "$sh_cmd" file_test
image "gcr.io/$STAGING/test-image-tag:all" "$sh_cmd" file_all
for n in 1 2 3; do image "gcr.io/$STAGING/test-image-tags:$n" "$sh_cmd" file_same_image; done
image "gcr.io/$STAGING/test-image-user-uid:latest" "$sh_cmd"',"User":"1002"'
image "gcr.io/$STAGING/test-image-user-username:latest" "$sh_cmd"',"User":"www-data"'
image "gcr.io/$STAGING/test-image-user-uid-group:latest" "$sh_cmd"',"User":"1003:1004"'
image "gcr.io/$STAGING/test-image-user-username-group:latest" "$sh_cmd"',"User":"www-data:1004"'
image "gcr.io/$STAGING/test-image-predefined-group:latest" "$sh_cmd"',"User":"1000"' predefined_group_files
check "critest's ${#image_names[@]} images built offline and pushed to the local registry" "" "$image_errors"

# ---- containerd: the CRI with both handlers, registries resolved to the local one -------------
for host in registry.k8s.io gcr.io docker.io; do
  mkdir -p "$WORK/certs.d/$host"
  cat > "$WORK/certs.d/$host/hosts.toml" <<END
# $host's images come from the test's own registry (plain http, on loopback).
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
END
done
cri_write_cni
cri_write_crictl
extra=$(cat <<END
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$WORK/certs.d"
END
)
if clients_containerd_start "$(cri_toml "$client_runtime" "$extra")" 2> "$WORK/start-error"; then
  pass "containerd answers on its private socket (CRI on, handlers runc and hako)"
else fail "containerd answers on its private socket (CRI on, handlers runc and hako)" "$(cat "$WORK/start-error")"; exit 1; fi
cri_pause_archive "$WORK/pause-oci.tar"
capture 120 c images import "$WORK/pause-oci.tar"
check "the pause image (catatonit -P) imported" "" "$ERR"
capture 120 cr pull "registry.k8s.io/$E2E/busybox:1.29-2"
if [ "$RC" -eq 0 ]; then pass "the CRI pulls registry.k8s.io/$E2E/busybox:1.29-2 from the local registry"
else fail "the CRI pulls registry.k8s.io/$E2E/busybox:1.29-2 from the local registry" "$ERR"$'\n'"$(tail -n 5 "$WORK/containerd.log")"; exit 1; fi

# ---- critest, runc then hako ---------------------------------------------------------------------
skip_regex=$(for s in "${SKIPS[@]}"; do printf '%s|' "${s%%|*}"; done | sed 's/|$//')
for handler in runc hako; do
  echo "# critest --runtime-handler $handler ($(date +%T))"
  "$CRITEST" -runtime-endpoint "unix://$WORK/containerd.sock" -image-endpoint "unix://$WORK/containerd.sock" \
    -runtime-handler "$handler" -ginkgo.no-color -ginkgo.skip "$skip_regex" \
    ${CRITEST_FOCUS:+-ginkgo.focus "$CRITEST_FOCUS"} -ginkgo.timeout 80m \
    -ginkgo.json-report "$WORK/reports/$handler.json" > "$WORK/reports/$handler.log" 2>&1 &
  critest_pid=$!
  wait "$critest_pid"; echo "# critest --runtime-handler $handler exited with $? ($(date +%T))"
  # What a failed case left behind must not count against the next runtime's cases.
  left=$(cr pods -q 2>/dev/null | wc -l)
  [ "$left" -eq 0 ] || echo "# $left pods left by critest --runtime-handler $handler: removed"
  timeout 300 cr rmp --force --all >/dev/null 2>&1
done
[ -z "${CRITEST_KEEP:-}" ] || { mkdir -p "$CRITEST_KEEP" && cp "$WORK"/reports/* "$WORK/containerd.log" "$CRITEST_KEEP/"; }

# ---- the results, case by case ------------------------------------------------------------------
# One line a case: STATE<TAB>NAME (NAME: the describe texts and the It's, joined by spaces).
cases() {
  jq -r '.[].SpecReports[]? | select(.LeafNodeType == "It") |
    [.State, ((.ContainerHierarchyTexts // []) + [.LeafNodeText] | join(" "))] | @tsv' "$1" 2>/dev/null | sort -t$'\t' -k2
}
cases "$WORK/reports/runc.json" > "$WORK/runc.cases"
cases "$WORK/reports/hako.json" > "$WORK/hako.cases"
[ -s "$WORK/runc.cases" ] && [ -s "$WORK/hako.cases" ] ||
  { fail "critest wrote a report for both runtimes" "$(tail -n 30 "$WORK"/reports/*.log)"; exit 1; }
join -t$'\t' -1 2 -2 2 -a 1 -a 2 -e missing -o 0,1.1,2.1 "$WORK/runc.cases" "$WORK/hako.cases" > "$WORK/both"
printf '%-8s %-8s %s\n' runc hako case
while IFS=$'\t' read -r name runc_state hako_state; do
  printf '%-8s %-8s %s\n' "$runc_state" "$hako_state" "$name"
done < "$WORK/both"
for handler in runc hako; do
  echo "# $handler: $(cut -f1 "$WORK/$handler.cases" | sort | uniq -c | awk '{ print $1, $2 }' | paste -sd, | sed 's/,/, /g')"
done
echo "# skipped here (ginkgo -skip), for both:"
for s in "${SKIPS[@]}"; do echo "#   ${s%%|*}: ${s#*|}"; done
# The failure messages of the cases where the two differ, and of those both fail.
failure() {
  jq -r --arg name "$2" '.[].SpecReports[]? | select(.LeafNodeType == "It") |
    select(((.ContainerHierarchyTexts // []) + [.LeafNodeText] | join(" ")) == $name) |
    "\(.Failure.Message // "")  [\(.Failure.Location.FileName // "" | sub(".*/cri-tools/"; "")):\(.Failure.Location.LineNumber // "")]"' "$1" | head -c 1500
}
while IFS=$'\t' read -r name runc_state hako_state; do
  [ "$hako_state" = skipped ] && [ "$runc_state" = skipped ] && continue
  if [ "$hako_state" = passed ]; then
    pass "critest: $name"
  elif [ "$runc_state" = passed ]; then
    fail "critest: $name" "hako: $hako_state: $(failure "$WORK/reports/hako.json" "$name")"
  else
    echo "SAME  critest: $name (runc $runc_state, hako $hako_state: not counted)"
    failure "$WORK/reports/hako.json" "$name" | sed 's/^/      | hako: /' | head -n 10
    failure "$WORK/reports/runc.json" "$name" | sed 's/^/      | runc: /' | head -n 10
  fi
done < "$WORK/both"
touch "$WORK/inner-done"
