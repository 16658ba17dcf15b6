package hako.net;

import hako.sys.Errno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Links, addresses and routes through rtnetlink: the bridge on the host, the veth pair between
 * host and container, and the container's side of it.
 */
final class Links {
    static final String CONTAINER_INTERFACE = "eth0";
    private static final int ENODEV = 19;

    private Links() {}

    /** The link's index, or 0 when there is no such link. */
    static int index(RouteSocket socket, String name) {
        try {
            return RouteMessages.link(socket.get(RouteMessages.getLink(socket.nextSequence(), name), "looking up link " + name)).index();
        } catch (NetworkException e) {
            if (e.errno() == ENODEV) return 0;
            throw e;
        }
    }

    static List<RouteMessages.Link> all(RouteSocket socket) {
        return RouteMessages.links(socket.dump(RouteMessages.dumpLinks(socket.nextSequence()), "listing links"));
    }

    static List<RouteMessages.Address> addresses(RouteSocket socket) {
        return RouteMessages.addresses(socket.dump(RouteMessages.dumpAddresses(socket.nextSequence()), "listing addresses"));
    }

    /**
     * Makes the network's bridge if it is missing: up, with the gateway's address, forwarding on,
     * and loopback-sourced packets routable onto it (needed when the host reaches a published port
     * on its own 127.0.0.1). Returns the bridge's index.
     */
    static int ensureBridge(RouteSocket socket, NetworkConfig network) {
        int index = index(socket, network.bridge());
        if (index != 0) return index;
        try {
            socket.request(RouteMessages.newBridge(socket.nextSequence(), network.bridge(), network.mtu()),
                    "creating bridge " + network.bridge());
        } catch (NetworkException e) {
            // Another hako made it a moment ago, and configures it.
            if (e.errno() == Errno.EEXIST) return index(socket, network.bridge());
            throw e;
        }
        index = index(socket, network.bridge());
        socket.request(RouteMessages.newAddress(socket.nextSequence(), index, network.gateway(), network.subnet()),
                "adding address " + network.gateway() + "/" + network.subnet().prefix() + " to bridge " + network.bridge());
        sysctl("net/ipv4/ip_forward", "1");
        sysctl("net/ipv4/conf/" + network.bridge() + "/route_localnet", "1");
        return index;
    }

    /** Removes a link; one that is not there is fine. */
    static void delete(RouteSocket socket, String name) {
        try {
            socket.request(RouteMessages.deleteLink(socket.nextSequence(), name), "removing link " + name);
        } catch (NetworkException e) {
            if (e.errno() != ENODEV) throw e;
        }
    }

    /** The veth pair: {@code veth} on the bridge, {@code eth0} inside the network namespace of {@code pid}. */
    static void createVeth(RouteSocket host, String veth, int bridgeIndex, int mtu, int pid) {
        host.request(RouteMessages.newVeth(host.nextSequence(), veth, mtu, bridgeIndex, CONTAINER_INTERFACE, pid),
                "creating veth " + veth);
    }

    /** Inside the container: loopback up, and eth0 (when given an address) with its address and default route. */
    static void configureContainer(RouteSocket container, Ipv4 address, Subnet subnet, Ipv4 gateway) {
        int loopback = index(container, "lo");
        container.request(RouteMessages.setUp(container.nextSequence(), loopback), "setting lo up in the container");
        if (address == null) return;
        int eth0 = index(container, CONTAINER_INTERFACE);
        if (eth0 == 0) throw new NetworkException("the container has no " + CONTAINER_INTERFACE + " after the veth was made");
        container.request(RouteMessages.newAddress(container.nextSequence(), eth0, address, subnet),
                "adding address " + address + "/" + subnet.prefix() + " to the container's " + CONTAINER_INTERFACE);
        container.request(RouteMessages.setUp(container.nextSequence(), eth0), "setting the container's " + CONTAINER_INTERFACE + " up");
        container.request(RouteMessages.newDefaultRoute(container.nextSequence(), eth0, gateway),
                "adding the container's default route via " + gateway);
    }

    /** Writes a sysctl of this network namespace (/proc/sys/net shows the writer's own). */
    static void sysctl(String key, String value) {
        Path file = Path.of("/proc/sys").resolve(key);
        try {
            if (!Files.readString(file).strip().equals(value)) Files.writeString(file, value);
        } catch (IOException e) {
            throw new NetworkException("setting " + key.replace('/', '.') + " to " + value + ": " + e.getMessage());
        }
    }

    static boolean isGone(NetworkException e) {
        return e.errno() == ENODEV || e.errno() == Errno.ENOENT;
    }
}
