package hako.net;

import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Networking#prepare} decided for one container, for the lifecycle to carry out: the
 * mounts to add to the plan, which network namespace the container gets, and what
 * {@link Networking#wire} needs after the clone.
 *
 * @param mounts        bind mounts of /etc/hosts, /etc/hostname and /etc/resolv.conf
 * @param namespacePath for {@link NetworkRequest.Mode#CONTAINER}: the network namespace to join
 *                      ({@code /proc/PID/ns/net} of the other container's init); else null
 */
public record Attachment(String id, NetworkRequest.Mode mode, List<Spec.Mount> mounts, String namespacePath,
                         Allocation allocation, NetworkConfig network) {

    /** Nothing asked of the network: the spec is used as it is. */
    public static Attachment unmanaged(String id) {
        return new Attachment(id, NetworkRequest.Mode.UNMANAGED, List.of(), null, null, null);
    }

    public boolean managed() {
        return mode != NetworkRequest.Mode.UNMANAGED;
    }

    /** Whether the container gets a network namespace of its own, which {@link Networking#wire} configures. */
    public boolean ownNamespace() {
        return mode == NetworkRequest.Mode.BRIDGE || mode == NetworkRequest.Mode.NONE;
    }

    /**
     * The spec as this attachment needs it: the network namespace new (bridge, none), absent
     * (host) or joined (container:ID), and the DNS files mounted after the spec's own mounts.
     */
    public Spec applyTo(Spec spec) {
        if (!managed()) return spec;
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
