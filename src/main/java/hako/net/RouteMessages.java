package hako.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rtnetlink messages hako sends (linux/rtnetlink.h, linux/if_link.h, linux/veth.h) and the
 * few it reads back. Pure encoding and decoding, so unit tests can check them byte by byte.
 */
final class RouteMessages {
    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20, RTM_GETADDR = 22, RTM_NEWROUTE = 24;
    static final int AF_UNSPEC = 0, AF_INET = 2;
    static final int IFF_UP = 1;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_PID = 19;
    static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;
    static final int RTA_GATEWAY = 5, RTA_OIF = 4;
    static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RT_SCOPE_HOST = 254, RTN_UNICAST = 1;

    private static final int CREATE = NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK
            | NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL;
    private static final int CHANGE = NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK;

    private RouteMessages() {}

    /** A bridge, up, with its MTU. */
    static NetlinkMessage newBridge(int sequence, String name, int mtu) {
        return new NetlinkMessage(RTM_NEWLINK, CREATE, sequence)
                .ifinfo(AF_UNSPEC, 0, IFF_UP, IFF_UP)
                .attributeString(IFLA_IFNAME, name)
                .attributeU32(IFLA_MTU, mtu)
                .begin(IFLA_LINKINFO).attributeString(IFLA_INFO_KIND, "bridge").end();
    }

    /**
     * A veth pair in one message: this end named {@code name}, up and enslaved to the bridge
     * {@code master}; the peer created directly inside the network namespace of process
     * {@code peerPid} as {@code peerName}, so it never exists on the host under a name that could clash.
     */
    static NetlinkMessage newVeth(int sequence, String name, int mtu, int master, String peerName, int peerPid) {
        return new NetlinkMessage(RTM_NEWLINK, CREATE, sequence)
                .ifinfo(AF_UNSPEC, 0, IFF_UP, IFF_UP)
                .attributeString(IFLA_IFNAME, name)
                .attributeU32(IFLA_MTU, mtu)
                .attributeU32(IFLA_MASTER, master)
                .begin(IFLA_LINKINFO)
                .attributeString(IFLA_INFO_KIND, "veth")
                .begin(IFLA_INFO_DATA)
                .begin(VETH_INFO_PEER)
                .ifinfo(AF_UNSPEC, 0, 0, 0)
                .attributeString(IFLA_IFNAME, peerName)
                .attributeU32(IFLA_MTU, mtu)
                .attributeU32(IFLA_NET_NS_PID, peerPid)
                .end().end().end();
    }

    /** Moves a link into the network namespace of {@code pid}, renamed (a %d in the name lets the kernel number it). */
    static NetlinkMessage moveLink(int sequence, int index, int pid, String name) {
        return new NetlinkMessage(RTM_NEWLINK, CHANGE, sequence).ifinfo(AF_UNSPEC, index, 0, 0)
                .attributeU32(IFLA_NET_NS_PID, pid).attributeString(IFLA_IFNAME, name);
    }

    static NetlinkMessage setUp(int sequence, int index) {
        return new NetlinkMessage(RTM_NEWLINK, CHANGE, sequence).ifinfo(AF_UNSPEC, index, IFF_UP, IFF_UP);
    }

    static NetlinkMessage deleteLink(int sequence, String name) {
        return new NetlinkMessage(RTM_DELLINK, CHANGE, sequence).ifinfo(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, name);
    }

    static NetlinkMessage getLink(int sequence, String name) {
        return new NetlinkMessage(RTM_GETLINK, NetlinkMessage.NLM_F_REQUEST, sequence)
                .ifinfo(AF_UNSPEC, 0, 0, 0).attributeString(IFLA_IFNAME, name);
    }

    static NetlinkMessage dumpLinks(int sequence) {
        return new NetlinkMessage(RTM_GETLINK, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, sequence)
                .ifinfo(AF_UNSPEC, 0, 0, 0);
    }

