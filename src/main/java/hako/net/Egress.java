package hako.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a container may reach outside its own network: everything ({@code all}), nothing
 * ({@code none}), or only the destinations listed ({@code CIDR[:port[-port]][/tcp|udp],…}).
 * Replies to connections made to the container are always allowed, and so is its own network.
 *
 * @param allowAll true for {@code all}; otherwise only {@code allowed} (empty for {@code none})
 */
public record Egress(boolean allowAll, List<Destination> allowed) {
    public static final Egress ALL = new Egress(true, List.of());
    public static final Egress NONE = new Egress(false, List.of());

    /**
     * One allowed destination.
     *
     * @param firstPort 0 for every port
     * @param protocol  null for every protocol (and then no port)
     */
    public record Destination(Subnet subnet, int firstPort, int lastPort, String protocol) {
        @Override
        public String toString() {
            String ports = firstPort == 0 ? "" : ":" + firstPort + (lastPort == firstPort ? "" : "-" + lastPort);
            return subnet + ports + (firstPort == 0 ? "" : "/" + protocol);
        }
    }

    public static Egress parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("all")) return ALL;
        if (trimmed.equals("none")) return NONE;
        List<Destination> allowed = new ArrayList<>();
        for (String entry : trimmed.split(",", -1)) {
            allowed.add(destination(entry.strip(), text));
        }
        return new Egress(false, List.copyOf(allowed));
    }

    private static Destination destination(String entry, String whole) {
        try {
            String spec = entry;
            String protocol = null;
            int colon = spec.indexOf(':');
            String ports = null;
            if (colon >= 0) {
                ports = spec.substring(colon + 1);
                spec = spec.substring(0, colon);
                int slash = ports.indexOf('/');
                if (slash >= 0) {
                    protocol = ports.substring(slash + 1).toLowerCase(Locale.ROOT);
                    ports = ports.substring(0, slash);
                }
            }
            Subnet subnet = Subnet.parse(spec);
            if (ports == null) return new Destination(subnet, 0, 0, null);
            if (protocol == null) protocol = "tcp";
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new NetworkException("protocol must be tcp or udp");
            }
            int dash = ports.indexOf('-');
            int first = PortMapping.port(dash < 0 ? ports : ports.substring(0, dash), entry);
            int last = dash < 0 ? first : PortMapping.port(ports.substring(dash + 1), entry);
            if (last < first) throw new NetworkException("port range " + ports + " ends before it starts");
            return new Destination(subnet, first, last, protocol);
        } catch (NetworkException e) {
            throw new NetworkException("invalid --egress \"" + whole + "\": " + e.getMessage()
                    .replace("invalid published port \"" + entry + "\": ", ""));
        }
    }

    @Override
    public String toString() {
        if (allowAll) return "all";
        if (allowed.isEmpty()) return "none";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < allowed.size(); i++) out.append(i == 0 ? "" : ",").append(allowed.get(i));
        return out.toString();
    }
}
