package hako.net;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetlinkMessageTest {
    private static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    @Test
    void setUpIsHeaderAndIfinfomsgByteForByte() {
        ByteBuffer expected = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        expected.putInt(32).putShort((short) 16).putShort((short) (1 | 4)).putInt(7).putInt(0); // nlmsghdr
        expected.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(42).putInt(1).putInt(1); // ifinfomsg
        assertArrayEquals(expected.array(), RouteMessages.setUp(7, 42).bytes());
    }

    @Test
    void stringAttributesAreNulTerminatedAndPaddedToFourBytes() {
        byte[] bytes = new NetlinkMessage(18, 1, 1).attributeString(3, "eth0").bytes();
        ByteBuffer in = buffer(bytes);
        assertEquals(16 + 12, in.getInt(0), "total length");
        assertEquals(9, in.getShort(16), "attribute length: 4 + \"eth0\" + NUL, unpadded");
        assertEquals(3, in.getShort(18));
        assertEquals('e', in.get(20));
        assertEquals(0, in.get(24), "NUL");
        assertEquals(0, bytes.length % 4);
    }

    @Test
    void vethNestsThePeerWithItsNameMtuAndNamespace() {
        byte[] bytes = RouteMessages.newVeth(3, "hk0123456789", 1400, 5, "eth0", 4242).bytes();
        ByteBuffer in = buffer(bytes);
        assertEquals(bytes.length, in.getInt(0));
        assertEquals(RouteMessages.RTM_NEWLINK, in.getShort(4));
        assertEquals(1 | 4 | 0x400 | 0x200, in.getShort(6), "request, ack, create, excl");
        ByteBuffer payload = in.slice(16, bytes.length - 16).order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> link = NetlinkReply.attributes(payload, 16);
        assertEquals("hk0123456789", NetlinkReply.string(link.get(RouteMessages.IFLA_IFNAME)));
        assertEquals(1400, link.get(RouteMessages.IFLA_MTU).getInt(0));
        assertEquals(5, link.get(RouteMessages.IFLA_MASTER).getInt(0));
        Map<Integer, ByteBuffer> info = NetlinkReply.attributes(link.get(RouteMessages.IFLA_LINKINFO), 0);
        assertEquals("veth", NetlinkReply.string(info.get(RouteMessages.IFLA_INFO_KIND)));
        ByteBuffer peer = NetlinkReply.attributes(info.get(RouteMessages.IFLA_INFO_DATA), 0).get(RouteMessages.VETH_INFO_PEER);
        Map<Integer, ByteBuffer> peerAttributes = NetlinkReply.attributes(peer, 16); // after the peer's own ifinfomsg
        assertEquals("eth0", NetlinkReply.string(peerAttributes.get(RouteMessages.IFLA_IFNAME)));
        assertEquals(1400, peerAttributes.get(RouteMessages.IFLA_MTU).getInt(0));
        assertEquals(4242, peerAttributes.get(RouteMessages.IFLA_NET_NS_PID).getInt(0));
    }

    @Test
    void nestedAttributesCarryTheNestedFlagAndTheirWholeLength() {
        byte[] bytes = RouteMessages.newBridge(1, "hako0", 1500).bytes();
        ByteBuffer in = buffer(bytes);
        // header 16, ifinfomsg 16, IFNAME 4+6→12, MTU 8, then LINKINFO
        int linkinfo = 16 + 16 + 12 + 8;
        assertEquals(RouteMessages.IFLA_LINKINFO | 0x8000, in.getShort(linkinfo + 2) & 0xffff);
        assertEquals(4 + 12, in.getShort(linkinfo), "LINKINFO holds KIND \"bridge\" (4 + 7, padded to 12)");
        assertEquals(bytes.length, linkinfo + 16);
    }

    @Test
    void addressesAndRoutesAreInNetworkByteOrder() {
        byte[] bytes = RouteMessages.newAddress(1, 9, Ipv4.parse("10.88.0.2"), Subnet.parse("10.88.0.0/16")).bytes();
        ByteBuffer payload = buffer(bytes).slice(16, bytes.length - 16).order(ByteOrder.nativeOrder());
        assertEquals(2, payload.get(0), "AF_INET");
        assertEquals(16, payload.get(1), "prefix length");
        assertEquals(9, payload.getInt(4), "link index");
        Map<Integer, ByteBuffer> attributes = NetlinkReply.attributes(payload, 8);
        byte[] local = new byte[4];
        attributes.get(RouteMessages.IFA_LOCAL).get(0, local);
        assertArrayEquals(new byte[] {10, 88, 0, 2}, local);
        byte[] broadcast = new byte[4];
        attributes.get(RouteMessages.IFA_BROADCAST).get(0, broadcast);
        assertArrayEquals(new byte[] {10, 88, (byte) 255, (byte) 255}, broadcast);

        byte[] route = RouteMessages.newDefaultRoute(2, 3, Ipv4.parse("10.88.0.1")).bytes();
        ByteBuffer rt = buffer(route).slice(16, route.length - 16).order(ByteOrder.nativeOrder());
        assertEquals(0, rt.get(1), "a default route has no destination prefix");
        assertEquals(254, rt.get(4) & 0xff, "main table");
        Map<Integer, ByteBuffer> rta = NetlinkReply.attributes(rt, 12);
        byte[] gateway = new byte[4];
        rta.get(RouteMessages.RTA_GATEWAY).get(0, gateway);
        assertArrayEquals(new byte[] {10, 88, 0, 1}, gateway);
        assertEquals(3, rta.get(RouteMessages.RTA_OIF).getInt(0));
    }

    @Test
    void unclosedNestIsABug() {
        NetlinkMessage message = new NetlinkMessage(16, 1, 1).begin(18);
        try {
            message.bytes();
            throw new AssertionError("expected a failure");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("unclosed"));
        }
    }

    /** An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK. */
    static byte[] error(int errno, String explanation, int sequence) {
        byte[] text = (explanation + "\0").getBytes();
        int attribute = explanation == null ? 0 : (4 + text.length + 3) & ~3;
        int length = 16 + 4 + 16 + attribute;
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        out.putInt(length).putShort((short) 2).putShort((short) (explanation == null ? 0x100 : 0x300)).putInt(sequence).putInt(0);
        out.putInt(-errno);
        out.putInt(32).putShort((short) 16).putShort((short) 0).putInt(sequence).putInt(0); // the request's header, capped
        if (explanation != null) {
            out.putShort((short) (4 + text.length)).putShort((short) 1).put(text);
        }
        return out.array();
    }

    @Test
    void kernelErrorsBecomeOneReadableLine() {
        List<NetlinkReply.Message> replies = NetlinkReply.parse(buffer(error(17, null, 5)));
        assertEquals(1, replies.size());
        assertTrue(replies.getFirst().isError());
        assertEquals(17, replies.getFirst().errno());
        assertNull(replies.getFirst().explanation());
        NetworkException e = RouteSocket.failure("creating veth hk1a2b3c4d5e", replies.getFirst());
        assertEquals("creating veth hk1a2b3c4d5e: file exists", e.getMessage());
        assertEquals(17, e.errno());

        NetlinkReply.Message explained = NetlinkReply.parse(buffer(error(95, "Unknown device type", 6))).getFirst();
        assertEquals("Unknown device type", explained.explanation());
        assertEquals("creating bridge x: operation not supported (unknown device type)",
                RouteSocket.failure("creating bridge x", explained).getMessage());
    }

    @Test
    void acknowledgementIsAnErrorOfZero() {
        NetlinkReply.Message ack = NetlinkReply.parse(buffer(error(0, null, 9))).getFirst();
        assertTrue(ack.isError());
        assertEquals(0, ack.errno());
        assertEquals(9, ack.sequence());
    }

    @Test
    void dumpAnswersAreReadAsLinks() {
        byte[] one = new NetlinkMessage(RouteMessages.RTM_NEWLINK, 2, 1).ifinfo(0, 4, 1, 0)
                .attributeString(RouteMessages.IFLA_IFNAME, "hako0")
                .attributeU32(RouteMessages.IFLA_MTU, 1500)
                .begin(RouteMessages.IFLA_LINKINFO).attributeString(RouteMessages.IFLA_INFO_KIND, "bridge").end().bytes();
        byte[] two = new NetlinkMessage(RouteMessages.RTM_NEWLINK, 2, 1).ifinfo(0, 5, 0, 0)
                .attributeString(RouteMessages.IFLA_IFNAME, "hkabc").attributeU32(RouteMessages.IFLA_MASTER, 4).bytes();
        byte[] done = new NetlinkMessage(NetlinkReply.NLMSG_DONE, 2, 1).u32(0).bytes();
        List<RouteMessages.Link> links = RouteMessages.links(NetlinkReply.parse(buffer(NetlinkMessage.concat(one, two, done))));
        assertEquals(List.of(new RouteMessages.Link(4, "hako0", 0, "bridge", true), new RouteMessages.Link(5, "hkabc", 4, null, false)), links);
    }

    @Test
    void malformedLengthIsRefused() {
        byte[] bytes = RouteMessages.setUp(1, 1).bytes();
        buffer(bytes).putInt(0, 999);
        try {
            NetlinkReply.parse(buffer(bytes));
            throw new AssertionError("expected a failure");
        } catch (NetworkException expected) {
            assertTrue(expected.getMessage().contains("malformed"));
        }
    }
}