    /** An IPv4 address with its prefix on a link, and the broadcast address that goes with it. */
    static NetlinkMessage newAddress(int sequence, int index, Ipv4 address, Subnet subnet) {
        NetlinkMessage message = new NetlinkMessage(RTM_NEWADDR, CREATE, sequence)
                .ifaddr(AF_INET, subnet.prefix(), RT_SCOPE_UNIVERSE, index)
                .attribute(IFA_LOCAL, address.bytes())
                .attribute(IFA_ADDRESS, address.bytes());
        if (subnet.prefix() < 31) message.attribute(IFA_BROADCAST, subnet.broadcast().bytes());
        return message;
    }

    static NetlinkMessage dumpAddresses(int sequence) {
        return new NetlinkMessage(RTM_GETADDR, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, sequence)
                .ifaddr(AF_INET, 0, 0, 0);
    }

    /** The default route through {@code gateway} on link {@code index}. */
    static NetlinkMessage newDefaultRoute(int sequence, int index, Ipv4 gateway) {
        return new NetlinkMessage(RTM_NEWROUTE, CREATE, sequence)
                .rtmsg(AF_INET, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST)
                .attribute(RTA_GATEWAY, gateway.bytes())
                .attributeU32(RTA_OIF, index);
    }

    /** One link as RTM_NEWLINK describes it. */
    record Link(int index, String name, int master, String kind, boolean up) {}

    static Link link(NetlinkReply.Message message) {
        ByteBuffer payload = message.payload();
        int index = payload.getInt(4);
        int flags = payload.getInt(8);
        Map<Integer, ByteBuffer> attributes = NetlinkReply.attributes(payload, 16);
        String name = attributes.containsKey(IFLA_IFNAME) ? NetlinkReply.string(attributes.get(IFLA_IFNAME)) : "";
        int master = attributes.containsKey(IFLA_MASTER) ? attributes.get(IFLA_MASTER).getInt(0) : 0;
        String kind = null;
        if (attributes.containsKey(IFLA_LINKINFO)) {
            ByteBuffer info = NetlinkReply.attributes(attributes.get(IFLA_LINKINFO), 0).get(IFLA_INFO_KIND);
            if (info != null) kind = NetlinkReply.string(info);
        }
        return new Link(index, name, master, kind, (flags & IFF_UP) != 0);
    }

    static List<Link> links(List<NetlinkReply.Message> messages) {
        List<Link> links = new ArrayList<>();
        for (NetlinkReply.Message message : messages) {
            if (message.type() == RTM_NEWLINK) links.add(link(message));
        }
        return links;
    }

    /** An IPv4 address of a link and its prefix, as RTM_NEWADDR describes it. */
    /**
     * @param permanentGlobal IFA_F_PERMANENT with global scope: what moving a device must carry
     *                        over (the runtime spec's netDevices)
     */
    record Address(int index, Ipv4 address, int prefix, boolean permanentGlobal) {
        Subnet subnet() {
            return new Subnet(new Ipv4(address.bits() & Subnet.mask(prefix)), prefix);
        }
    }

    static List<Address> addresses(List<NetlinkReply.Message> messages) {
        List<Address> addresses = new ArrayList<>();
        for (NetlinkReply.Message message : messages) {
            ByteBuffer payload = message.payload();
            if (message.type() != RTM_NEWADDR || (payload.get(0) & 0xff) != AF_INET) continue;
            Map<Integer, ByteBuffer> attributes = NetlinkReply.attributes(payload, 8);
            ByteBuffer local = attributes.containsKey(IFA_LOCAL) ? attributes.get(IFA_LOCAL) : attributes.get(IFA_ADDRESS);
            if (local == null) continue;
            byte[] bytes = new byte[4];
            local.get(0, bytes);
            boolean permanent = (payload.get(2) & 0x80) != 0; // ifa_flags: IFA_F_PERMANENT
            boolean global = (payload.get(3) & 0xff) == RT_SCOPE_UNIVERSE;
            addresses.add(new Address(payload.getInt(4), Ipv4.fromBytes(bytes), payload.get(1) & 0xff, permanent && global));
        }
        return addresses;
    }
}
