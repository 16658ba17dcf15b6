package hako.net;

/**
 * What {@link Networking#prepare} reserved for one container, for {@link Networking#wire} to
 * build on after the clone.
 *
 * @param namespacePath for {@link NetworkRequest.Mode#CONTAINER}: the network namespace joined; else null
 */
public record Attachment(String id, NetworkRequest.Mode mode, String namespacePath, Allocation allocation, NetworkConfig network) {

    /** Nothing asked of the network: the spec is used as it is. */
    public static Attachment unmanaged(String id) {
        return new Attachment(id, NetworkRequest.Mode.UNMANAGED, null, null, null);
    }

    public boolean managed() {
        return mode != NetworkRequest.Mode.UNMANAGED;
    }

    /** Whether the container gets a network namespace of its own, which {@link Networking#wire} configures. */
    public boolean ownNamespace() {
        return mode == NetworkRequest.Mode.BRIDGE || mode == NetworkRequest.Mode.NONE;
    }
}
