#!/bin/bash
# Network benchmark (not a test): everything runs in throwaway network namespaces made here and
# removed at the end; the machine's own network is never touched.
#
#   1. iperf3 throughput and TCP round-trip time from an "outside" namespace to a server in a hako
#      container through a published port (DNAT, bridge, veth), against the same server reached
#      over one plain veth pair;
#   2. the time to wire one container's network: hako (run with --network bridge -p, minus the
#      same run without a network) against the CNI bridge + portmap plugins that runc users chain
#      (Debian's containernetworking-plugins; portmap there drives iptables).
#
# Usage (root, after mvn package): bench/network.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_packages iperf3 nftables iptables iproute2 containernetworking-plugins busybox-static
rounds=${1:-15}
seconds=${SECONDS_PER_TEST:-5}
hako=$PWD/bin/hako
[ -x target/java ] || { echo "build hako first: mvn package" >&2; exit 1; }
cni=/usr/lib/cni

id=$$
H=hako-bench-host-$id C=hako-bench-client-$id P=hako-bench-plain-$id
work=$(mktemp -d /tmp/hako-bench-net.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^(hako-bench-(host|client|plain)|hako-bench-cni)-$id" || true); do
    ip netns del "$ns"
  done
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s%N; }

# --- namespaces: host H (hako runs here), outside client C, plain server P --------------------
ip netns add "$H"; ip netns add "$C"; ip netns add "$P"
ip link add uplink netns "$H" type veth peer name eth0 netns "$C"
ip link add plain netns "$P" type veth peer name eth1 netns "$C"
ip -n "$H" link set lo up; ip -n "$C" link set lo up; ip -n "$P" link set lo up
ip -n "$H" addr add 198.51.100.1/24 dev uplink; ip -n "$H" link set uplink up
ip -n "$C" addr add 198.51.100.2/24 dev eth0; ip -n "$C" link set eth0 up
ip -n "$C" addr add 203.0.113.2/24 dev eth1; ip -n "$C" link set eth1 up
ip -n "$P" addr add 203.0.113.1/24 dev plain; ip -n "$P" link set plain up

