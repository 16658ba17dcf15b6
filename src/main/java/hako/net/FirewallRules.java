package hako.net;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The nftables rules hako adds, as {@code nft -f} scripts. Everything lives in two tables of hako's
 * own, {@code inet hako} and {@code bridge hako}, so nothing of the host's firewall is touched.
 *
 * <p>The base chains never change after they are made: they dispatch through verdict maps keyed by
 * what identifies a container or a network (a published port, a source address, a bridge), to
 * chains of that container or network. Adding a container is adding its chains and its map
 * elements; removing it is deleting exactly those, with no rule handles to remember.
 *
 * <p>Every removal is written to succeed whether or not what it removes exists (an element or a
 * chain is added, then deleted, in the same transaction): the same script cleans up after a
 * clean stop, a crash half-way through, or a second delete.
 */
final class FirewallRules {
    static final String TABLE = "inet hako";
    static final String BRIDGE_TABLE = "bridge hako";
    /**
     * The packet mark bit hako sets on packets of connections to published ports, read only by its
     * own bridge table: with br_netfilter loaded, a container's connection to another container's
     * published port is DNATed and then bridged port to port, which isolation must let through.
     */
    static final String DNAT_MARK = "0x10000000";

    private FirewallRules() {}

    /**
     * The tables, their maps and base chains. Written so that applying it again changes nothing
     * but the base chains' rules, which it replaces in the same transaction: every change can
     * start with it, and so repairs a table someone flushed.
     */
    static String base() {
        Script s = new Script();
        s.line("add table " + TABLE);
        s.line("add map " + TABLE + " published { type inet_proto . inet_service : verdict; }");
        s.line("add map " + TABLE + " egress { type ipv4_addr : verdict; }");
        // Keyed by each container's address, not by subnet: nft 1.0.6 cannot fill an interval map
        // made in the same transaction, and every change here must be able to make the table.
        s.line("add map " + TABLE + " sources { type ipv4_addr : verdict; }");
        s.line("add map " + TABLE + " inbound { type ifname : verdict; }");
        s.line("add map " + TABLE + " outbound { type ifname : verdict; }");
        s.line("add set " + TABLE + " bridges { type ifname; }");
        s.line("add set " + TABLE + " intra { type ifname . ifname; }");
        s.baseChain(TABLE, "prerouting", "type nat hook prerouting priority dstnat;");
        // Connections to the host's own addresses on a published port go to the container.
        s.rule("prerouting", "meta nfproto ipv4 fib daddr type local meta l4proto . th dport vmap @published");
        s.baseChain(TABLE, "marking", "type filter hook prerouting priority -99;");
        s.rule("marking", "ct status dnat meta mark set meta mark or " + DNAT_MARK);
        s.baseChain(TABLE, "output", "type nat hook output priority -100;");
        // The same for the host's own processes, 127.0.0.1 included.
        s.rule("output", "meta nfproto ipv4 fib daddr type local meta l4proto . th dport vmap @published");
        s.baseChain(TABLE, "postrouting", "type nat hook postrouting priority srcnat;");
        // 127.0.0.1 cannot be a source on a bridge: the container answers the gateway instead.
        s.rule("postrouting", "oifname @bridges ip saddr 127.0.0.0/8 masquerade");
        s.rule("postrouting", "ip saddr vmap @sources");
        s.baseChain(TABLE, "forward", "type filter hook forward priority filter;");
        s.rule("forward", "ct state established,related accept");
        s.rule("forward", "iifname . oifname @intra accept");
        s.rule("forward", "iifname vmap @outbound");
        s.rule("forward", "ip saddr vmap @egress");
        s.rule("forward", "oifname vmap @inbound");
        s.baseChain(TABLE, "input", "type filter hook input priority filter;");
        s.rule("input", "ct state established,related accept");
        s.rule("input", "ip saddr vmap @egress");
        // Bridged frames between two containers never reach the inet hooks unless br_netfilter is
        // loaded: isolation is enforced where every frame passes, at the bridge.
        s.line("add table " + BRIDGE_TABLE);
        s.line("add set " + BRIDGE_TABLE + " isolated { type ifname; }");
        s.baseChain(BRIDGE_TABLE, "forward", "type filter hook forward priority filter;");
        s.line("add rule " + BRIDGE_TABLE + " forward iifname @isolated oifname @isolated meta mark and " + DNAT_MARK + " == 0 drop");
        return s.toString();
    }

