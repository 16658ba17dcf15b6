package hako.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hako spec --rootless}: the default spec made runnable by a user who is not root, as
 * {@code runc spec --rootless} makes it: a user namespace mapping only the caller's own ids (all
 * an unprivileged process may map), no network namespace of its own (it could not have sysfs of
 * one) and the host's /sys bound read-only instead, no uid=/gid= mount options of ids it does not
 * map, and no resources (a rootless caller's cgroups are seldom its own).
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
        linux.put("uidMappings", List.of(mapping(0, uid, 1)));
        linux.put("gidMappings", List.of(mapping(0, gid, 1)));
        List<Object> mounts = new ArrayList<>();
        for (Object entry : (List<Object>) spec.get("mounts")) {
            Map<String, Object> mount = (Map<String, Object>) entry;
            if (Path.of((String) mount.get("destination")).normalize().toString().equals("/sys")) {
                mounts.add(DefaultSpec.object("destination", "/sys", "type", "none", "source", "/sys",
                        "options", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
                continue;
            }
            mounts.add(mount);
        }
        withMappedIdOptions(mounts, 1);
        spec.put("mounts", mounts);
        linux.remove("resources");
        return spec;
    }

    /** One entry of linux.uidMappings or gidMappings. */
    public static Map<String, Object> mapping(long containerId, long hostId, long size) {
        return DefaultSpec.object("containerID", containerId, "hostID", hostId, "size", size);
    }

    /**
     * The mounts' uid= and gid= options (devpts's gid=5) name ids in the container: those that the
     * user namespace maps ({@code mapped}: ids 0 to mapped - 1) are kept, the others dropped, since
     * the mount would fail on them.
     */
    @SuppressWarnings("unchecked")
    public static void withMappedIdOptions(List<Object> mounts, long mapped) {
        for (Object entry : mounts) {
            Map<String, Object> mount = (Map<String, Object>) entry;
            if (mount.get("options") instanceof List<?> options) {
                mount.put("options", new ArrayList<>(options.stream().map(String.class::cast).filter(o -> isMapped(o, mapped)).toList()));
            }
        }
    }

    private static boolean isMapped(String option, long mapped) {
        if (!option.startsWith("uid=") && !option.startsWith("gid=")) return true;
        try {
            return Long.parseLong(option.substring(4)) < mapped;
        } catch (NumberFormatException e) {
            return true; // not an id: the mount says what is wrong with it
        }
    }
}
