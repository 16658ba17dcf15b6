package hako.net;

import hako.sys.ProcessRef;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What hako holds for one container: its address on a network, its host-side veth, its published
 * ports and its rules, and who is alive to use them. Written under the network lock; the address
 * and the ports are free again once this record is gone.
 *
 * @param key     a short hash naming the container's veth and firewall chains
 * @param address null unless {@link NetworkRequest.Mode#BRIDGE}
 * @param veth    the host side of the veth pair, null unless bridge mode
 * @param files   the directory holding the container's hosts, hostname and resolv.conf
 * @param owner   the hako process that made the record
 * @param init    the container's init once it is wired, else null; while it lives, so does this
 * @param joined  for {@link NetworkRequest.Mode#CONTAINER}: whose network is shared
 */
public record Allocation(String id, String key, NetworkRequest.Mode mode, String network, Ipv4 address, String veth,
                         String hostname, List<PortMapping> ports, List<AllowRule> allowFrom, Egress egress,
                         Path files, ProcessRef owner, ProcessRef init, String joined) {

    /** The process whose life the record lasts: the container's init once wired, before that the hako that prepared it. */
    public ProcessRef holder() {
        return init != null ? init : owner;
    }

    public Allocation withInit(ProcessRef init) {
        return new Allocation(id, key, mode, network, address, veth, hostname, ports, allowFrom, egress, files, owner, init, joined);
    }

    public Path hostsFile() {
        return files.resolve("hosts");
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("key", key);
        json.put("mode", mode.name().toLowerCase());
        if (network != null) json.put("network", network);
        if (address != null) json.put("address", address.toString());
        if (veth != null) json.put("veth", veth);
        json.put("hostname", hostname);
        json.put("ports", ports.stream().map(PortMapping::toString).toList());
        json.put("allowFrom", allowFrom.stream().map(AllowRule::toString).toList());
        json.put("egress", egress.toString());
        json.put("files", files.toString());
        json.put("owner", List.of((long) owner.pid(), owner.startTime()));
        if (init != null) json.put("init", List.of((long) init.pid(), init.startTime()));
        if (joined != null) json.put("joined", joined);
        return json;
    }

    @SuppressWarnings("unchecked")
    static Allocation fromJson(Map<String, Object> json) {
        List<PortMapping> ports = new ArrayList<>();
        for (Object port : (List<Object>) json.get("ports")) ports.add(PortMapping.parse((String) port));
        List<AllowRule> allow = new ArrayList<>();
        for (Object rule : (List<Object>) json.get("allowFrom")) allow.add(AllowRule.parse((String) rule));
        return new Allocation((String) json.get("id"), (String) json.get("key"),
                NetworkRequest.Mode.valueOf(((String) json.get("mode")).toUpperCase()), (String) json.get("network"),
                json.containsKey("address") ? Ipv4.parse((String) json.get("address")) : null, (String) json.get("veth"),
                (String) json.get("hostname"), List.copyOf(ports), List.copyOf(allow), Egress.parse((String) json.get("egress")),
                Path.of((String) json.get("files")), process(json.get("owner")), process(json.get("init")),
                (String) json.get("joined"));
    }

    @SuppressWarnings("unchecked")
    private static ProcessRef process(Object value) {
        if (value == null) return null;
        List<Object> pair = (List<Object>) value;
        return new ProcessRef(((Long) pair.get(0)).intValue(), (Long) pair.get(1));
    }
}
