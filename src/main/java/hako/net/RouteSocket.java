package hako.net;

import hako.sys.Errno;
import hako.sys.Netlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One rtnetlink socket and the conversation on it: requests that the kernel acknowledges, and
 * dumps, each encoded by {@link RouteMessages}. A kernel error becomes one line naming what was
 * being done: {@code creating veth hk1a2b3c4d: file exists}.
 */
final class RouteSocket implements Rtnetlink {
    private final int fd;
    private int sequence = 1;

    private RouteSocket(int fd) {
        this.fd = fd;
    }

    /** A socket in this process's network namespace (the host's, as hako sees it). */
    static RouteSocket here() {
        return new RouteSocket(Netlink.open(Netlink.NETLINK_ROUTE));
    }

    /** A socket in the network namespace of {@code /proc/PID/ns/net} (a container's). */
    static RouteSocket in(Path netns) {
        return new RouteSocket(Netlink.openIn(netns, Netlink.NETLINK_ROUTE));
    }

    private int nextSequence() {
        return sequence++;
    }

    @Override
    public RouteMessages.Link link(String name, String what) {
        return RouteMessages.link(get(RouteMessages.getLink(nextSequence(), name), what));
    }

    @Override
    public List<RouteMessages.Link> links(String what) {
        return RouteMessages.links(dump(RouteMessages.dumpLinks(nextSequence()), what));
    }

    @Override
    public List<RouteMessages.Address> addresses(String what) {
        return RouteMessages.addresses(dump(RouteMessages.dumpAddresses(nextSequence()), what));
    }

    @Override
    public void newBridge(String name, int mtu, String what) {
        request(RouteMessages.newBridge(nextSequence(), name, mtu), what);
    }

    @Override
    public void newVeth(String name, int mtu, int master, String peerName, int peerPid, String what) {
        request(RouteMessages.newVeth(nextSequence(), name, mtu, master, peerName, peerPid), what);
    }

    @Override
    public void moveLink(int index, int pid, String name, String what) {
        request(RouteMessages.moveLink(nextSequence(), index, pid, name), what);
    }

    @Override
    public void setUp(int index, String what) {
        request(RouteMessages.setUp(nextSequence(), index), what);
    }

    @Override
    public void deleteLink(String name, String what) {
        request(RouteMessages.deleteLink(nextSequence(), name), what);
    }

    @Override
    public void newAddress(int index, Ipv4 address, Subnet subnet, String what) {
        request(RouteMessages.newAddress(nextSequence(), index, address, subnet), what);
    }

    @Override
    public void newDefaultRoute(int index, Ipv4 gateway, String what) {
        request(RouteMessages.newDefaultRoute(nextSequence(), index, gateway), what);
    }

    /** Sends one request and waits for its acknowledgement. */
    private void request(NetlinkMessage message, String what) {
        Netlink.send(fd, message.bytes(), what);
        awaitAck(what);
    }

    /** Sends a dump request and returns every message of the answer up to NLMSG_DONE. */
    private List<NetlinkReply.Message> dump(NetlinkMessage message, String what) {
        Netlink.send(fd, message.bytes(), what);
        List<NetlinkReply.Message> answer = new ArrayList<>();
        while (true) {
            for (NetlinkReply.Message reply : receive(what)) {
                if (reply.type() == NetlinkReply.NLMSG_DONE) return answer;
                if (reply.isError()) {
                    if (reply.errno() == 0) return answer;
                    throw failure(what, reply);
                }
                answer.add(reply);
            }
        }
    }

    /** Sends one request that the kernel answers with one message (RTM_GETLINK by name). */
    private NetlinkReply.Message get(NetlinkMessage message, String what) {
        Netlink.send(fd, message.bytes(), what);
        for (NetlinkReply.Message reply : receive(what)) {
            if (reply.isError()) throw failure(what, reply);
            return reply;
        }
        throw new NetworkException(what + ": no answer from the kernel");
    }

    private void awaitAck(String what) {
        while (true) {
            for (NetlinkReply.Message reply : receive(what)) {
                if (reply.isError()) {
                    if (reply.errno() != 0) throw failure(what, reply);
                    return;
                }
            }
        }
    }

    private List<NetlinkReply.Message> receive(String what) {
        return NetlinkReply.parse(Netlink.receive(fd, what));
    }

    /** The exception for a kernel error, with the errno it carried. */
    static NetworkException failure(String what, NetlinkReply.Message reply) {
        return refused(what, reply.errno(), reply.explanation());
    }

    /** What rtnetlink's refusal says to people: the errno's words and the kernel's own explanation, if any. */
    static NetworkException refused(String what, int errno, String explanation) {
        return new NetworkException(what + ": " + Errno.describe(errno) + (explanation == null || explanation.isEmpty()
                ? "" : " (" + explanation.toLowerCase() + ")"), errno);
    }

    @Override
    public void close() {
        hako.sys.Libc.close(fd);
    }
}
