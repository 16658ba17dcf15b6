package hako.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code --allow-from [hostPort[/proto]=]CIDR[,CIDR…]}: the sources that may reach the
 * container's published ports, or one of them.
 *
 * @param port     a published host port, or 0 for every published port
 * @param protocol the port's protocol, or null for either
 */
public record AllowRule(int port, String protocol, List<Subnet> sources) {

    public static AllowRule parse(String text) {
        int equals = text.indexOf('=');
        int port = 0;
        String protocol = null;
        String list = text;
        if (equals >= 0) {
            String selector = text.substring(0, equals);
            list = text.substring(equals + 1);
            int slash = selector.indexOf('/');
            if (slash >= 0) {
                protocol = selector.substring(slash + 1).toLowerCase(Locale.ROOT);
                selector = selector.substring(0, slash);
                if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                    throw new NetworkException("invalid --allow-from \"" + text + "\": protocol must be tcp or udp");
                }
            }
            try {
                port = PortMapping.port(selector, text);
            } catch (NetworkException e) {
                throw new NetworkException("invalid --allow-from \"" + text + "\": \"" + selector + "\" is not a port number");
            }
        }
        List<Subnet> sources = new ArrayList<>();
        for (String cidr : list.split(",", -1)) {
            try {
                sources.add(Subnet.parse(cidr.strip()));
            } catch (NetworkException e) {
                throw new NetworkException("invalid --allow-from \"" + text + "\": " + e.getMessage());
            }
        }
        return new AllowRule(port, protocol, List.copyOf(sources));
    }

    /** Whether this rule speaks of host port {@code hostPort} of {@code protocol}. */
    boolean covers(int hostPort, String protocol) {
        return (port == 0 || port == hostPort) && (this.protocol == null || this.protocol.equals(protocol));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (port != 0) out.append(port).append(protocol == null ? "" : "/" + protocol).append('=');
        for (int i = 0; i < sources.size(); i++) out.append(i == 0 ? "" : ",").append(sources.get(i));
        return out.toString();
    }
}
