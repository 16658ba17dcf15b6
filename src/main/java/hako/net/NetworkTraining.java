package hako.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The network's part of the AOT cache's training run (hako.cli.AotTraining): the code paths of
 * prepare, wire and release that change nothing — flags, addressing, rule rendering, DNS files,
 * the records under their lock, netlink encoding, and one read-only netlink dump of this
 * namespace's links. Nothing on the machine's network is created or changed.
 */
public final class NetworkTraining {
    private NetworkTraining() {}

    public static void run(Path work) {
        NetworkRequest request = new NetworkRequest.Flags("bridge", List.of("127.0.0.1:8080-8081:80-81/tcp", "53:53/udp"),
                List.of("10.0.0.0/8", "8080=192.0.2.0/24"), "10.0.0.0/8:443,192.0.2.1", "10.88.0.9").resolve(Map.of());
        NetworkConfig network = new NetworkConfig(NetworkConfig.DEFAULT_NAME, NetworkConfig.DEFAULT_BRIDGE,
                Ipam.chooseSubnet(true, List.of(Subnet.parse("192.0.2.0/24"))), Ipv4.parse("10.88.0.1"), 1500, false, true);
        Ipv4 address = Ipam.allocate(network, Map.of(), request.address());
        NetSystem system = NetSystem.kernel();
        NetworkStore store = new NetworkStore(work.resolve("network"), system);
        Networking networking = new Networking(store.root());
        Path files = work.resolve("files");
        try {
            Files.createDirectories(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Allocation allocation = new Allocation("training", networking.key("training"), request.mode(), network.name(), address,
                "hk" + networking.key("training"), "training", request.ports(), request.allowFrom(), request.egress(), files,
                system.self(), null, null);
        try (AutoCloseable lock = store.lock()) {
            store.save(network);
            store.save(allocation);
            store.allocations();
            store.networks();
            store.delete(allocation);
            store.delete(network);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String rules = FirewallRules.base() + FirewallRules.addNetwork(network) + FirewallRules.addContainer(allocation, network)
                + FirewallRules.removeContainer(allocation) + FirewallRules.removeNetwork(network);
        DnsFiles.write(system, files.resolve("hosts"), DnsFiles.hosts("training", "training", address,
                List.of(new DnsFiles.Peer(address.plus(1), "peer", "peer"))));
        DnsFiles.rewrite(system, files.resolve("hosts"), DnsFiles.resolvConf(DnsFiles.hostResolvConf(system)));
        system.portInUse(8080, "tcp");
        Nft.firstError("Error: Could not process rule: File exists");
        Nft.train();
        new Attachment("training", request.mode(), null, allocation, network).managed();
        RouteMessages.newVeth(1, "hktraining", 1500, 1, "eth0", 1).bytes();
        RouteMessages.newAddress(1, 1, address, network.subnet()).bytes();
        RouteMessages.newDefaultRoute(1, 1, network.gateway()).bytes();
        try (Rtnetlink socket = system.rtnetlink()) {
            Links.all(socket);
            Links.addresses(socket);
            Links.index(socket, "lo");
        }
        if (rules.isEmpty()) throw new IllegalStateException("no rules rendered");
    }
}