    /** Removes both tables; only when no network is left. */
    static String removeTables() {
        return "add table " + TABLE + "\ndelete table " + TABLE + "\nadd table " + BRIDGE_TABLE + "\ndelete table " + BRIDGE_TABLE + "\n";
    }

    static String postChain(NetworkConfig network) {
        return "n-" + network.name() + "-post";
    }

    static String inChain(NetworkConfig network) {
        return "n-" + network.name() + "-in";
    }

    static String outChain(NetworkConfig network) {
        return "n-" + network.name() + "-out";
    }

    /**
     * A network's chains and elements: masquerade out of it (unless internal) and for hairpin
     * connections to published ports; new connections into it only through published ports;
     * nothing out of it at all when internal; containers talk to each other unless isolated.
     * Applying it again replaces the network's rules with the same ones.
     */
    static String addNetwork(NetworkConfig network) {
        Script s = new Script();
        String bridge = quote(network.bridge());
        s.chain(postChain(network)).chain(inChain(network)).chain(outChain(network));
        s.line("flush chain " + TABLE + " " + postChain(network));
        s.line("flush chain " + TABLE + " " + inChain(network));
        s.line("flush chain " + TABLE + " " + outChain(network));
        // A container reaching a published port through the host: the reply must come back the same way.
        s.rule(postChain(network), "oifname " + bridge + " ct status dnat masquerade");
        if (!network.internal()) s.rule(postChain(network), "oifname != " + bridge + " masquerade");
        s.rule(inChain(network), "ct status dnat accept");
        s.rule(inChain(network), "drop");
        s.rule(outChain(network), "oifname != " + bridge + " drop");
        s.element("inbound", bridge + " : jump " + inChain(network));
        s.element("bridges", bridge);
        if (network.internal()) s.element("outbound", bridge + " : jump " + outChain(network));
        if (!network.isolated()) s.element("intra", bridge + " . " + bridge);
        return s.toString();
    }

    static String removeNetwork(NetworkConfig network) {
        Script s = new Script();
        String bridge = quote(network.bridge());
        s.chain(postChain(network)).chain(inChain(network)).chain(outChain(network));
        s.removeElement("inbound", bridge, " : jump " + inChain(network));
        s.removeElement("outbound", bridge, " : jump " + outChain(network));
        s.removeElement("bridges", bridge, "");
        s.removeElement("intra", bridge + " . " + bridge, "");
        s.removeChain(postChain(network)).removeChain(inChain(network)).removeChain(outChain(network));
        return s.toString();
    }

    static String dnatChain(Allocation container) {
        return "c-" + container.key() + "-dnat";
    }

    static String egressChain(Allocation container) {
        return "c-" + container.key() + "-egress";
    }

    /** A container's published ports, its allow-lists, its egress policy and its isolation. */
    static String addContainer(Allocation container, NetworkConfig network) {
        Script s = new Script();
        if (!container.ports().isEmpty()) {
            String chain = dnatChain(container);
            s.chain(chain);
            StringJoiner keys = new StringJoiner(", ");
            for (PortMapping mapping : container.ports()) {
                for (int i = 0; i < mapping.count(); i++) {
                    int hostPort = mapping.hostPort() + i;
                    String match = (mapping.hostAddress() == null ? "" : "ip daddr " + mapping.hostAddress() + " ")
                            + "meta l4proto " + mapping.protocol() + " th dport " + hostPort;
                    List<Subnet> allowed = allowedSources(container, hostPort, mapping.protocol());
                    if (!allowed.isEmpty()) {
                        // The host's own connections are not "from outside"; everyone else must be listed.
                        s.rule(chain, match + " fib saddr type != local ip saddr != " + set(allowed) + " drop");
                    }
                    s.rule(chain, match + " dnat ip to " + container.address() + ":" + (mapping.containerPort() + i));
                    keys.add(mapping.protocol() + " . " + hostPort + " : jump " + chain);
                }
            }
            s.element("published", keys.toString());
        }
        if (!container.egress().allowAll()) {
            String chain = egressChain(container);
            s.chain(chain);
            for (Egress.Destination destination : container.egress().allowed()) {
                String match = "ip daddr " + destination.subnet();
                if (destination.firstPort() != 0) {
                    String ports = destination.firstPort() == destination.lastPort() ? Integer.toString(destination.firstPort())
                            : destination.firstPort() + "-" + destination.lastPort();
                    match += " meta l4proto " + destination.protocol() + " th dport " + ports;
                }
                // return, not accept: the destination network's own rules still apply after this.
                s.rule(chain, match + " return");
            }
            s.rule(chain, "drop");
            s.element("egress", container.address() + " : jump " + chain);
        }
        s.element("sources", container.address() + " : jump " + postChain(network));
        if (network.isolated()) {
            s.line("add element " + BRIDGE_TABLE + " isolated { " + quote(container.veth()) + " }");
        }
        return s.toString();
    }

