package hako.net;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** linux.netDevices in the recording fake: moved, renamed, given their addresses back, up. */
class NetDevicesTest {
    static final int INIT = 4242;

    final NetSystemFake fake = new NetSystemFake().hostDevice("eth0", "192.0.2.10/24").hostDevice("dummy0", "198.51.100.7/24").init(INIT);

    @Test
    void aDeviceMovesRenamedGetsTheAddressTheKernelDroppedAndComesUp() {
        NetDevices.move(fake, Map.of("dummy0", "net1"), INIT);

        assertEquals(List.of("movelink host dummy0 to ns4242 as net1", "newaddr ns4242 net1 198.51.100.7/24", "setup ns4242 net1"),
                fake.calls(NetSystemFake.CHANGES));
        assertEquals(List.of("lo loopback", "net1 device up"), fake.links("ns4242"));
        assertEquals(List.of("net1 198.51.100.7/24"), fake.addresses("ns4242"));
        assertEquals(List.of("lo loopback up", "eth0 device up"), fake.links("host"));
        assertEquals(0, fake.openSockets());
    }

    @Test
    void aNameWithPercentDIsNumberedByTheKernelAndFoundByItsIndex() {
        NetDevices.move(fake, Map.of("dummy0", "net%d"), INIT);

        assertEquals(List.of("lo loopback", "net0 device up"), fake.links("ns4242"));
    }

    @Test
    void aDeviceTheHostHasNotIsRefusedAndNothingMoves() {
        NetworkException e = assertThrows(NetworkException.class, () -> NetDevices.move(fake, Map.of("nope0", "net1"), INIT));

        assertEquals("linux.netDevices: there is no network device nope0 on the host", e.getMessage());
        assertEquals(List.of(), fake.calls(NetSystemFake.CHANGES));
        assertEquals(0, fake.openSockets());
    }
}