# --- a container that runs the host's iperf3: a rootfs whose /usr is the host's, read-only ---
bundle=$work/iperf
mkdir -p "$bundle/rootfs"/{usr,proc,sys,dev,tmp,etc}
for link in bin sbin lib lib64; do ln -s "usr/$link" "$bundle/rootfs/$link"; done
"$hako" spec --bundle "$bundle"
python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["args"] = ["iperf3", "-s"]
spec["process"]["env"] = ["PATH=/usr/bin:/bin"]
spec["mounts"].append({"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]})
spec["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
json.dump(spec, open(path, "w"), indent=2)
PY

iperf() {  # namespace address port [iperf3 options] → "Mbit/s mean-rtt-us"
  local ns=$1 address=$2 port=$3; shift 3
  ip netns exec "$ns" iperf3 -c "$address" -p "$port" -t "$seconds" -J "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)["end"]
print("%.0f %d" % (r["sum_received"]["bits_per_second"] / 1e6, r["streams"][0]["sender"]["mean_rtt"]))'
}
wait_for() {  # namespace address port
  for _ in $(seq 100); do ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on $2:$3" >&2; exit 1
}

echo "# throughput (and TCP round trip under that load), then round trip at 10 Mbit/s; $seconds s per run, $rounds runs each"
ip netns exec "$H" "$hako" --root "$work/state" run --bundle "$bundle" --network bridge -p 5201:5201 iperf >/dev/null 2>"$work/iperf.err" &
pids+=($!)
ip netns exec "$P" iperf3 -s >/dev/null 2>&1 &
pids+=($!)
wait_for "$C" 198.51.100.1 5201
wait_for "$C" 203.0.113.1 5201
: > "$work/published.txt"; : > "$work/plain.txt"; : > "$work/published-light.txt"; : > "$work/plain-light.txt"
for _ in $(seq "$rounds"); do
  iperf "$C" 198.51.100.1 5201 >> "$work/published.txt"
  iperf "$C" 203.0.113.1 5201 >> "$work/plain.txt"
  iperf "$C" 198.51.100.1 5201 -b 10M >> "$work/published-light.txt"
  iperf "$C" 203.0.113.1 5201 -b 10M >> "$work/plain-light.txt"
done
pub_bw=$(cut -d' ' -f1 "$work/published.txt" | median); pub_rtt=$(cut -d' ' -f2 "$work/published.txt" | median)
plain_bw=$(cut -d' ' -f1 "$work/plain.txt" | median); plain_rtt=$(cut -d' ' -f2 "$work/plain.txt" | median)
printf "%-40s %10s Mbit/s   rtt %6s us\n" "published port (DNAT, bridge, veth)" "$pub_bw" "$pub_rtt"
printf "%-40s %10s Mbit/s   rtt %6s us\n" "plain veth pair" "$plain_bw" "$plain_rtt"
awk -v a="$pub_bw" -v b="$plain_bw" 'BEGIN { printf "published/plain throughput: %.2f\n", a / b }'
printf "%-40s rtt at 10 Mbit/s %6s us\n" "published port" "$(cut -d' ' -f2 "$work/published-light.txt" | median)"
printf "%-40s rtt at 10 Mbit/s %6s us\n" "plain veth pair" "$(cut -d' ' -f2 "$work/plain-light.txt" | median)"
# End the iperf container: its init is the pid in its state.
kill -KILL "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$work/state/iperf/state.json")"
wait "${pids[0]}" || true

# --- time to wire one container's network -------------------------------------------------------
echo "# time to wire one container's network (bridge, address, routes, NAT, one published port), $rounds runs"
scripts/busybox-rootfs.sh "$work/true/rootfs"
"$hako" spec --bundle "$work/true"
sed -i 's/^\( *\)"sh"$/\1"true"/' "$work/true/config.json"
: > "$work/hako-plain.txt"; : > "$work/hako-net.txt"
# A first run with a network makes the default network itself; then alternate without and with.
ip netns exec "$H" "$hako" --root "$work/state" run --bundle "$work/true" --network bridge warm
for i in $(seq "$rounds"); do
  start=$(now); ip netns exec "$H" "$hako" --root "$work/state" run --bundle "$work/true" plain-$i; end=$(now)
  echo $(( (end - start) / 1000 )) >> "$work/hako-plain.txt"
  start=$(now); ip netns exec "$H" "$hako" --root "$work/state" run --bundle "$work/true" --network bridge -p 18080:80 net-$i; end=$(now)
  echo $(( (end - start) / 1000 )) >> "$work/hako-net.txt"
done
hako_plain=$(median < "$work/hako-plain.txt"); hako_net=$(median < "$work/hako-net.txt")

# CNI: bridge (with host-local IPAM) then portmap with the bridge's result, as a runtime chains
# them; each ADD on a fresh network namespace, timed inside the host namespace, then DEL.
cat > "$work/cni-round.sh" <<'SH'
#!/bin/bash
# usage: cni-round.sh NETNS-PATH CONTAINER-ID WORK PLUGINS — prints the microseconds of both ADDs, then of both DELs
set -euo pipefail
export CNI_NETNS=$1 CNI_CONTAINERID=$2 CNI_IFNAME=eth0 CNI_PATH=$4
bridge=$(printf '{"cniVersion":"0.4.0","name":"bench","type":"bridge","bridge":"cni-bench0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.77.0.0/16","dataDir":"%s/cni-ipam"}}' "$3")
start=$(date +%s%N)
result=$(CNI_COMMAND=ADD "$4/bridge" <<< "$bridge")
portmap=$(printf '{"cniVersion":"0.4.0","name":"bench","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":18081,"containerPort":80,"protocol":"tcp"}]},"prevResult":%s}' "$result")
CNI_COMMAND=ADD "$4/portmap" <<< "$portmap" > /dev/null
end=$(date +%s%N)
CNI_COMMAND=DEL "$4/portmap" <<< "$portmap" > /dev/null
CNI_COMMAND=DEL "$4/bridge" <<< "$bridge" > /dev/null
gone=$(date +%s%N)
echo $(( (end - start) / 1000 )) $(( (gone - end) / 1000 ))
SH
chmod +x "$work/cni-round.sh"
: > "$work/cni.txt"
for i in $(seq "$rounds"); do
  ns=hako-bench-cni-$id-$i
  ip netns add "$ns"
  ip netns exec "$H" "$work/cni-round.sh" "/var/run/netns/$ns" "bench-$i" "$work" "$cni" >> "$work/cni.txt"
  ip netns del "$ns"
done
cni_add=$(cut -d' ' -f1 "$work/cni.txt" | median)
cni_both=$(awk '{ print $1 + $2 }' "$work/cni.txt" | median)
printf "%-40s %8s us\n" "hako run, no network" "$hako_plain"
printf "%-40s %8s us\n" "hako run, --network bridge -p" "$hako_net"
printf "%-40s %8s us\n" "hako: set up + tear down (difference)" "$(( ${hako_net%.*} - ${hako_plain%.*} ))"
printf "%-40s %8s us\n" "CNI bridge + portmap: ADD" "$cni_add"
printf "%-40s %8s us\n" "CNI bridge + portmap: ADD + DEL" "$cni_both"
