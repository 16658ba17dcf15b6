package hako.net;

import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What a container's network changes in its spec, known before anything is reserved
 * ({@link Networking#shape}): its network namespace and the mounts of its /etc files.
 *
 * @param mounts        bind mounts of /etc/hosts, /etc/hostname and /etc/resolv.conf
 * @param namespacePath for {@link NetworkRequest.Mode#CONTAINER}: the network namespace to join
 *                      ({@code /proc/PID/ns/net} of the other container's init); else null
 */
public record NetworkShape(NetworkRequest.Mode mode, List<Spec.Mount> mounts, String namespacePath) {
    public static final NetworkShape UNMANAGED = new NetworkShape(NetworkRequest.Mode.UNMANAGED, List.of(), null);

    /** The mounts' sources: files, written by {@link Networking#prepare} after the plan is made. */
    public java.util.Set<java.nio.file.Path> files() {
        java.util.Set<java.nio.file.Path> files = new java.util.HashSet<>();
        for (Spec.Mount mount : mounts) files.add(java.nio.file.Path.of(mount.source()));
        return files;
    }

    /**
     * The spec as the network needs it: the network namespace new (bridge, none), absent (host)
     * or joined (container:ID), and the DNS files mounted after the spec's own mounts.
     */
    public Spec applyTo(Spec spec) {
        if (mode == NetworkRequest.Mode.UNMANAGED) return spec;
        List<Spec.Namespace> namespaces = new ArrayList<>();
        for (Spec.Namespace namespace : spec.linux().namespaces()) {
            if (namespace.type() != NamespaceType.NETWORK) namespaces.add(namespace);
        }
        switch (mode) {
            case BRIDGE, NONE -> namespaces.add(new Spec.Namespace(NamespaceType.NETWORK, null));
            case CONTAINER -> namespaces.add(new Spec.Namespace(NamespaceType.NETWORK, namespacePath));
            default -> { }
        }
        List<Spec.Mount> allMounts = new ArrayList<>(spec.mounts());
        allMounts.addAll(mounts);
        return spec.with(List.copyOf(allMounts), spec.linux().withNamespaces(List.copyOf(namespaces)));
    }
}
