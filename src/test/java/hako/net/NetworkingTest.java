package hako.net;

import hako.sys.Errno;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a container's network does to the machine — prepare, wire, release, gc — in the recording fake. */
class NetworkingTest {
    static final Path ROOT = Path.of("/run/hako-network");
    static final Path WEB_STATE = Path.of("/run/hako/web"), DB_STATE = Path.of("/run/hako/db");
    static final Path LOCK = ROOT.resolve("lock");
    static final int WEB_INIT = 4242, DB_INIT = 4343;

    final NetSystemFake fake = new NetSystemFake().hostDevice("eth0", "192.0.2.10/24").directory(WEB_STATE).directory(DB_STATE);
    final Networking networking = new Networking(ROOT, fake);
    final String key = networking.key("web");
    final String veth = "hk" + key;

    static NetworkRequest bridge(String... publish) {
        return NetworkRequest.parse("bridge", List.of(publish), List.of(), null, null);
    }

    /** As the lifecycle does it: prepared, init cloned into its own network namespace, wired. */
    Attachment run(String id, Path state, int init, NetworkRequest request) {
        Attachment attachment = networking.prepare(id, request, null, state);
        fake.init(init);
        networking.wire(attachment, init);
        return attachment;
    }

    @Test
    void wireMakesTheRulesFirstThenTheBridgeThenTheVethIntoInitsNamespaceThenItsAddressAndRoute() {
        Attachment attachment = networking.prepare("web", bridge("8080:80"), null, WEB_STATE);
        fake.init(WEB_INIT).forgetCalls();

        networking.wire(attachment, WEB_INIT);

        assertEquals(List.of(
                "nft adding firewall rules for container \"web\"",   // before the veth: nothing passes unfiltered
                "newbridge host hako0 mtu 1500",
                "newaddr host hako0 10.88.0.1/16",
                "sysctl net/ipv4/ip_forward=1",
                "sysctl net/ipv4/conf/hako0/route_localnet=1",
                "newveth host " + veth + " master hako0 mtu 1500 peer eth0 in ns4242",
                "setup ns4242 lo",
                "newaddr ns4242 eth0 10.88.0.2/16",
                "setup ns4242 eth0",
                "newroute ns4242 default via 10.88.0.1 dev eth0"), fake.calls(NetSystemFake.CHANGES));
        assertEquals(List.of("lo loopback up", "eth0 device up", "hako0 bridge up", veth + " veth up master hako0"), fake.links("host"));
        assertEquals(List.of("lo loopback up", "eth0 veth up"), fake.links("ns4242"));
        assertEquals(List.of("eth0 10.88.0.2/16"), fake.addresses("ns4242"));
        assertEquals(List.of("default via 10.88.0.1 dev eth0"), fake.routes("ns4242"));
        assertEquals(List.of("tcp . 8080 : jump c-" + key + "-dnat"), fake.elements(FirewallRules.TABLE, "published"));
        assertTrue(fake.chains(FirewallRules.TABLE).get("c-" + key + "-dnat").contains("meta l4proto tcp th dport 8080 dnat ip to 10.88.0.2:80"));
        assertEquals(0, fake.openSockets());
    }

    @Test
    void wireRecordsTheInitUnderTheLockOnceTheNetworkIsBuilt() {
        Attachment attachment = networking.prepare("web", bridge(), null, WEB_STATE);
        fake.init(WEB_INIT).forgetCalls();

        networking.wire(attachment, WEB_INIT);

        List<String> tail = fake.calls().subList(fake.calls().size() - 4, fake.calls().size());
        Path record = ROOT.resolve("containers/web.json");
        assertEquals(List.of("lock " + LOCK, "write " + record + ".tmp", "rename " + record + ".tmp " + record, "unlock " + LOCK), tail);
        assertEquals(fake.process(WEB_INIT), networking.allocation("web").init());
    }

