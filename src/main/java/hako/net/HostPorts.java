package hako.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a process of the host already listens on a port (/proc/net/tcp, udp and their IPv6
 * twins, which show the reader's own network namespace): a published port that a host service
 * holds would send that service's traffic into the container, so it is refused instead.
 */
final class HostPorts {
    private static final String LISTEN = "0A";
    private static final String UDP_UNCONNECTED = "07";

    private HostPorts() {}

    static boolean inUse(int port, String protocol) {
        String state = protocol.equals("tcp") ? LISTEN : UDP_UNCONNECTED;
        return listed(Path.of("/proc/net/" + protocol), port, state) || listed(Path.of("/proc/net/" + protocol + "6"), port, state);
    }

    /** Lines look like {@code 0: 0100007F:1F90 00000000:0000 0A …}: local address:port in hex, then the state. */
    static boolean listed(String table, int port, String state) {
        for (String line : table.lines().skip(1).toList()) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 4) continue;
            String local = fields[1];
            int colon = local.lastIndexOf(':');
            if (colon < 0) continue;
            if (Integer.parseInt(local.substring(colon + 1), 16) == port && fields[3].equals(state)) return true;
        }
        return false;
    }

    private static boolean listed(Path file, int port, String state) {
        try {
            return listed(Files.readString(file), port, state);
        } catch (IOException e) {
            return false; // no IPv6 in this kernel, for instance
        }
    }
}
