package hako.net;

import hako.sys.Errno;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static hako.net.NetworkingTest.DB_STATE;
import static hako.net.NetworkingTest.LOCK;
import static hako.net.NetworkingTest.ROOT;
import static hako.net.NetworkingTest.WEB_STATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hako network create|rm} in the recording fake: what a network makes, what it removes, what a failure leaves. */
class NetworkAdminTest {
    final NetSystemFake fake = new NetSystemFake().hostDevice("eth0", "192.0.2.10/24").directory(WEB_STATE).directory(DB_STATE);
    final Networking networking = new Networking(ROOT, fake);
    final NetworkAdmin admin = new NetworkAdmin(networking);

    static NetworkAdmin.Options back(String subnet) {
        return new NetworkAdmin.Options("back", subnet, null, null, null, false, true);
    }

    @Test
    void createRecordsTheNetworkUnderTheLockThenMakesItsRulesAndBridge() {
        admin.create(back("10.77.0.0/24"));

        assertEquals(List.of("nft adding firewall rules for network back", "newbridge host hako1 mtu 1500",
                "newaddr host hako1 10.77.0.1/24", "sysctl net/ipv4/ip_forward=1", "sysctl net/ipv4/conf/hako1/route_localnet=1"),
                fake.calls(NetSystemFake.CHANGES));
        List<String> calls = fake.calls();
        Path record = ROOT.resolve("networks/back.json");
        assertTrue(calls.indexOf("lock " + LOCK) < calls.indexOf("rename " + record + ".tmp " + record));
        assertTrue(calls.indexOf("newbridge host hako1 mtu 1500") < calls.indexOf("unlock " + LOCK), "made while the lock is held");
        assertEquals(List.of("\"hako1\""), fake.elements(FirewallRules.TABLE, "bridges"));
        assertEquals(List.of(), fake.elements(FirewallRules.TABLE, "intra"), "isolated: no traffic between its containers");
    }

    @Test
    void aSubnetOverlappingTheHostsIsRefusedBeforeAnythingIsMade() {
        NetworkException e = assertThrows(NetworkException.class, () -> admin.create(back("192.0.2.0/25")));

        assertEquals("subnet 192.0.2.0/25 overlaps the host's network 192.0.2.0/24 (eth0)", e.getMessage());
        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES));
        assertEquals(List.of(), admin.list());
    }

    @Test
    void aCreateWhoseBridgeFailsLeavesNoRecordNoBridgeAndNoRulesOfTheNetwork() {
        fake.failOn("newbridge host hako1", Errno.EPERM);

        NetworkException e = assertThrows(NetworkException.class, () -> admin.create(back("10.77.0.0/24")));

        assertEquals("creating bridge hako1: operation not permitted", e.getMessage());
        assertEquals(List.of(), admin.list());
        assertFalse(fake.links("host").stream().anyMatch(l -> l.startsWith("hako1")));
        assertFalse(fake.chains(FirewallRules.TABLE).keySet().stream().anyMatch(c -> c.startsWith("n-back-")), fake.chains(FirewallRules.TABLE)::toString);
        assertEquals(List.of(), fake.elements(FirewallRules.TABLE, "bridges"));
        assertFalse(fake.holdsLock());
    }

    @Test
    void removingANetworkWaitsForItsLiveContainersReclaimsDeadOnesAndTheLastTakesTheTables() {
        admin.create(back("10.77.0.0/24"));
        Attachment web = networking.prepare("web", NetworkRequest.parse("back", List.of("8080:80"), List.of(), null, null), null, WEB_STATE);
        fake.init(NetworkingTest.WEB_INIT);
        networking.wire(web, NetworkingTest.WEB_INIT);

        NetworkException busy = assertThrows(NetworkException.class, () -> admin.remove("back"));
        assertEquals("network \"back\" has containers attached: web", busy.getMessage());

        fake.exit(NetworkingTest.WEB_INIT);
        admin.remove("back");

        assertNull(networking.allocation("web"));
        assertEquals(List.of(), admin.list());
        assertEquals(List.of("lo loopback up", "eth0 device up"), fake.links("host"));
        assertFalse(fake.hasTables(), "the last network takes hako's tables with it");
    }
}
