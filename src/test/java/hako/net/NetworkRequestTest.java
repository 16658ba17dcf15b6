package hako.net;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The -p, --allow-from, --egress, --network and --ip flags, and their annotations. */
class NetworkRequestTest {
    static String message(Runnable action) {
        return assertThrows(NetworkException.class, action::run).getMessage();
    }

    static NetworkRequest flags(String network, List<String> publish, List<String> allow, String egress, String ip) {
        return NetworkRequest.parse(network, publish, allow, egress, ip);
    }

    @Test
    void publishedPortsInEveryForm() {
        assertEquals(new PortMapping(null, 8080, 80, 1, "tcp"), PortMapping.parse("8080:80"));
        assertEquals(new PortMapping(Ipv4.parse("127.0.0.1"), 8080, 80, 1, "udp"), PortMapping.parse("127.0.0.1:8080:80/udp"));
        assertEquals(new PortMapping(null, 9000, 90, 11, "tcp"), PortMapping.parse("9000-9010:90-100/TCP"));
        assertEquals(new PortMapping(null, 53, 53, 1, "udp"), PortMapping.parse(":53:53/udp"));
        assertEquals(new PortMapping(null, 8080, 80, 1, "tcp"), PortMapping.parse("0.0.0.0:8080:80"));
        assertEquals("127.0.0.1:9000-9001:90-91/tcp", PortMapping.parse("127.0.0.1:9000-9001:90-91").toString());
    }

    @Test
    void badPublishedPortsSayWhatIsWrong() {
        assertEquals("invalid published port \"8080\": use [hostIP:]hostPort:containerPort[/tcp|udp]", message(() -> PortMapping.parse("8080")));
        assertEquals("invalid published port \"0:80\": port 0 is not in 1..65535", message(() -> PortMapping.parse("0:80")));
        assertEquals("invalid published port \"x:80\": \"x\" is not a port number", message(() -> PortMapping.parse("x:80")));
        assertEquals("invalid published port \"80:80/sctp\": invalid protocol \"sctp\": use tcp or udp", message(() -> PortMapping.parse("80:80/sctp")));
        assertEquals("invalid published port \"9000-9002:90-91\": the host and container ranges differ in size", message(() -> PortMapping.parse("9000-9002:90-91")));
        assertEquals("invalid published port \"9-8:9-8\": range 9-8 ends before it starts", message(() -> PortMapping.parse("9-8:9-8")));
        assertTrue(message(() -> PortMapping.parse("1.2.3:80:80")).contains("invalid IPv4 address \"1.2.3\""));
        assertTrue(message(() -> PortMapping.parse("1-2000:1-2000")).contains("at most 1024 ports"));
    }

    @Test
    void clashesAreAboutProtocolAndHostPort() {
        assertTrue(PortMapping.parse("8080-8090:80-90").clashes(PortMapping.parse("127.0.0.1:8085:80")));
        assertTrue(!PortMapping.parse("8080:80").clashes(PortMapping.parse("8080:80/udp")));
        assertEquals("published ports 8080:80/tcp and 8080:81/tcp use the same host port",
                message(() -> flags(null, List.of("8080:80", "8080:81"), List.of(), null, null)));
    }

    @Test
    void allowRulesForAllPortsOrOne() {
        AllowRule all = AllowRule.parse("10.0.0.0/8, 192.0.2.7");
        assertEquals(0, all.port());
        assertEquals(List.of(Subnet.parse("10.0.0.0/8"), Subnet.parse("192.0.2.7/32")), all.sources());
        AllowRule one = AllowRule.parse("8080/udp=203.0.113.0/24");
        assertEquals(8080, one.port());
        assertEquals("udp", one.protocol());
        assertTrue(one.covers(8080, "udp") && !one.covers(8080, "tcp") && !one.covers(8081, "udp"));
        assertEquals("8080/udp=203.0.113.0/24", one.toString());
        assertTrue(message(() -> AllowRule.parse("10.0.0.0/33")).startsWith("invalid --allow-from \"10.0.0.0/33\": invalid CIDR"));
        assertEquals("--allow-from 9090=10.0.0.0/8: port 9090 is not published",
                message(() -> flags(null, List.of("8080:80"), List.of("9090=10.0.0.0/8"), null, null)));
    }

