package hako.net;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The container's /etc/hosts, /etc/hostname and /etc/resolv.conf. They are files in the
 * container's state directory, bind-mounted into the container; /etc/hosts is rewritten in place
 * when a container joins or leaves the network, so names of containers started later resolve too.
 */
final class DnsFiles {
    static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** Where systemd-resolved keeps the real upstream servers when /etc/resolv.conf names only its stub. */
    static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");

    private DnsFiles() {}

    /** One name-to-address line of another container on the same network. */
    record Peer(Ipv4 address, String id, String hostname) {}

    static String hosts(String hostname, String id, Ipv4 address, List<Peer> peers) {
        StringBuilder out = new StringBuilder();
        out.append("127.0.0.1\tlocalhost\n");
        out.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        out.append(address == null ? "127.0.1.1" : address.toString()).append('\t').append(names(hostname, id)).append('\n');
        for (Peer peer : peers) {
            out.append(peer.address()).append('\t').append(names(peer.hostname(), peer.id())).append('\n');
        }
        return out.toString();
    }

    /**
     * A host name as RFC 1123 has it: dot-separated labels of 1 to 63 letters, digits and
     * hyphens, neither first nor last a hyphen, 253 characters at most. Nothing else may go into
     * a hosts file that other containers read.
     */
    static void checkHostname(String hostname) {
        if (hostname.length() > 253) throw badHostname(hostname, "longer than 253 characters");
        for (String label : hostname.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) throw badHostname(hostname, "each dot-separated label must be 1 to 63 characters");
            if (label.startsWith("-") || label.endsWith("-")) throw badHostname(hostname, "a label must not begin or end with '-'");
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                    throw badHostname(hostname, "use letters, digits, '-' and '.' only");
                }
            }
        }
    }

    private static NetworkException badHostname(String hostname, String why) {
        return new NetworkException("hostname " + hako.json.Json.write(hostname) + " cannot go into the network's hosts files (RFC 1123): " + why);
    }

    private static String names(String hostname, String id) {
        return hostname.equals(id) ? hostname : hostname + " " + id;
    }

    /**
     * The host's resolver configuration without loopback name servers: 127.0.0.53 or ::1 on the
     * host is not reachable from the container's own network namespace.
     */
    static String resolvConf(String host) {
        StringBuilder out = new StringBuilder();
        int servers = 0;
        for (String line : host.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                if (isLoopback(words[1])) continue;
                servers++;
            }
            out.append(line).append('\n');
        }
        if (servers == 0) out.append("# hako: the host has no name server that the container can reach\n");
        return out.toString();
    }

    static boolean isLoopback(String server) {
        if (server.equals("::1") || server.equals("0:0:0:0:0:0:0:1")) return true;
        return Ipv4.isValid(server) && Ipv4.parse(server).isLoopback();
    }

    /** The host's resolv.conf, or systemd-resolved's upstream list when the host's names only the stub. */
    static String hostResolvConf(NetSystem system) {
        String host = read(system, HOST_RESOLV_CONF);
        if (host == null) host = "";
        if (hasReachableServer(host)) return host;
        String upstream = read(system, RESOLVED_UPSTREAM);
        return upstream != null ? upstream : host;
    }

    static boolean hasReachableServer(String conf) {
        for (String line : conf.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && !isLoopback(words[1])) return true;
        }
        return false;
    }

    /** A file of the host's, or null when it cannot be read. */
    static String read(NetSystem system, Path file) {
        try {
            return system.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    static void write(NetSystem system, Path file, String text) {
        try {
            system.writeString(file, text);
        } catch (IOException e) {
            throw new NetworkException("writing " + file + ": " + e.getMessage());
        }
    }

    /**
     * Replaces a bind-mounted file's content in place: a rename would leave the container looking
     * at the old file, which its mount still holds.
     */
    static void rewrite(NetSystem system, Path file, String text) {
        try {
            system.overwrite(file, text);
        } catch (java.nio.file.NoSuchFileException e) {
            // the container's state is gone already: nobody reads it any more
        } catch (IOException e) {
            throw new NetworkException("updating " + file + ": " + e.getMessage());
        }
    }
}
