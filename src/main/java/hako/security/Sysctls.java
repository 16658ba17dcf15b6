package hako.security;

import hako.spec.SpecException;
import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Which {@code linux.sysctl} keys a container may set: only those of a kernel namespace the
 * container has of its own, as runc allows them. Any other key is the host's: writing
 * {@code kernel.core_pattern} from a container would run a program of its choosing on the host.
 */
public final class Sysctls {
    private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private Sysctls() {}

    public static void check(Spec.Linux linux) {
        for (String written : linux.sysctl().keySet()) {
            String key = dotted(written);
            String at = "linux.sysctl." + written;
            if (IPC.contains(key) || key.startsWith("fs.mqueue.")) {
                if (!linux.hasNamespace(NamespaceType.IPC)) throw SpecException.at(at, "not allowed in the host's IPC namespace");
            } else if (key.startsWith("net.")) {
                if (sharesTheHostsNetwork(linux)) throw SpecException.at(at, "not allowed in the host's network namespace");
            } else if (key.equals("kernel.domainname") && linux.hasNamespace(NamespaceType.UTS)) {
                // namespaced, and there is no field of the spec for it
            } else if (key.equals("kernel.hostname") && linux.hasNamespace(NamespaceType.UTS)) {
                throw SpecException.at(at, "not allowed: it conflicts with the spec's hostname field");
            } else if (key.startsWith("user.")) {
                throw SpecException.at(at, "not allowed without a user namespace: it would change the host's limits");
            } else {
                throw SpecException.at(at, "not in a separate kernel namespace: it would change the host's");
            }
        }
    }

    /** runc's reading: "net/ipv4/ip_forward" is net.ipv4.ip_forward (a '.' within a part stays a '/'). */
    static String dotted(String key) {
        int first = indexOfAny(key);
        if (first < 0 || key.charAt(first) == '.') return key;
        StringBuilder out = new StringBuilder(key.length());
        for (char c : key.toCharArray()) out.append(c == '/' ? '.' : c == '.' ? '/' : c);
        return out.toString();
    }

    private static int indexOfAny(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == '.' || key.charAt(i) == '/') return i;
        }
        return -1;
    }

    /** No network namespace, or one joined by a path that is the runtime's own. */
    private static boolean sharesTheHostsNetwork(Spec.Linux linux) {
        Spec.Namespace network = linux.namespace(NamespaceType.NETWORK);
        if (network == null) return true;
        if (network.path() == null) return false;
        try {
            return Files.isSameFile(Path.of(network.path()), Path.of("/proc/self/ns/net"));
        } catch (IOException e) {
            throw SpecException.at("linux.namespaces", "the network namespace " + network.path() + " cannot be read: " + e.getMessage());
        }
    }
}
