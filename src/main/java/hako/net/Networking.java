package hako.net;

import hako.spec.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The container's network, as the lifecycle uses it:
 * <ol>
 *   <li>{@link #prepare} before the clone: the address, the published ports, the DNS files, and
 *       the mounts and namespace the plan needs;</li>
 *   <li>{@link #wire} once init lives in its new network namespace: veth, address, routes, rules;</li>
 *   <li>{@link #release} on delete or failure, any number of times; {@link #gc} after crashes.</li>
 * </ol>
 * Networks themselves are made and removed by {@link NetworkAdmin}.
 */
public final class Networking {
    private final NetSystem system;
    private final NetworkStore store;

    public Networking(Path networkRoot) {
        this(networkRoot, NetSystem.kernel());
    }

    /** @param system the machine, or a recording fake in the tests */
    Networking(Path networkRoot, NetSystem system) {
        this.system = system;
        this.store = new NetworkStore(networkRoot, system);
    }

    /** The networking of the containers kept in {@code stateRoot} (their networks live beside it). */
    public static Networking forStateRoot(Path stateRoot) {
        return new Networking(NetworkStore.besideStateRoot(stateRoot));
    }

    NetworkStore store() {
        return store;
    }

    NetSystem system() {
        return system;
    }

    /**
     * What the container's network asks of its plan, known before anything is reserved: the
     * network namespace (new, none, or another container's) and the bind mounts of the /etc
     * files {@link #prepare} will write. {@code container:ID} is checked here, and again under
     * the lock when the network is prepared.
     */
    public NetworkShape shape(String id, NetworkRequest request, Path stateDir) {
        return switch (request.mode()) {
            case UNMANAGED -> NetworkShape.UNMANAGED;
            case BRIDGE, NONE, HOST -> new NetworkShape(request.mode(), mounts(stateDir, stateDir), null);
            case CONTAINER -> {
                Allocation target = joinable(request);
                yield new NetworkShape(request.mode(), mounts(target.files(), stateDir), "/proc/" + target.init().pid() + "/ns/net");
            }
        };
    }

    /**
     * Reserves what the container will use and writes its hosts, hostname and resolv.conf into
     * {@code stateDir}. Nothing on the host's network changes yet, so a failure later leaves only
     * a record that {@link #release} removes.
     *
     * @param hostname the container's hostname (the spec's), or null to use its id
     */
    public Attachment prepare(String id, NetworkRequest request, String hostname, Path stateDir) {
        if (request.mode() == NetworkRequest.Mode.UNMANAGED) return Attachment.unmanaged(id);
        // The name goes into other containers' /etc/hosts: a space or a newline in it would add
        // names or lines there. (The id, used when there is none, cannot hold either.)
        if (hostname != null && !hostname.isEmpty()) DnsFiles.checkHostname(hostname);
        String name = hostname == null || hostname.isEmpty() ? id : hostname;
        try (AutoCloseable lock = store.lock()) {
            reclaimDead();
            if (store.allocation(id) != null) {
                throw new NetworkException("container \"" + id + "\" already has a network");
            }
            Attachment attachment = switch (request.mode()) {
                case BRIDGE -> prepareBridge(id, request, name, stateDir);
                case NONE -> prepareSimple(id, request.mode(), name, stateDir, DnsFiles.resolvConf(DnsFiles.hostResolvConf(system)),
                        DnsFiles.hosts(name, id, null, List.of()));
                case HOST -> prepareSimple(id, request.mode(), name, stateDir, DnsFiles.hostResolvConf(system),
                        hostFile(Path.of("/etc/hosts")));
                case CONTAINER -> prepareJoin(id, request, name, stateDir);
                case UNMANAGED -> throw new IllegalStateException();
            };
            return attachment;
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("preparing the network of container \"" + id + "\": " + e.getMessage());
        }
    }

    private Attachment prepareBridge(String id, NetworkRequest request, String hostname, Path stateDir) {
        NetworkConfig network = NetworkAdmin.networkForUse(system, store, request.network());
        List<Allocation> others = store.allocations();
        checkPorts(request.ports(), others);
        Map<Ipv4, String> taken = new HashMap<>();
        for (Allocation other : others) {
            if (network.name().equals(other.network()) && other.address() != null) taken.put(other.address(), other.id());
        }
        Ipv4 address = Ipam.allocate(network, taken, request.address());
        String key = key(id);
        for (Allocation other : others) {
            if (key.equals(other.key())) {
                throw new NetworkException("container \"" + id + "\" and \"" + other.id() + "\" have the same network key " + key + ": use another id");
            }
        }
        Allocation allocation = new Allocation(id, key, NetworkRequest.Mode.BRIDGE, network.name(), address, "hk" + key,
                hostname, request.ports(), request.allowFrom(), request.egress(), stateDir, system.self(), null, null);
        writeFiles(stateDir, hostname, DnsFiles.resolvConf(DnsFiles.hostResolvConf(system)), DnsFiles.hosts(hostname, id, address, List.of()));
        store.save(allocation);
        refreshHosts(network.name());
        return new Attachment(id, NetworkRequest.Mode.BRIDGE, null, allocation, network);
    }

    private Attachment prepareSimple(String id, NetworkRequest.Mode mode, String hostname, Path stateDir, String resolvConf, String hosts) {
        writeFiles(stateDir, hostname, resolvConf, hosts);
        Allocation allocation = new Allocation(id, key(id), mode, null, null, null, hostname, List.of(), List.of(), Egress.ALL,
                stateDir, system.self(), null, null);
        store.save(allocation);
        return new Attachment(id, mode, null, allocation, null);
    }

    /** Shares another container's network namespace, and its hosts and resolv.conf with it. */
    private Attachment prepareJoin(String id, NetworkRequest request, String hostname, Path stateDir) {
        Allocation target = joinable(request);
        DnsFiles.write(system, stateDir.resolve("hostname"), hostname + "\n");
        Allocation allocation = new Allocation(id, key(id), NetworkRequest.Mode.CONTAINER, null, null, null, hostname, List.of(),
                List.of(), Egress.ALL, stateDir, system.self(), null, target.id());
        store.save(allocation);
        return new Attachment(id, NetworkRequest.Mode.CONTAINER, "/proc/" + target.init().pid() + "/ns/net", allocation, null);
    }

    /** The running container whose network namespace {@code container:ID} shares. */
    private Allocation joinable(NetworkRequest request) {
        Allocation target = store.allocation(request.container());
        if (target == null || target.init() == null || !alive(target)) {
            throw new NetworkException("--network container:" + request.container() + ": no running hako container of that id has a network");
        }
        if (target.mode() == NetworkRequest.Mode.HOST || target.mode() == NetworkRequest.Mode.CONTAINER) {
            throw new NetworkException("--network container:" + request.container() + ": that container has no network namespace of its own"
                    + (target.joined() != null ? " (it shares " + target.joined() + "'s)" : ""));
        }
        return target;
    }

    /**
     * Builds the container's network around its init (alive, in its new network namespace for
     * bridge and none): links, addresses, routes and firewall rules. After this the container's
     * address stays reserved for as long as that init lives.
     */
    public void wire(Attachment attachment, int initPid) {
        if (!attachment.managed()) return;
        Allocation allocation = attachment.allocation();
        if (attachment.ownNamespace()) {
            if (attachment.mode() == NetworkRequest.Mode.BRIDGE) {
                NetworkConfig network = attachment.network();
                try (Rtnetlink host = system.rtnetlink()) {
                    applyContainerRules(allocation, network, Links.index(host, network.bridge()) != 0);
                    int bridge = Links.ensureBridge(system, host, network);
                    Links.createVeth(host, allocation.veth(), bridge, network.mtu(), initPid);
                }
                try (Rtnetlink container = system.rtnetlinkOf(initPid)) {
                    Links.configureContainer(container, allocation.address(), network.subnet(), network.gateway());
                }
            } else if (!system.rootless()) {
                try (Rtnetlink container = system.rtnetlinkOf(initPid)) {
                    Links.configureContainer(container, null, null, null);
                }
            } // rootless: the namespace is its user namespace's, which init brings up itself (ContainerPlan)
        }
        try (AutoCloseable lock = store.lock()) {
            store.save(allocation.withInit(system.process(initPid)));
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("recording the network of container \"" + allocation.id() + "\": " + e.getMessage());
        }
    }

    /**
     * The container's rules, before its veth exists. On a network already in place that is the
     * container's own chains and elements alone; otherwise, or when that fails because someone
     * removed hako's tables, the tables and the network's rules come first, in the same
     * transaction (they are idempotent).
     */
    private void applyContainerRules(Allocation allocation, NetworkConfig network, boolean networkInPlace) {
        String what = "adding firewall rules for container \"" + allocation.id() + "\"";
        if (networkInPlace) {
            try {
                system.nft(FirewallRules.addContainer(allocation, network), what);
                return;
            } catch (NetworkException e) {
                // fall through: make everything the container's rules stand on
            }
        }
        system.nft(FirewallRules.base() + FirewallRules.addNetwork(network) + FirewallRules.addContainer(allocation, network), what);
    }

    /** Removes the container's veth, rules and reservations; nothing there is fine. */
    public void release(String id) {
        try (AutoCloseable lock = store.lock()) {
            Allocation allocation = store.allocation(id);
            if (allocation == null) return;
            teardown(allocation);
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("releasing the network of container \"" + id + "\": " + e.getMessage());
        }
    }

    /** Releases what containers that died without a delete still hold; returns their ids. */
    public List<String> gc() {
        try (AutoCloseable lock = store.lock()) {
            return reclaimDead();
        } catch (NetworkException e) {
            throw e;
        } catch (Exception e) {
            throw new NetworkException("collecting dead containers' networks: " + e.getMessage());
        }
    }

    /** Under the lock: {@link #gc}'s work. */
    List<String> reclaimDead() {
        List<String> reclaimed = new ArrayList<>();
        for (Allocation allocation : store.allocations()) {
            if (!alive(allocation)) {
                teardown(allocation);
                reclaimed.add(allocation.id());
            }
        }
        return reclaimed;
    }

    /** Under the lock: undoes {@link #wire} and {@link #prepare} for one container. */
    private void teardown(Allocation allocation) {
        if (allocation.mode() == NetworkRequest.Mode.BRIDGE) {
            try (Rtnetlink host = system.rtnetlink()) {
                Links.delete(host, allocation.veth());
            }
            String what = "removing firewall rules of container \"" + allocation.id() + "\"";
            try {
                system.nft(FirewallRules.removeContainer(allocation), what);
            } catch (NetworkException e) {
                // hako's tables are gone (or damaged): with them made again, the removal succeeds.
                system.nft(FirewallRules.base() + FirewallRules.removeContainer(allocation), what);
            }
        }
        store.delete(allocation);
        if (allocation.network() != null) refreshHosts(allocation.network());
    }

    /** Rewrites every hosts file of a network so that each container knows every other by name. */
    void refreshHosts(String network) {
        List<Allocation> members = new ArrayList<>();
        for (Allocation allocation : store.allocations()) {
            if (network.equals(allocation.network()) && allocation.address() != null) members.add(allocation);
        }
        for (Allocation member : members) {
            List<DnsFiles.Peer> peers = new ArrayList<>();
            for (Allocation other : members) {
                if (other != member) peers.add(new DnsFiles.Peer(other.address(), other.id(), other.hostname()));
            }
            DnsFiles.rewrite(system, member.hostsFile(), DnsFiles.hosts(member.hostname(), member.id(), member.address(), peers));
        }
    }

    /** Whether the container may still use what its record holds: its init, or before wiring the hako that prepared it, lives. */
    boolean alive(Allocation allocation) {
        return system.alive(allocation.holder());
    }

    /** The container's network record, for {@code hako state}/{@code inspect}; null when it has none. */
    public Allocation allocation(String id) {
        return store.allocation(id);
    }

    /** The container's network as JSON values ({@link hako.json.Json}), for {@code hako state}; null when it has none. */
    public java.util.Map<String, Object> describe(String id) {
        Allocation allocation = store.allocation(id);
        return allocation == null ? null : allocation.toJson();
    }

    private void writeFiles(Path dir, String hostname, String resolvConf, String hosts) {
        DnsFiles.write(system, dir.resolve("hostname"), hostname + "\n");
        DnsFiles.write(system, dir.resolve("resolv.conf"), resolvConf);
        DnsFiles.write(system, dir.resolve("hosts"), hosts);
    }

    private String hostFile(Path file) {
        String hosts = DnsFiles.read(system, file);
        return hosts != null ? hosts : DnsFiles.hosts("localhost", "localhost", null, List.of());
    }

    private static List<Spec.Mount> mounts(Path shared, Path own) {
        List<String> options = List.of("bind", "nosuid", "nodev", "noexec");
        return List.of(
                new Spec.Mount("/etc/hosts", "bind", shared.resolve("hosts").toString(), options),
                new Spec.Mount("/etc/hostname", "bind", own.resolve("hostname").toString(), options),
                new Spec.Mount("/etc/resolv.conf", "bind", shared.resolve("resolv.conf").toString(), options));
    }

    /** Checks published ports against other containers' and the host's listening sockets. */
    private void checkPorts(List<PortMapping> ports, List<Allocation> others) {
        for (PortMapping mapping : ports) {
            for (Allocation other : others) {
                for (PortMapping theirs : other.ports()) {
                    if (theirs.clashes(mapping)) {
                        throw new NetworkException("port " + overlap(mapping, theirs) + "/" + mapping.protocol()
                                + " is already published by container \"" + other.id() + "\"");
                    }
                }
            }
            for (int port = mapping.hostPort(); port <= mapping.lastHostPort(); port++) {
                if (system.portInUse(port, mapping.protocol())) {
                    throw new NetworkException("port " + port + "/" + mapping.protocol() + " is already in use on the host");
                }
            }
        }
    }

    private static int overlap(PortMapping a, PortMapping b) {
        return Math.max(a.hostPort(), b.hostPort());
    }

    /**
     * Ten hex digits (40 bits of FNV-1a) over the network root and the id: unique per container
     * and per hako root, and a collision is refused in {@link #prepare}. Not SHA-256: loading the
     * JDK's security providers costs tens of milliseconds of every start.
     */
    String key(String id) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (store.root() + "\0" + id).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        String hex = Long.toHexString(hash & 0xffffffffffL);
        return "0".repeat(10 - hex.length()) + hex;
    }
}
