package hako.net;

import java.util.List;

/**
 * A conversation with rtnetlink in one network namespace: the requests hako makes of it, one
 * method each. Each method takes {@code what}, the words a failure starts with; a refusal is a
 * {@link NetworkException} with the kernel's errno and one line, {@code creating veth hk1a2b3c4d5e:
 * file exists}, so callers can accept "already there" (EEXIST) or "not there" (ENODEV).
 * {@link RouteSocket} is the one real implementation; {@link NetSystem} opens them.
 */
interface Rtnetlink extends AutoCloseable {
    /** RTM_GETLINK by name; ENODEV when there is no such link. */
    RouteMessages.Link link(String name, String what);

    /** Every link of the namespace. */
    List<RouteMessages.Link> links(String what);

    /** Every IPv4 address of the namespace. */
    List<RouteMessages.Address> addresses(String what);

    /** A bridge, up, with its MTU; EEXIST when the name is taken. */
    void newBridge(String name, int mtu, String what);

    /**
     * A veth pair in one request: {@code name} up on the bridge {@code master}, its peer made
     * directly inside the network namespace of process {@code peerPid} as {@code peerName}.
     */
    void newVeth(String name, int mtu, int master, String peerName, int peerPid, String what);

    /** Moves a link into the network namespace of {@code pid}, renamed; the kernel drops its addresses. */
    void moveLink(int index, int pid, String name, String what);

    void setUp(int index, String what);

    /** RTM_DELLINK by name (a veth takes its peer with it); ENODEV when there is none. */
    void deleteLink(String name, String what);

    /** An IPv4 address with its prefix (and broadcast) on a link. */
    void newAddress(int index, Ipv4 address, Subnet subnet, String what);

    /** The default route via {@code gateway} on link {@code index}; the gateway must be reachable on it. */
    void newDefaultRoute(int index, Ipv4 gateway, String what);

    @Override
    void close();
}
