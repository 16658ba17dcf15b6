package hako.net;

import hako.sys.PortProbe;

/**
 * Whether a process of the host already holds a port: a published port that a host service
 * listens on would send that service's traffic into the container, so it is refused instead.
 */
final class HostPorts {
    private HostPorts() {}

    static boolean inUse(int port, String protocol) {
        return PortProbe.inUse(port, protocol.equals("udp"));
    }
}
