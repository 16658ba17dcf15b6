package hako.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One network: a bridge, its subnet and gateway, and the rules that come with it.
 *
 * @param internal no way out: no masquerade, and nothing from its containers leaves it
 * @param isolated containers on it cannot reach each other (only the gateway and the world)
 */
public record NetworkConfig(String name, String bridge, Subnet subnet, Ipv4 gateway, int mtu,
                            boolean internal, boolean isolated) {
    public static final String DEFAULT_NAME = "hako";
    public static final String DEFAULT_BRIDGE = "hako0";
    public static final int DEFAULT_MTU = 1500;

    public NetworkConfig {
        checkName(name);
        checkBridge(bridge);
        if (subnet.prefix() > 30) throw new NetworkException("subnet " + subnet + " is too small: use a /30 or larger");
        if (!subnet.contains(gateway) || gateway.equals(subnet.network()) || gateway.equals(subnet.broadcast())) {
            throw new NetworkException("gateway " + gateway + " is not a host address of subnet " + subnet);
        }
        if (mtu < 68 || mtu > 65535) throw new NetworkException("invalid MTU " + mtu + ": use 68..65535");
    }

    public static void checkName(String name) {
        boolean valid = !name.isEmpty() && name.length() <= 64 && Character.isLetterOrDigit(name.charAt(0))
                && name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'));
        if (!valid) {
            throw new NetworkException("invalid network name \"" + name + "\": use letters, digits and - _ . (at most 64)");
        }
    }

    static void checkBridge(String bridge) {
        // IFNAMSIZ is 16 with the NUL; "." and ".." and '/' or ':' or spaces are refused by the kernel.
        boolean valid = !bridge.isEmpty() && bridge.length() <= 15 && !bridge.equals(".") && !bridge.equals("..")
                && bridge.chars().allMatch(c -> c > 32 && c < 127 && c != '/' && c != ':' && c != '"' && c != '\\');
        if (!valid) throw new NetworkException("invalid bridge name \"" + bridge + "\": at most 15 characters, no / : or spaces");
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("bridge", bridge);
        json.put("subnet", subnet.toString());
        json.put("gateway", gateway.toString());
        json.put("mtu", (long) mtu);
        json.put("internal", internal);
        json.put("isolated", isolated);
        return json;
    }

    static NetworkConfig fromJson(Map<String, Object> json) {
        return new NetworkConfig((String) json.get("name"), (String) json.get("bridge"),
                Subnet.parse((String) json.get("subnet")), Ipv4.parse((String) json.get("gateway")),
                ((Long) json.get("mtu")).intValue(), (Boolean) json.get("internal"), (Boolean) json.get("isolated"));
    }
}
