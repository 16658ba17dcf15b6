package hako.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hako network create|ls|inspect|rm|gc}: the networks themselves. A network is a record
 * on disk plus, in the host's network namespace, its bridge and its rules; creating it makes
 * both, and the default network {@code hako} is made on first use.
 */
public final class NetworkAdmin {
    private final Networking networking;
    private final NetSystem system;
    private final NetworkStore store;

    public NetworkAdmin(Networking networking) {
        this.networking = networking;
        this.system = networking.system();
        this.store = networking.store();
    }

    /** What {@code hako network create} was given; null fields take their defaults. */
    public record Options(String name, String subnet, String gateway, String bridge, Integer mtu, boolean internal, boolean isolated) {}

    public NetworkConfig create(Options options) {
        NetworkConfig.checkName(options.name());
        if (List.of("none", "host", "bridge").contains(options.name()) || options.name().startsWith("container:")) {
            throw new NetworkException("\"" + options.name() + "\" is a network mode, not a name a network can have");
        }
        try (AutoCloseable lock = store.lock()) {
            if (store.network(options.name()) != null) {
                throw new NetworkException("network \"" + options.name() + "\" already exists");
            }
            NetworkConfig network = define(system, store, options);
            store.save(network);
            try {
                install(network);
            } catch (RuntimeException e) {
                uninstall(network, false);
                store.delete(network);
                throw e;
            }
            return network;
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("creating network \"" + options.name() + "\": " + e.getMessage());
        }
    }

    /** Under the lock: a new network's settings, checked against the host and the other networks. */
    private static NetworkConfig define(NetSystem system, NetworkStore store, Options options) {
        List<NetworkConfig> networks = store.networks();
        List<Subnet> inUse = new ArrayList<>();
        for (NetworkConfig other : networks) inUse.add(other.subnet());
        List<RouteMessages.Address> hostAddresses;
        List<RouteMessages.Link> links;
        try (Rtnetlink socket = system.rtnetlink()) {
            hostAddresses = Links.addresses(socket);
            links = Links.all(socket);
        }
        Subnet subnet;
        if (options.subnet() != null) {
            subnet = Subnet.parse(options.subnet());
            for (NetworkConfig other : networks) {
                if (other.subnet().overlaps(subnet)) {
                    throw new NetworkException("subnet " + subnet + " overlaps network " + other.name() + "'s " + other.subnet());
                }
            }
            for (RouteMessages.Address address : hostAddresses) {
                if (!address.address().isLoopback() && address.subnet().overlaps(subnet)) {
                    throw new NetworkException("subnet " + subnet + " overlaps the host's network " + address.subnet()
                            + " (" + linkName(links, address.index()) + ")");
                }
            }
        } else {
            for (RouteMessages.Address address : hostAddresses) {
                if (!address.address().isLoopback()) inUse.add(address.subnet());
            }
            subnet = Ipam.chooseSubnet(options.name().equals(NetworkConfig.DEFAULT_NAME), inUse);
        }
        Ipv4 gateway = options.gateway() != null ? Ipv4.parse(options.gateway()) : subnet.address(1);
        String bridge = options.bridge() != null ? options.bridge() : defaultBridge(options.name(), networks, links);
        for (NetworkConfig other : networks) {
            if (other.bridge().equals(bridge)) {
                throw new NetworkException("bridge " + bridge + " already belongs to network " + other.name());
            }
        }
        if (links.stream().anyMatch(l -> l.name().equals(bridge))) {
            throw new NetworkException("a link named " + bridge + " already exists on the host");
        }
        return new NetworkConfig(options.name(), bridge, subnet, gateway,
                options.mtu() == null ? NetworkConfig.DEFAULT_MTU : options.mtu(), options.internal(), options.isolated());
    }

    private static String defaultBridge(String name, List<NetworkConfig> networks, List<RouteMessages.Link> links) {
        if (name.equals(NetworkConfig.DEFAULT_NAME)) return NetworkConfig.DEFAULT_BRIDGE;
        for (int n = 1; ; n++) {
            String candidate = "hako" + n;
            if (networks.stream().noneMatch(x -> x.bridge().equals(candidate)) && links.stream().noneMatch(l -> l.name().equals(candidate))) {
                return candidate;
            }
        }
    }

    private static String linkName(List<RouteMessages.Link> links, int index) {
        for (RouteMessages.Link link : links) {
            if (link.index() == index) return link.name();
        }
        return "link " + index;
    }

    /**
     * Under the lock: the network a container asks for. The default network is defined on first
     * use; any other must have been created.
     */
    static NetworkConfig networkForUse(NetSystem system, NetworkStore store, String name) {
        NetworkConfig network = store.network(name);
        if (network != null) return network;
        if (!name.equals(NetworkConfig.DEFAULT_NAME)) {
            throw new NetworkException("network \"" + name + "\" does not exist (hako network create " + name + ")");
        }
        network = define(system, store, new Options(name, null, null, null, null, false, false));
        store.save(network);
        return network;
    }

    /** The bridge and the rules of a network, in this network namespace. */
    private void install(NetworkConfig network) {
        system.nft(FirewallRules.base() + FirewallRules.addNetwork(network), "adding firewall rules for network " + network.name());
        try (Rtnetlink socket = system.rtnetlink()) {
            Links.ensureBridge(system, socket, network);
        }
    }

    private void uninstall(NetworkConfig network, boolean lastNetwork) {
        try (Rtnetlink socket = system.rtnetlink()) {
            Links.delete(socket, network.bridge());
        }
        system.nft(FirewallRules.base() + FirewallRules.removeNetwork(network) + (lastNetwork ? FirewallRules.removeTables() : ""),
                "removing firewall rules of network " + network.name());
    }

    public List<NetworkConfig> list() {
        return store.networks();
    }

    /** The network, its containers and their addresses and ports, for people and scripts. */
    public Map<String, Object> inspect(String name) {
        NetworkConfig network = store.network(name);
        if (network == null) throw new NetworkException("network \"" + name + "\" does not exist");
        Map<String, Object> json = new LinkedHashMap<>(network.toJson());
        List<Object> containers = new ArrayList<>();
        for (Allocation allocation : store.allocations()) {
            if (!name.equals(allocation.network())) continue;
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("id", allocation.id());
            container.put("address", allocation.address().toString());
            container.put("veth", allocation.veth());
            container.put("ports", allocation.ports().stream().map(PortMapping::toString).toList());
            container.put("allowFrom", allocation.allowFrom().stream().map(AllowRule::toString).toList());
            container.put("egress", allocation.egress().toString());
            container.put("alive", networking.alive(allocation));
            containers.add(container);
        }
        json.put("containers", containers);
        return json;
    }

    /** Removes a network with no container on it: its bridge, its rules, its record. */
    public void remove(String name) {
        try (AutoCloseable lock = store.lock()) {
            NetworkConfig network = store.network(name);
            if (network == null) throw new NetworkException("network \"" + name + "\" does not exist");
            networking.reclaimDead();
            List<String> attached = new ArrayList<>();
            for (Allocation allocation : store.allocations()) {
                if (name.equals(allocation.network())) attached.add(allocation.id());
            }
            if (!attached.isEmpty()) {
                throw new NetworkException("network \"" + name + "\" has containers attached: " + String.join(", ", attached));
            }
            uninstall(network, store.networks().size() == 1);
            store.delete(network);
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("removing network \"" + name + "\": " + e.getMessage());
        }
    }

    public Path root() {
        return store.root();
    }
}
