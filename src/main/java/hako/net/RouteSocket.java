package hako.net;

import hako.sys.Errno;
import hako.sys.Netlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One rtnetlink socket and the conversation on it: requests that the kernel acknowledges, and
 * dumps. A kernel error becomes one line naming what was being done: {@code creating veth
 * hk1a2b3c4d: file exists}.
 */
final class RouteSocket implements AutoCloseable {
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

    int nextSequence() {
        return sequence++;
    }

    /** Sends one request and waits for its acknowledgement. */
    void request(NetlinkMessage message, String what) {
        Netlink.send(fd, message.bytes(), what);
        awaitAck(what);
    }

    /** Sends a dump request and returns every message of the answer up to NLMSG_DONE. */
    List<NetlinkReply.Message> dump(NetlinkMessage message, String what) {
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
    NetlinkReply.Message get(NetlinkMessage message, String what) {
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
        String explanation = reply.explanation();
        String reason = Errno.describe(reply.errno());
        return new NetworkException(what + ": " + reason + (explanation == null || explanation.isEmpty()
                ? "" : " (" + explanation.toLowerCase() + ")"), reply.errno());
    }

    @Override
    public void close() {
        hako.sys.Libc.close(fd);
    }
}
