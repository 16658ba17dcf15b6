package hako.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code linux.netDevices}: host network devices moved into the container's network namespace,
 * renamed when the spec says so, with their permanent global IPv4 addresses (which the kernel
 * drops on the move) given back, and set up. Nothing is moved back: when the namespace goes, the
 * kernel returns physical devices to the host and destroys virtual ones (the runtime spec says
 * the runtime must not move them out).
 */
public final class NetDevices {
    private NetDevices() {}

    /** @param devices host name → name in the container */
    public static void move(Map<String, String> devices, int initPid) {
        move(NetSystem.kernel(), devices, initPid);
    }

    static void move(NetSystem system, Map<String, String> devices, int initPid) {
        if (devices.isEmpty()) return;
        record Moved(String hostName, String name, int index, List<RouteMessages.Address> addresses) {}
        List<Moved> moved = new ArrayList<>();
        try (Rtnetlink host = system.rtnetlink()) {
            List<RouteMessages.Address> all = Links.addresses(host);
            for (Map.Entry<String, String> device : devices.entrySet()) {
                String hostName = device.getKey();
                int index = Links.index(host, hostName);
                if (index == 0) throw new NetworkException("linux.netDevices: there is no network device " + hostName + " on the host");
                List<RouteMessages.Address> keep = new ArrayList<>();
                for (RouteMessages.Address address : all) {
                    if (address.index() == index && address.permanentGlobal()) keep.add(address);
                }
                host.moveLink(index, initPid, device.getValue(),
                        "moving network device " + hostName + " into the container as " + device.getValue());
                moved.add(new Moved(hostName, device.getValue(), index, keep));
            }
        }
        try (Rtnetlink container = system.rtnetlinkOf(initPid)) {
            for (Moved device : moved) {
                int index = device.name().contains("%d") ? sameIndex(container, device.index()) : Links.index(container, device.name());
                if (index == 0) throw new NetworkException("network device " + device.hostName() + " is not in the container after its move");
                for (RouteMessages.Address address : device.addresses()) {
                    container.newAddress(index, address.address(), address.subnet(),
                            "giving " + device.name() + " back its address " + address.address() + "/" + address.prefix());
                }
                container.setUp(index, "setting " + device.name() + " up in the container");
            }
        }
    }

    /** A device keeps its index across namespaces unless the new one has it taken; then its name tells. */
    private static int sameIndex(Rtnetlink container, int index) {
        for (RouteMessages.Link link : Links.all(container)) {
            if (link.index() == index) return index;
        }
        return 0;
    }
}
