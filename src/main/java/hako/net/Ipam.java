package hako.net;

import java.util.Collection;
import java.util.Map;

/**
 * Address management for a network: which address a new container gets, and which subnet a new
 * network gets. Pure decisions over what is taken; {@link NetworkStore}'s lock makes them safe
 * between processes.
 */
final class Ipam {
    private Ipam() {}

    /**
     * The address for a new container: {@code requested} if it is free, else the lowest free host
     * address that is not the gateway.
     *
     * @param taken the addresses in use on this network, and by whom
     */
    static Ipv4 allocate(NetworkConfig network, Map<Ipv4, String> taken, Ipv4 requested) {
        Subnet subnet = network.subnet();
        if (requested != null) {
            if (!subnet.contains(requested)) {
                throw new NetworkException("address " + requested + " is outside network " + network.name() + "'s subnet " + subnet);
            }
            if (requested.equals(subnet.network()) || requested.equals(subnet.broadcast())) {
                throw new NetworkException("address " + requested + " is not a host address of subnet " + subnet);
            }
            if (requested.equals(network.gateway())) {
                throw new NetworkException("address " + requested + " is network " + network.name() + "'s gateway");
            }
            String user = taken.get(requested);
            if (user != null) throw new NetworkException("address " + requested + " is already in use by container \"" + user + "\"");
            return requested;
        }
        for (long n = 1; n < subnet.size() - 1; n++) {
            Ipv4 candidate = subnet.address(n);
            if (!candidate.equals(network.gateway()) && !taken.containsKey(candidate)) return candidate;
        }
        throw new NetworkException("network " + network.name() + " has no free address left in " + subnet);
    }

    /**
     * The first candidate subnet that overlaps none in use: the default network tries
     * 10.88.0.0/16 first (as podman does), others 10.89.0.0/24, 10.89.1.0/24…
     */
    static Subnet chooseSubnet(boolean defaultNetwork, Collection<Subnet> inUse) {
        if (defaultNetwork) {
            for (int second = 88; second < 100; second++) {
                Subnet candidate = Subnet.parse("10." + second + ".0.0/16");
                if (free(candidate, inUse)) return candidate;
            }
        }
        for (int second = 89; second < 100; second++) {
            for (int third = 0; third < 256; third++) {
                Subnet candidate = Subnet.parse("10." + second + "." + third + ".0/24");
                if (free(candidate, inUse)) return candidate;
            }
        }
        throw new NetworkException("no free private subnet left in 10.88.0.0-10.99.255.255: give one with --subnet");
    }

    private static boolean free(Subnet candidate, Collection<Subnet> inUse) {
        for (Subnet used : inUse) {
            if (used.overlaps(candidate)) return false;
        }
        return true;
    }
}
