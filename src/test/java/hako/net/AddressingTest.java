package hako.net;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv4 addresses, subnets and the address manager. */
class AddressingTest {
    static NetworkConfig network(String subnet, String gateway) {
        return new NetworkConfig("n", "br-n", Subnet.parse(subnet), Ipv4.parse(gateway), 1500, false, false);
    }

    static String message(Runnable action) {
        return assertThrows(NetworkException.class, action::run).getMessage();
    }

    @Test
    void addressesParseStrictly() {
        assertEquals("10.88.0.2", Ipv4.parse("10.88.0.2").toString());
        assertEquals("255.255.255.255", Ipv4.parse("255.255.255.255").toString());
        for (String bad : List.of("10.88.0", "10.88.0.256", "10.088.0.1", "a.b.c.d", "1.2.3.4.5", "", "1..2.3")) {
            assertEquals("invalid IPv4 address \"" + bad + "\"", message(() -> Ipv4.parse(bad)));
        }
    }

    @Test
    void subnetsKnowTheirAddressesAndOverlaps() {
        Subnet subnet = Subnet.parse("10.88.0.0/16");
        assertTrue(subnet.contains(Ipv4.parse("10.88.255.1")));
        assertFalse(subnet.contains(Ipv4.parse("10.89.0.1")));
        assertEquals("10.88.255.255", subnet.broadcast().toString());
        assertTrue(subnet.overlaps(Subnet.parse("10.88.4.0/24")));
        assertTrue(Subnet.parse("10.0.0.0/8").overlaps(subnet));
        assertFalse(subnet.overlaps(Subnet.parse("10.89.0.0/24")));
        assertEquals("10.1.2.3/32", Subnet.parse("10.1.2.3").toString());
        assertTrue(Subnet.parse("0.0.0.0/0").contains(Ipv4.parse("203.0.113.9")));
        assertEquals("invalid subnet 10.1.2.3/8: host bits are set (did you mean 10.0.0.0/8?)", message(() -> Subnet.parse("10.1.2.3/8")));
        assertTrue(message(() -> Subnet.parse("10.0.0.0/33")).startsWith("invalid CIDR \"10.0.0.0/33\""));
        assertTrue(message(() -> Subnet.parse("10.0.0.0/")).startsWith("invalid CIDR"));
    }

    @Test
    void allocationTakesTheLowestFreeAddressButNeverTheGateway() {
        NetworkConfig network = network("10.88.0.0/24", "10.88.0.1");
        Map<Ipv4, String> taken = new HashMap<>();
        assertEquals("10.88.0.2", Ipam.allocate(network, taken, null).toString());
        taken.put(Ipv4.parse("10.88.0.2"), "a");
        taken.put(Ipv4.parse("10.88.0.3"), "b");
        assertEquals("10.88.0.4", Ipam.allocate(network, taken, null).toString());
        taken.remove(Ipv4.parse("10.88.0.2")); // released on delete: handed out again
        assertEquals("10.88.0.2", Ipam.allocate(network, taken, null).toString());
        NetworkConfig gatewayLast = network("10.88.0.0/24", "10.88.0.254");
        assertEquals("10.88.0.1", Ipam.allocate(gatewayLast, Map.of(), null).toString());
    }

    @Test
    void requestedAddressMustBeFreeAndInside() {
        NetworkConfig network = network("10.88.0.0/24", "10.88.0.1");
        Map<Ipv4, String> taken = Map.of(Ipv4.parse("10.88.0.7"), "web");
        assertEquals("10.88.0.9", Ipam.allocate(network, taken, Ipv4.parse("10.88.0.9")).toString());
        assertEquals("address 10.88.0.7 is already in use by container \"web\"", message(() -> Ipam.allocate(network, taken, Ipv4.parse("10.88.0.7"))));
        assertEquals("address 10.99.0.7 is outside network n's subnet 10.88.0.0/24", message(() -> Ipam.allocate(network, taken, Ipv4.parse("10.99.0.7"))));
        assertEquals("address 10.88.0.1 is network n's gateway", message(() -> Ipam.allocate(network, taken, Ipv4.parse("10.88.0.1"))));
        assertEquals("address 10.88.0.255 is not a host address of subnet 10.88.0.0/24", message(() -> Ipam.allocate(network, taken, Ipv4.parse("10.88.0.255"))));
    }

    @Test
    void aFullNetworkSaysSo() {
        NetworkConfig tiny = network("10.88.0.0/30", "10.88.0.1");
        assertEquals("10.88.0.2", Ipam.allocate(tiny, Map.of(), null).toString());
        assertEquals("network n has no free address left in 10.88.0.0/30",
                message(() -> Ipam.allocate(tiny, Map.of(Ipv4.parse("10.88.0.2"), "x"), null)));
    }

    @Test
    void subnetsAreChosenAroundWhatIsInUse() {
        assertEquals("10.88.0.0/16", Ipam.chooseSubnet(true, List.of()).toString());
        assertEquals("10.89.0.0/16", Ipam.chooseSubnet(true, List.of(Subnet.parse("10.88.3.0/24"))).toString());
        assertEquals("10.89.0.0/24", Ipam.chooseSubnet(false, List.of(Subnet.parse("10.88.0.0/16"))).toString());
        assertEquals("10.89.2.0/24", Ipam.chooseSubnet(false, List.of(Subnet.parse("10.89.0.0/23"))).toString());
        assertTrue(message(() -> Ipam.chooseSubnet(false, List.of(Subnet.parse("10.0.0.0/8")))).contains("give one with --subnet"));
    }

    @Test
    void networkSettingsAreChecked() {
        assertEquals("gateway 10.9.9.9 is not a host address of subnet 10.1.0.0/24", message(() -> network("10.1.0.0/24", "10.9.9.9")));
        assertEquals("gateway 10.1.0.0 is not a host address of subnet 10.1.0.0/24", message(() -> network("10.1.0.0/24", "10.1.0.0")));
        assertTrue(message(() -> new NetworkConfig("n", "this-name-is-too-long", Subnet.parse("10.1.0.0/24"), Ipv4.parse("10.1.0.1"), 1500, false, false))
                .startsWith("invalid bridge name"));
        assertTrue(message(() -> new NetworkConfig("n", "br", Subnet.parse("10.1.0.0/24"), Ipv4.parse("10.1.0.1"), 20, false, false))
                .startsWith("invalid MTU 20"));
        assertTrue(message(() -> NetworkConfig.checkName("bad name")).startsWith("invalid network name"));
        NetworkConfig network = network("10.1.0.0/24", "10.1.0.1");
        assertEquals(network, NetworkConfig.fromJson(network.toJson()));
    }
}
