package hako.net;

import hako.sys.Errno;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Links, addresses and routes through rtnetlink: the bridge on the host, the veth pair between
 * host and container, and the container's side of it.
 */
final class Links {
    static final String CONTAINER_INTERFACE = "eth0";

    private Links() {}

    /** The link's index, or 0 when there is no such link. */
    static int index(Rtnetlink socket, String name) {
        try {
            return socket.link(name, "looking up link " + name).index();
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENODEV) return 0;
            throw e;
        }
    }

    static List<RouteMessages.Link> all(Rtnetlink socket) {
        return socket.links("listing links");
    }

    static List<RouteMessages.Address> addresses(Rtnetlink socket) {
        return socket.addresses("listing addresses");
    }

    /**
     * Makes the network's bridge if it is missing: up, with the gateway's address, forwarding on,
     * and loopback-sourced packets routable onto it (needed when the host reaches a published port
     * on its own 127.0.0.1). Returns the bridge's index.
     */
    static int ensureBridge(NetSystem system, Rtnetlink socket, NetworkConfig network) {
        int index = index(socket, network.bridge());
        if (index != 0) return index;
        try {
            socket.newBridge(network.bridge(), network.mtu(), "creating bridge " + network.bridge());
        } catch (NetworkException e) {
            // Another hako made it a moment ago, and configures it.
            if (e.errno() == Errno.EEXIST) return index(socket, network.bridge());
            throw e;
        }
        try {
            index = index(socket, network.bridge());
            socket.newAddress(index, network.gateway(), network.subnet(),
                    "adding address " + network.gateway() + "/" + network.subnet().prefix() + " to bridge " + network.bridge());
            sysctl(system, "net/ipv4/ip_forward", "1");
            sysctl(system, "net/ipv4/conf/" + network.bridge() + "/route_localnet", "1");
            return index;
        } catch (RuntimeException e) {
            // A bridge that exists is taken as made by whoever uses it next: never leave half of one.
            try {
                delete(socket, network.bridge());
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /** Removes a link; one that is not there is fine. */
    static void delete(Rtnetlink socket, String name) {
        try {
            socket.deleteLink(name, "removing link " + name);
        } catch (NetworkException e) {
            if (e.errno() != Errno.ENODEV) throw e;
        }
    }

    /** The veth pair: {@code veth} on the bridge, {@code eth0} inside the network namespace of {@code pid}. */
    static void createVeth(Rtnetlink host, String veth, int bridgeIndex, int mtu, int pid) {
        host.newVeth(veth, mtu, bridgeIndex, CONTAINER_INTERFACE, pid, "creating veth " + veth);
    }

    /** Inside the container: loopback up, and eth0 (when given an address) with its address and default route. */
    static void configureContainer(Rtnetlink container, Ipv4 address, Subnet subnet, Ipv4 gateway) {
        int loopback = index(container, "lo");
        container.setUp(loopback, "setting lo up in the container");
        if (address == null) return;
        int eth0 = index(container, CONTAINER_INTERFACE);
        if (eth0 == 0) throw new NetworkException("the container has no " + CONTAINER_INTERFACE + " after the veth was made");
        container.newAddress(eth0, address, subnet,
                "adding address " + address + "/" + subnet.prefix() + " to the container's " + CONTAINER_INTERFACE);
        container.setUp(eth0, "setting the container's " + CONTAINER_INTERFACE + " up");
        container.newDefaultRoute(eth0, gateway, "adding the container's default route via " + gateway);
    }

    /** Writes a sysctl of this network namespace (/proc/sys/net shows the writer's own). */
    static void sysctl(NetSystem system, String key, String value) {
        Path file = Path.of("/proc/sys").resolve(key);
        try {
            if (!system.readString(file).strip().equals(value)) system.writeString(file, value);
        } catch (IOException e) {
            throw new NetworkException("setting " + key.replace('/', '.') + " to " + value + ": " + e.getMessage());
        }
    }
}