    @Test
    void prepareReservesUnderTheLockAndTouchesNoLinkNorRule() {
        networking.prepare("web", bridge("8080:80"), "www", WEB_STATE);

        List<String> calls = fake.calls();
        int lock = calls.indexOf("lock " + LOCK), unlock = calls.indexOf("unlock " + LOCK);
        assertTrue(lock >= 0 && unlock > lock, calls::toString);
        Path record = ROOT.resolve("containers/web.json");
        for (String inside : List.of("list " + ROOT.resolve("containers"), "probe 8080/tcp", "rename " + record + ".tmp " + record,
                "write " + ROOT.resolve("networks/hako.json") + ".tmp")) {
            int at = calls.indexOf(inside);
            assertTrue(at > lock && at < unlock, inside + " while the lock is held: " + calls);
        }
        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES), "nothing on the network before wire");
        assertFalse(fake.holdsLock());
        assertTrue(fake.content(WEB_STATE.resolve("hosts")).contains("10.88.0.2\twww web\n"));
        assertEquals("nameserver 192.0.2.53\n", fake.content(WEB_STATE.resolve("resolv.conf")));
        assertEquals("www\n", fake.content(WEB_STATE.resolve("hostname")));
    }

    @Test
    void theNextContainerGetsTheNextAddressNeverAPortTakenAndBothKnowEachOther() {
        run("web", WEB_STATE, WEB_INIT, bridge("8080:80"));

        NetworkException clash = assertThrows(NetworkException.class, () -> networking.prepare("db", bridge("8080:5432"), null, DB_STATE));
        assertEquals("port 8080/tcp is already published by container \"web\"", clash.getMessage());
        assertNull(networking.allocation("db"));
        assertFalse(fake.holdsLock());

        networking.prepare("db", bridge("5432:5432"), null, DB_STATE);
        assertEquals(Ipv4.parse("10.88.0.3"), networking.allocation("db").address());
        assertTrue(fake.content(WEB_STATE.resolve("hosts")).contains("10.88.0.3\tdb\n"), "rewritten in place for the newcomer");
        assertTrue(fake.content(DB_STATE.resolve("hosts")).contains("10.88.0.2\tweb\n"));
    }

    @Test
    void aPortAHostServiceHoldsIsRefusedBeforeAnythingIsReserved() {
        fake.portTaken(7070, "tcp");

        NetworkException e = assertThrows(NetworkException.class, () -> networking.prepare("web", bridge("7070:80"), null, WEB_STATE));

        assertEquals("port 7070/tcp is already in use on the host", e.getMessage());
        assertNull(networking.allocation("web"));
        assertFalse(fake.holdsLock());
    }

    @Test
    void aSecondContainerOnAWiredNetworkAddsOnlyItsOwnRulesAndVeth() {
        run("web", WEB_STATE, WEB_INIT, bridge());
        Attachment db = networking.prepare("db", bridge(), null, DB_STATE);
        fake.init(DB_INIT).forgetCalls();

        networking.wire(db, DB_INIT);

        assertEquals(List.of("nft adding firewall rules for container \"db\"",
                "newveth host hk" + networking.key("db") + " master hako0 mtu 1500 peer eth0 in ns4343",
                "setup ns4343 lo", "newaddr ns4343 eth0 10.88.0.3/16", "setup ns4343 eth0",
                "newroute ns4343 default via 10.88.0.1 dev eth0"), fake.calls(NetSystemFake.CHANGES));
        assertFalse(fake.scripts().getFirst().contains("add table"), "the network's rules are in place: the container's alone");
    }

    @Test
    void tablesSomeoneFlushedAreMadeAgainWithTheContainersRulesInOneTransaction() {
        run("web", WEB_STATE, WEB_INIT, bridge());
        fake.dropTables();
        Attachment db = networking.prepare("db", bridge("5432:5432"), null, DB_STATE);
        fake.init(DB_INIT).forgetCalls();

        networking.wire(db, DB_INIT);

        assertEquals(List.of("nft adding firewall rules for container \"db\"", "nft adding firewall rules for container \"db\""),
                fake.calls("nft"));
        assertTrue(fake.scripts().get(1).startsWith("add table " + FirewallRules.TABLE));
        assertEquals(List.of("tcp . 5432 : jump c-" + networking.key("db") + "-dnat"), fake.elements(FirewallRules.TABLE, "published"));
    }

    /**
     * Each step of wire failing in turn; then what the lifecycle does after any failure, release.
     * Nothing of the container is left: no record, no veth, no rule, no half-made bridge.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nft", "newbridge host", "newaddr host", "sysctl net/ipv4/ip_forward", "sysctl net/ipv4/conf",
            "newveth host", "setup ns4242 lo", "newaddr ns4242", "setup ns4242 eth0", "newroute ns4242"})
    void aFailureAtAnyStepOfWireLeavesNothingOnceReleased(String step) {
        Attachment attachment = networking.prepare("web", bridge("8080:80"), null, WEB_STATE);
        fake.init(WEB_INIT).failOn(step, Errno.EPERM);

        NetworkException e = assertThrows(NetworkException.class, () -> networking.wire(attachment, WEB_INIT));
        assertTrue(e.getMessage().endsWith("operation not permitted"), e.getMessage());
        fake.forgetCalls();
        networking.release("web");

        List<String> undo = fake.calls(NetSystemFake.CHANGES);
        assertEquals(List.of("dellink host " + veth, "nft removing firewall rules of container \"web\""), undo.subList(0, 2),
                "the veth, then the rules: the reverse of wire");
        assertNull(networking.allocation("web"));
        assertFalse(fake.links("host").stream().anyMatch(l -> l.startsWith(veth)), fake.links("host")::toString);
        assertEquals(List.of("lo loopback"), fake.links("ns4242").stream().map(l -> l.replace(" up", "")).toList());
        assertNoRulesOf(key, "10.88.0.2");
        assertFalse(fake.holdsLock());
        assertEquals(0, fake.openSockets());

        // The next container finds the network whole: a bridge made is a bridge with its address.
        run("db", DB_STATE, DB_INIT, bridge());
        assertTrue(fake.addresses("host").contains("hako0 10.88.0.1/16"), fake.addresses("host")::toString);
        assertEquals("1", fake.content(Path.of("/proc/sys/net/ipv4/ip_forward")));
        assertEquals("1", fake.content(Path.of("/proc/sys/net/ipv4/conf/hako0/route_localnet")));
        assertEquals(List.of("default via 10.88.0.1 dev eth0"), fake.routes("ns4343"));
    }

    void assertNoRulesOf(String containerKey, String address) {
        Map<String, List<String>> chains = fake.chains(FirewallRules.TABLE);
        assertFalse(chains.keySet().stream().anyMatch(c -> c.contains(containerKey)), chains::toString);
        for (String set : List.of("published", "egress", "sources")) {
            assertFalse(fake.elements(FirewallRules.TABLE, set).stream().anyMatch(e -> e.contains(address) || e.contains(containerKey)),
                    set + ": " + fake.elements(FirewallRules.TABLE, set));
        }
        assertEquals(List.of(), fake.elements(FirewallRules.BRIDGE_TABLE, "isolated"));
    }

    @Test
    void releaseTwiceIsReleaseOnce() {
        run("web", WEB_STATE, WEB_INIT, bridge("8080:80"));
        networking.release("web");
        fake.forgetCalls();

        networking.release("web");

        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES));
    }

    @Test
    void gcReclaimsAContainerWhoseInitDiedAndWhoseVethTheKernelTookAway() {
        run("web", WEB_STATE, WEB_INIT, bridge("8080:80"));
        fake.exit(WEB_INIT);
        assertFalse(fake.links("host").stream().anyMatch(l -> l.startsWith(veth)), "the namespace went, and both ends of the pair");
        fake.forgetCalls();

        assertEquals(List.of("web"), networking.gc());

        assertEquals(List.of("dellink host " + veth, "nft removing firewall rules of container \"web\""), fake.calls(NetSystemFake.CHANGES),
                "a veth already gone is no error");
        assertNull(networking.allocation("web"));
        assertNoRulesOf(key, "10.88.0.2");
        assertEquals(List.of(), networking.gc());
    }

    @Test
    void gcReclaimsWhatAHakoKilledHalfWayThroughWireLeft() {
        Attachment attachment = networking.prepare("web", bridge("8080:80"), null, WEB_STATE);
        fake.init(WEB_INIT).failOn("newaddr ns4242", Errno.EINTR);   // stands for the kill: rules and veth made, init unrecorded
        assertThrows(NetworkException.class, () -> networking.wire(attachment, WEB_INIT));
        fake.newHako();

        assertEquals(List.of("web"), networking.gc());

        assertNull(networking.allocation("web"));
        assertFalse(fake.links("host").stream().anyMatch(l -> l.startsWith(veth)));
        assertEquals(List.of("lo loopback up"), fake.links("ns4242"), "the peer went with its host end");
        assertNoRulesOf(key, "10.88.0.2");
        assertEquals(List.of(), networking.gc());
    }

    @Test
    void aRecycledPidIsNotTheContainersInit() {
        run("web", WEB_STATE, WEB_INIT, bridge());
        fake.exit(WEB_INIT).init(WEB_INIT);   // another process, the same pid

        assertEquals(List.of("web"), networking.gc());
    }

    @Test
    void aLiveContainerIsNotReclaimedByAnotherHakosPrepare() {
        run("web", WEB_STATE, WEB_INIT, bridge());
        fake.newHako().forgetCalls();

        networking.prepare("db", bridge(), null, DB_STATE);

        assertNotNull(networking.allocation("web"));
        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES));
    }

    @Test
    void releaseRepairsTablesSomeoneFlushedSoTheRemovalStillSucceeds() {
        run("web", WEB_STATE, WEB_INIT, bridge("8080:80"));
        fake.dropTables().forgetCalls();

        networking.release("web");

        assertEquals(2, fake.calls("nft").size(), "the removal alone fails on missing tables, then succeeds on them made again");
        assertNull(networking.allocation("web"));
    }

    @Test
    void noneBringsUpLoopbackAloneAndRootlessLeavesTheNamespaceToInit() {
        NetworkRequest none = NetworkRequest.parse("none", List.of(), List.of(), null, null);
        run("web", WEB_STATE, WEB_INIT, none);
        assertEquals(List.of("setup ns4242 lo"), fake.calls(NetSystemFake.CHANGES));
        assertEquals(List.of("lo loopback up"), fake.links("ns4242"));

        fake.rootless(true).forgetCalls();
        run("db", DB_STATE, DB_INIT, none);
        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES));
        assertEquals(List.of(), fake.calls("open"));
    }
}
