package hako.net;

import hako.sys.ProcessRef;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nft scripts hako applies, as text. */
class FirewallRulesTest {
    static final NetworkConfig NETWORK = new NetworkConfig("hako", "hako0", Subnet.parse("10.88.0.0/16"), Ipv4.parse("10.88.0.1"), 1500, false, false);
    static final NetworkConfig ISOLATED_INTERNAL = new NetworkConfig("back", "hako1", Subnet.parse("10.89.0.0/24"), Ipv4.parse("10.89.0.1"), 1500, true, true);

    static Allocation container(List<String> ports, List<String> allow, String egress) {
        return new Allocation("web", "0123456789", NetworkRequest.Mode.BRIDGE, "hako", Ipv4.parse("10.88.0.2"), "hk0123456789", "web",
                ports.stream().map(PortMapping::parse).toList(), allow.stream().map(AllowRule::parse).toList(), Egress.parse(egress),
                Path.of("/run/hako/web"), new ProcessRef(1, 1), null, null);
    }

    static List<String> lines(String script) {
        return script.lines().toList();
    }

    @Test
    void publishedPortsDnatThroughTheContainersChain() {
        String script = FirewallRules.addContainer(container(List.of("8080:80", "127.0.0.1:5353:53/udp"), List.of(), "all"), NETWORK);
        assertEquals(List.of(
                "add chain inet hako c-0123456789-dnat",
                "add rule inet hako c-0123456789-dnat meta l4proto tcp th dport 8080 dnat ip to 10.88.0.2:80",
                "add rule inet hako c-0123456789-dnat ip daddr 127.0.0.1 meta l4proto udp th dport 5353 dnat ip to 10.88.0.2:53",
                "add element inet hako published { tcp . 8080 : jump c-0123456789-dnat, udp . 5353 : jump c-0123456789-dnat }",
                "add element inet hako sources { 10.88.0.2 : jump n-hako-post }"), lines(script));
    }

    @Test
    void rangesAreOneToOne() {
        List<String> rules = lines(FirewallRules.addContainer(container(List.of("9000-9002:90-92"), List.of(), "all"), NETWORK));
        assertTrue(rules.contains("add rule inet hako c-0123456789-dnat meta l4proto tcp th dport 9001 dnat ip to 10.88.0.2:91"), rules::toString);
        assertTrue(rules.contains("add element inet hako published { tcp . 9000 : jump c-0123456789-dnat, tcp . 9001 : jump c-0123456789-dnat,"
                + " tcp . 9002 : jump c-0123456789-dnat }"), rules::toString);
    }

    @Test
    void allowListsDropOtherSourcesButNotTheHostItself() {
        List<String> rules = lines(FirewallRules.addContainer(container(List.of("8080:80", "8443:443"),
                List.of("192.0.2.0/24", "8443=203.0.113.9"), "all"), NETWORK));
        assertTrue(rules.contains("add rule inet hako c-0123456789-dnat meta l4proto tcp th dport 8080"
                + " fib saddr type != local ip saddr != { 192.0.2.0/24 } drop"), rules::toString);
        assertTrue(rules.contains("add rule inet hako c-0123456789-dnat meta l4proto tcp th dport 8443"
                + " fib saddr type != local ip saddr != { 192.0.2.0/24, 203.0.113.9/32 } drop"), rules::toString);
        int drop = rules.indexOf(rules.stream().filter(r -> r.contains("8080") && r.endsWith("drop")).findFirst().orElseThrow());
        int dnat = rules.indexOf(rules.stream().filter(r -> r.contains("8080") && r.contains("dnat ip to")).findFirst().orElseThrow());
        assertTrue(drop < dnat, "the allow-list comes before the DNAT");
    }

    @Test
    void egressListReturnsToTheBaseChainThenDrops() {
        List<String> rules = lines(FirewallRules.addContainer(container(List.of(), List.of(), "10.0.0.0/8,192.0.2.1:53/udp"), NETWORK));
        assertEquals(List.of(
                "add chain inet hako c-0123456789-egress",
                "add rule inet hako c-0123456789-egress ip daddr 10.0.0.0/8 return",
                "add rule inet hako c-0123456789-egress ip daddr 192.0.2.1/32 meta l4proto udp th dport 53 return",
                "add rule inet hako c-0123456789-egress drop",
                "add element inet hako egress { 10.88.0.2 : jump c-0123456789-egress }",
                "add element inet hako sources { 10.88.0.2 : jump n-hako-post }"), rules);
        assertEquals(List.of("add chain inet hako c-0123456789-egress", "add rule inet hako c-0123456789-egress drop"),
                lines(FirewallRules.addContainer(container(List.of(), List.of(), "none"), NETWORK)).subList(0, 2));
    }

