package hako.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a container asks of the network: from {@code hako run}'s flags, or from a bundle's
 * annotations (podman and containerd write bundles, not command lines).
 *
 * @param mode      how the container is connected; {@link Mode#UNMANAGED} when nothing was asked,
 *                  and then hako leaves the network to the spec, as runc does
 * @param network   for {@link Mode#BRIDGE}: the network's name
 * @param container for {@link Mode#CONTAINER}: the id of the container whose network is shared
 * @param address   for {@link Mode#BRIDGE}: the address asked for, or null for the next free one
 */
public record NetworkRequest(Mode mode, String network, String container, List<PortMapping> ports,
                             List<AllowRule> allowFrom, Egress egress, Ipv4 address) {

    public enum Mode {
        /** Nothing asked: the spec's namespaces decide, and hako configures nothing. */
        UNMANAGED,
        /** A veth on a bridge network: address, routes, NAT, published ports, rules. */
        BRIDGE,
        /** A network namespace with loopback only. */
        NONE,
        /** No network namespace: the host's network. */
        HOST,
        /** The network namespace of another hako container. */
        CONTAINER
    }

    /** The annotations a bundle may carry, the flags' counterparts; lists are comma-separated. */
    public static final String ANNOTATION_NETWORK = "dev.hako.network";
    public static final String ANNOTATION_PUBLISH = "dev.hako.publish";
    /** Rules are separated by {@code ;} because a rule's sources are separated by commas. */
    public static final String ANNOTATION_ALLOW_FROM = "dev.hako.allow-from";
    public static final String ANNOTATION_EGRESS = "dev.hako.egress";
    public static final String ANNOTATION_IP = "dev.hako.ip";

    public static final NetworkRequest UNMANAGED = new NetworkRequest(Mode.UNMANAGED, null, null, List.of(), List.of(), Egress.ALL, null);

    /**
     * Reads the request from its textual parts, as flags or annotations give them; null or empty
     * parts are absent. Anything given makes it a managed request, in bridge mode by default.
     */
    public static NetworkRequest parse(String network, List<String> publish, List<String> allowFrom, String egress, String ip) {
        boolean any = present(network) || !publish.isEmpty() || !allowFrom.isEmpty() || present(egress) || present(ip);
        if (!any) return UNMANAGED;
        String name = present(network) ? network : NetworkConfig.DEFAULT_NAME;
        Mode mode;
        String container = null;
        if (name.equals("none")) mode = Mode.NONE;
        else if (name.equals("host")) mode = Mode.HOST;
        else if (name.startsWith("container:")) {
            mode = Mode.CONTAINER;
            container = name.substring("container:".length());
            if (container.isEmpty()) throw new NetworkException("--network container: needs a container id");
            // The id names the other container's files (containers/ID.json): a path, so "../x" must not pass.
            try {
                hako.state.ContainerId.check(container);
            } catch (hako.state.StateException e) {
                throw new NetworkException("--network container:" + container + ": " + e.getMessage());
            }
        } else {
            mode = Mode.BRIDGE;
            if (name.equals("bridge")) name = NetworkConfig.DEFAULT_NAME;
            NetworkConfig.checkName(name);
        }
        List<PortMapping> ports = new ArrayList<>();
        for (String p : publish) {
            PortMapping mapping = PortMapping.parse(p);
            for (PortMapping earlier : ports) {
                if (earlier.clashes(mapping)) {
                    throw new NetworkException("published ports " + earlier + " and " + mapping + " use the same host port");
                }
            }
            ports.add(mapping);
        }
        List<AllowRule> rules = new ArrayList<>();
        for (String rule : allowFrom) rules.add(AllowRule.parse(rule));
        Egress egressPolicy = present(egress) ? Egress.parse(egress) : Egress.ALL;
        Ipv4 address = present(ip) ? Ipv4.parse(ip) : null;
        if (mode != Mode.BRIDGE) {
            String what = !ports.isEmpty() ? "published ports" : !rules.isEmpty() ? "--allow-from"
                    : present(egress) ? "--egress" : present(ip) ? "--ip" : null;
            if (what != null) {
                throw new NetworkException(what + " need a bridge network, not --network " + name);
            }
        }
        for (AllowRule rule : rules) {
            if (rule.port() != 0 && ports.stream().noneMatch(p -> rule.protocol() == null
                    ? p.publishes(rule.port(), "tcp") || p.publishes(rule.port(), "udp") : p.publishes(rule.port(), rule.protocol()))) {
                throw new NetworkException("--allow-from " + rule + ": port " + rule.port() + " is not published");
            }
        }
        return new NetworkRequest(mode, mode == Mode.BRIDGE ? name : null, container, List.copyOf(ports),
                List.copyOf(rules), egressPolicy, address);
    }

    /** The request a bundle's annotations make (see the ANNOTATION_ constants). */
    public static NetworkRequest fromAnnotations(Map<String, String> annotations) {
        return parse(annotations.get(ANNOTATION_NETWORK), split(annotations.get(ANNOTATION_PUBLISH), ","),
                split(annotations.get(ANNOTATION_ALLOW_FROM), ";"), annotations.get(ANNOTATION_EGRESS),
                annotations.get(ANNOTATION_IP));
    }

    /**
     * The network flags of {@code hako run} as given, before the bundle is read. Flags, when any
     * is given, replace the bundle's annotations as a whole: a mix of the two would be hard to
     * read back ({@link #resolve}).
     */
    public record Flags(String network, List<String> publish, List<String> allowFrom, String egress, String ip) {
        public static final Flags NONE = new Flags(null, List.of(), List.of(), null, null);

        public boolean given() {
            return present(network) || !publish.isEmpty() || !allowFrom.isEmpty() || present(egress) || present(ip);
        }

        public NetworkRequest resolve(Map<String, String> annotations) {
            return given() ? parse(network, publish, allowFrom, egress, ip) : fromAnnotations(annotations);
        }
    }

    private static List<String> split(String text, String separator) {
        if (!present(text)) return List.of();
        List<String> parts = new ArrayList<>();
        for (String part : text.split(separator)) {
            if (!part.isBlank()) parts.add(part.strip());
        }
        return parts;
    }

    private static boolean present(String text) {
        return text != null && !text.isBlank();
    }
}
