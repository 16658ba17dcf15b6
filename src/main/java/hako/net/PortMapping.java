package hako.net;

import java.util.Locale;

/**
 * One {@code -p [hostIP:]hostPort[-end]:containerPort[-end][/tcp|udp]}: {@code count} host ports
 * from {@code hostPort} forwarded one to one to container ports from {@code containerPort}.
 *
 * @param hostAddress null for every address of the host
 */
public record PortMapping(Ipv4 hostAddress, int hostPort, int containerPort, int count, String protocol) {
    /** A range is expanded into one rule per port: keep it to what people publish. */
    static final int MAX_RANGE = 1024;

    public PortMapping {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new NetworkException("invalid protocol \"" + protocol + "\": use tcp or udp");
        }
    }

    public static PortMapping parse(String text) {
        String spec = text;
        String protocol = "tcp";
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            protocol = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            spec = spec.substring(0, slash);
        }
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new NetworkException("invalid published port \"" + text + "\": use [hostIP:]hostPort:containerPort[/tcp|udp]");
        }
        Ipv4 hostAddress = null;
        if (parts.length == 3 && !parts[0].isEmpty()) {
            try {
                hostAddress = Ipv4.parse(parts[0]);
                if (hostAddress.bits() == 0) hostAddress = null; // 0.0.0.0: every address, as when none is given
            } catch (NetworkException e) {
                throw new NetworkException("invalid published port \"" + text + "\": " + e.getMessage());
            }
        }
        int[] host = range(parts[parts.length - 2], text);
        int[] container = range(parts[parts.length - 1], text);
        int count = host[1] - host[0] + 1;
        if (count != container[1] - container[0] + 1) {
            throw new NetworkException("invalid published port \"" + text + "\": the host and container ranges differ in size");
        }
        if (count > MAX_RANGE) {
            throw new NetworkException("invalid published port \"" + text + "\": at most " + MAX_RANGE + " ports in one range");
        }
        try {
            return new PortMapping(hostAddress, host[0], container[0], count, protocol);
        } catch (NetworkException e) {
            throw new NetworkException("invalid published port \"" + text + "\": " + e.getMessage());
        }
    }

    private static int[] range(String text, String whole) {
        int dash = text.indexOf('-');
        int first = port(dash < 0 ? text : text.substring(0, dash), whole);
        int last = dash < 0 ? first : port(text.substring(dash + 1), whole);
        if (last < first) throw new NetworkException("invalid published port \"" + whole + "\": range " + text + " ends before it starts");
        return new int[] {first, last};
    }

    static int port(String text, String whole) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw new NetworkException("invalid published port \"" + whole + "\": \"" + text + "\" is not a port number");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new NetworkException("invalid published port \"" + whole + "\": port " + port + " is not in 1..65535");
        }
        return port;
    }

    public int lastHostPort() {
        return hostPort + count - 1;
    }

    public boolean publishes(int port, String protocol) {
        return this.protocol.equals(protocol) && port >= hostPort && port <= lastHostPort();
    }

    /** Whether two mappings would claim the same host port (the host address does not matter). */
    public boolean clashes(PortMapping other) {
        return protocol.equals(other.protocol) && hostPort <= other.lastHostPort() && other.hostPort <= lastHostPort();
    }

    /** The form it was written in, normalised: {@code 127.0.0.1:8080-8081:80-81/tcp}. */
    @Override
    public String toString() {
        String host = count == 1 ? Integer.toString(hostPort) : hostPort + "-" + lastHostPort();
        String container = count == 1 ? Integer.toString(containerPort) : containerPort + "-" + (containerPort + count - 1);
        return (hostAddress == null ? "" : hostAddress + ":") + host + ":" + container + "/" + protocol;
    }
}