    /** Removes everything {@link #addContainer} adds, whether or not it is there. */
    static String removeContainer(Allocation container) {
        Script s = new Script();
        String dnat = dnatChain(container);
        String egress = egressChain(container);
        s.chain(dnat).chain(egress);
        for (PortMapping mapping : container.ports()) {
            for (int i = 0; i < mapping.count(); i++) {
                s.removeElement("published", mapping.protocol() + " . " + (mapping.hostPort() + i), " : jump " + dnat);
            }
        }
        if (container.address() != null) {
            s.removeElement("egress", container.address().toString(), " : jump " + egress);
            // The chain it points at is the network's; declaring it again is harmless.
            s.chain("n-" + container.network() + "-post");
            s.removeElement("sources", container.address().toString(), " : jump n-" + container.network() + "-post");
        }
        if (container.veth() != null) {
            String veth = quote(container.veth());
            s.line("add element " + BRIDGE_TABLE + " isolated { " + veth + " }");
            s.line("delete element " + BRIDGE_TABLE + " isolated { " + veth + " }");
        }
        s.removeChain(dnat).removeChain(egress);
        return s.toString();
    }

    /** The sources allowed to reach one published port: the port's own rules and the general ones. */
    static List<Subnet> allowedSources(Allocation container, int hostPort, String protocol) {
        List<Subnet> sources = new ArrayList<>();
        for (AllowRule rule : container.allowFrom()) {
            if (rule.covers(hostPort, protocol)) sources.addAll(rule.sources());
        }
        return sources;
    }

    private static String set(List<Subnet> subnets) {
        StringJoiner out = new StringJoiner(", ", "{ ", " }");
        for (Subnet subnet : subnets) out.add(subnet.toString());
        return out.toString();
    }

    static String quote(String name) {
        return "\"" + name + "\"";
    }

    /** An nft script being written, one command a line. */
    private static final class Script {
        private final StringBuilder text = new StringBuilder();

        Script line(String line) {
            text.append(line).append('\n');
            return this;
        }

        /** A base chain, declared (a no-op when it exists) and emptied, for its rules to follow. */
        Script baseChain(String table, String name, String hook) {
            line("add chain " + table + " " + name + " { " + hook + " policy accept; }");
            return line("flush chain " + table + " " + name);
        }

        Script chain(String name) {
            return line("add chain " + TABLE + " " + name);
        }

        Script rule(String chain, String rule) {
            return line("add rule " + TABLE + " " + chain + " " + rule);
        }

        Script element(String map, String elements) {
            return line("add element " + TABLE + " " + map + " { " + elements + " }");
        }

        /** Adds the element (with its value, for maps) then deletes it: succeeds either way. */
        Script removeElement(String map, String key, String value) {
            element(map, key + value);
            return line("delete element " + TABLE + " " + map + " { " + key + " }");
        }

        /** Needs the chain to exist (see {@link #chain}) and no element to point at it any more. */
        Script removeChain(String name) {
            line("flush chain " + TABLE + " " + name);
            return line("delete chain " + TABLE + " " + name);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