    @Test
    void isolationPutsTheVethInTheBridgeTable() {
        String script = FirewallRules.addContainer(container(List.of(), List.of(), "all"), ISOLATED_INTERNAL);
        assertTrue(script.contains("add element bridge hako isolated { \"hk0123456789\" }"), script);
    }

    @Test
    void removalDeletesExactlyWhatWasAddedAndToleratesItsAbsence() {
        String script = FirewallRules.removeContainer(container(List.of("8080:80"), List.of(), "none"));
        List<String> rules = lines(script);
        // Each element is first added (a no-op when present) so that its delete cannot fail.
        int add = rules.indexOf("add element inet hako published { tcp . 8080 : jump c-0123456789-dnat }");
        int delete = rules.indexOf("delete element inet hako published { tcp . 8080 }");
        assertTrue(add >= 0 && delete > add, script);
        assertTrue(rules.contains("delete element inet hako egress { 10.88.0.2 }"), script);
        assertTrue(rules.contains("delete element inet hako sources { 10.88.0.2 }"), script);
        assertTrue(rules.contains("delete element bridge hako isolated { \"hk0123456789\" }"), script);
        assertEquals("delete chain inet hako c-0123456789-egress", rules.getLast());
        assertTrue(rules.indexOf("delete chain inet hako c-0123456789-dnat") > delete, "chains go after the elements that point at them");
        assertFalse(script.contains("n-hako-in") || script.contains("delete table"), "nothing of the network's: " + script);
    }

    @Test
    void networkRulesMasqueradeUnlessInternalAndLetContainersTalkUnlessIsolated() {
        List<String> open = lines(FirewallRules.addNetwork(NETWORK));
        assertTrue(open.contains("add rule inet hako n-hako-post oifname != \"hako0\" masquerade"), open::toString);
        assertTrue(open.contains("add rule inet hako n-hako-post oifname \"hako0\" ct status dnat masquerade"), open::toString);
        assertTrue(open.contains("add element inet hako intra { \"hako0\" . \"hako0\" }"), open::toString);
        assertTrue(open.contains("add element inet hako inbound { \"hako0\" : jump n-hako-in }"), open::toString);
        assertFalse(open.stream().anyMatch(l -> l.startsWith("add element inet hako outbound")), open::toString);
        List<String> closed = lines(FirewallRules.addNetwork(ISOLATED_INTERNAL));
        assertFalse(closed.contains("add rule inet hako n-back-post oifname != \"hako1\" masquerade"), closed::toString);
        assertFalse(closed.stream().anyMatch(l -> l.startsWith("add element inet hako intra")), closed::toString);
        assertTrue(closed.contains("add element inet hako outbound { \"hako1\" : jump n-back-out }"), closed::toString);
        // Applying a network again must not stack rules: its chains are emptied first.
        assertTrue(open.indexOf("flush chain inet hako n-hako-post") < open.indexOf("add rule inet hako n-hako-post oifname \"hako0\" ct status dnat masquerade"));
    }

    @Test
    void baseIsRepeatableAndDispatchesThroughMaps() {
        List<String> base = lines(FirewallRules.base());
        for (String chain : List.of("prerouting", "marking", "output", "postrouting", "forward", "input")) {
            int declared = base.indexOf(base.stream().filter(l -> l.startsWith("add chain inet hako " + chain + " {")).findFirst().orElseThrow());
            assertEquals("flush chain inet hako " + chain, base.get(declared + 1), "base chain " + chain + " is emptied before its rules");
        }
        assertTrue(base.contains("add rule inet hako prerouting meta nfproto ipv4 fib daddr type local meta l4proto . th dport vmap @published"));
        assertTrue(base.contains("add rule inet hako forward ip saddr vmap @egress"));
        assertTrue(base.indexOf("add rule inet hako forward iifname vmap @outbound") < base.indexOf("add rule inet hako forward ip saddr vmap @egress"),
                "an internal network's drop comes before any container's allow-list");
        assertFalse(base.stream().anyMatch(l -> l.contains("flags interval")), "nft 1.0.6 cannot fill an interval map made in the same batch");
    }
}
