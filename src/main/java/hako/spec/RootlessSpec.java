package hako.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hako spec --rootless}: the default spec made runnable by a user who is not root, as
 * {@code runc spec --rootless} makes it: a user namespace mapping only the caller's own ids (all
 * an unprivileged process may map), no network namespace of its own (it could not have sysfs of
 * one) and the host's /sys bound read-only instead, no uid=/gid= mount options (those ids are not
 * mapped), and no resources (a rootless caller's cgroups are seldom its own).
 */
public final class RootlessSpec {
    private RootlessSpec() {}

    @SuppressWarnings("unchecked")
    public static Map<String, Object> tree(long uid, long gid) {
        Map<String, Object> spec = DefaultSpec.tree();
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        List<Object> namespaces = new ArrayList<>();
        for (Object namespace : (List<Object>) linux.get("namespaces")) {
            Object type = ((Map<String, Object>) namespace).get("type");
            if (!"network".equals(type) && !"user".equals(type)) namespaces.add(namespace);
        }
        namespaces.add(DefaultSpec.object("type", "user"));
        linux.put("namespaces", namespaces);
        linux.put("uidMappings", List.of(DefaultSpec.object("containerID", 0L, "hostID", uid, "size", 1L)));
        linux.put("gidMappings", List.of(DefaultSpec.object("containerID", 0L, "hostID", gid, "size", 1L)));
        List<Object> mounts = new ArrayList<>();
        for (Object entry : (List<Object>) spec.get("mounts")) {
            Map<String, Object> mount = (Map<String, Object>) entry;
            if (Path.of((String) mount.get("destination")).normalize().toString().equals("/sys")) {
                mounts.add(DefaultSpec.object("destination", "/sys", "type", "none", "source", "/sys",
                        "options", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
                continue;
            }
            if (mount.get("options") instanceof List<?> options) {
                mount.put("options", new ArrayList<>(options.stream()
                        .filter(o -> !((String) o).startsWith("uid=") && !((String) o).startsWith("gid=")).toList()));
            }
            mounts.add(mount);
        }
        spec.put("mounts", mounts);
        linux.remove("resources");
        return spec;
    }
}