    @Test
    void egressPolicies() {
        assertEquals(Egress.ALL, Egress.parse("all"));
        assertEquals(Egress.NONE, Egress.parse("none"));
        Egress some = Egress.parse("10.0.0.0/8,192.0.2.1:53/udp,198.51.100.0/24:8000-8080");
        assertEquals(List.of(new Egress.Destination(Subnet.parse("10.0.0.0/8"), 0, 0, null),
                new Egress.Destination(Subnet.parse("192.0.2.1/32"), 53, 53, "udp"),
                new Egress.Destination(Subnet.parse("198.51.100.0/24"), 8000, 8080, "tcp")), some.allowed());
        assertEquals(some, Egress.parse(some.toString()));
        assertTrue(message(() -> Egress.parse("10.1.2.3/8:443")).contains("host bits are set"));
        assertTrue(message(() -> Egress.parse("10.0.0.0/8:99999")).contains("not in 1..65535"));
    }

    @Test
    void modes() {
        assertEquals(NetworkRequest.UNMANAGED, flags(null, List.of(), List.of(), null, null));
        NetworkRequest bridge = flags(null, List.of("80:80"), List.of(), null, null);
        assertEquals(NetworkRequest.Mode.BRIDGE, bridge.mode());
        assertEquals("hako", bridge.network(), "publishing a port implies the default network");
        assertEquals("hako", flags("bridge", List.of(), List.of(), null, null).network());
        assertEquals("mynet", flags("mynet", List.of(), List.of(), null, "10.1.0.5").network());
        assertEquals(NetworkRequest.Mode.NONE, flags("none", List.of(), List.of(), null, null).mode());
        assertEquals(NetworkRequest.Mode.HOST, flags("host", List.of(), List.of(), null, null).mode());
        NetworkRequest joined = flags("container:web", List.of(), List.of(), null, null);
        assertEquals(NetworkRequest.Mode.CONTAINER, joined.mode());
        assertEquals("web", joined.container());
        assertNull(joined.network());
        assertEquals("published ports need a bridge network, not --network host",
                message(() -> flags("host", List.of("80:80"), List.of(), null, null)));
        assertEquals("--egress need a bridge network, not --network none",
                message(() -> flags("none", List.of(), List.of(), "none", null)));
    }

    @Test
    void annotationsSayTheSameAsFlagsAndFlagsWin() {
        Map<String, String> annotations = Map.of(
                NetworkRequest.ANNOTATION_NETWORK, "mynet",
                NetworkRequest.ANNOTATION_PUBLISH, "8080:80, 5353:53/udp",
                NetworkRequest.ANNOTATION_ALLOW_FROM, "10.0.0.0/8,192.0.2.0/24; 8080=203.0.113.1",
                NetworkRequest.ANNOTATION_EGRESS, "10.0.0.0/8:443",
                NetworkRequest.ANNOTATION_IP, "10.89.0.9");
        NetworkRequest request = NetworkRequest.fromAnnotations(annotations);
        assertEquals("mynet", request.network());
        assertEquals(List.of(PortMapping.parse("8080:80"), PortMapping.parse("5353:53/udp")), request.ports());
        assertEquals(List.of(AllowRule.parse("10.0.0.0/8,192.0.2.0/24"), AllowRule.parse("8080=203.0.113.1")), request.allowFrom());
        assertEquals("10.0.0.0/8:443/tcp", request.egress().toString());
        assertEquals(Ipv4.parse("10.89.0.9"), request.address());
        NetworkRequest overridden = new NetworkRequest.Flags("other", List.of("9090:90"), List.of(), "none", null).resolve(annotations);
        assertEquals("other", overridden.network());
        assertEquals(List.of(PortMapping.parse("9090:90")), overridden.ports());
        assertEquals(Egress.NONE, overridden.egress());
        assertEquals(List.of(), overridden.allowFrom(), "flags replace the annotations as a whole");
        assertNull(overridden.address());
        assertEquals(NetworkRequest.UNMANAGED, NetworkRequest.Flags.NONE.resolve(Map.of()));
    }

    @Test
    void aContainerToJoinIsAContainerIdNeverAPath() {
        assertTrue(message(() -> flags("container:../networks/default", List.of(), List.of(), null, null)).contains("invalid container id"));
        assertTrue(message(() -> flags("container:/etc/passwd", List.of(), List.of(), null, null)).contains("invalid container id"));
        assertEquals("web-1", flags("container:web-1", List.of(), List.of(), null, null).container());
    }
}
