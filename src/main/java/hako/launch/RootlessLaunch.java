package hako.launch;

import hako.rootfs.Rootfs;
import hako.spec.RootlessSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hako launch} run by a user who is not root, as rootless podman runs a container: in a
 * user namespace where the user is root and, when /etc/subuid and /etc/subgid grant it more, its
 * subordinate ids are ids 1 and up (written by newuidmap and newgidmap). Only in a user namespace
 * of its own may a user mount overlayfs, so the image's layers are mounted there, by the stage,
 * as the container's root ({@link Rootfs#OVERLAY_ANNOTATION}, with userxattr: the user's store
 * marks opaque directories with user.overlay.opaque). Its files are the user's, so root's in the
 * container. No network but its own loopback yet: a user's network (slirp4netns) is not done.
 */
final class RootlessLaunch {
    private static final Path SUBUID = Path.of("/etc/subuid"), SUBGID = Path.of("/etc/subgid");

    private RootlessLaunch() {}

    /** What a user's container cannot have yet, refused before anything is made. */
    static void check(LaunchOptions options) {
        if (!"none".equals(options.network()) || !options.publish().isEmpty() || !options.allowFrom().isEmpty() || options.egress() != null) {
            throw new LaunchException("run by a user, hako launch has no network but its own loopback yet: "
                    + "give --network none (-p, --allow-from and --egress need a network)");
        }
    }

    /** The spec made a user's: its user namespace and maps, the layers as its root, what it cannot have taken out. */
    static void apply(Map<String, Object> spec, long uid, long gid, Users.Resolved user, String overlay) {
        apply(spec, uid, gid, user, overlay, SUBUID, SUBGID);
    }

    /** The same with the files that grant subordinate ids named (tests). */
    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> spec, long uid, long gid, Users.Resolved user, String overlay, Path subuid, Path subgid) {
        String userName = userName(uid);
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        List<Object> namespaces = new ArrayList<>((List<Object>) linux.get("namespaces"));
        namespaces.add(new LinkedHashMap<>(Map.of("type", "user")));
        linux.put("namespaces", namespaces);
        List<Object> uids = maps(uid, subordinate(subuid, userName, uid));
        List<Object> gids = maps(gid, subordinate(subgid, userName, uid));
        linux.put("uidMappings", uids);
        linux.put("gidMappings", gids);
        long top = Math.min(size(uids), size(gids));
        List<Long> ids = new ArrayList<>(List.of(user.uid(), user.gid()));
        ids.addAll(user.additionalGids());
        for (long id : ids) {
            if (id >= top) {
                throw new LaunchException("the container would run as id " + id + ", and the ids of your container are 0 (you)"
                        + (top > 1 ? " to " + (top - 1) + " (/etc/subuid, /etc/subgid)" : " only: /etc/subuid and /etc/subgid grant you no others")
                        + "; -u 0 runs it as its root");
            }
        }
        RootlessSpec.withMappedIdOptions((List<Object>) spec.get("mounts"), top);
        // A user has no device cgroup of its own: its devices are what the user namespace allows.
        if (linux.get("resources") instanceof Map<?, ?> resources) {
            resources.remove("devices");
            if (resources.isEmpty()) linux.remove("resources");
        }
        ((Map<String, Object>) spec.get("annotations")).put(Rootfs.OVERLAY_ANNOTATION, overlay + ",userxattr");
    }

    /** The user's name in /etc/passwd, which /etc/subuid may use instead of the uid. */
    private static String userName(long uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[2].equals(Long.toString(uid))) return fields[0];
            }
        } catch (IOException e) {
            // by uid only
        }
        return Long.toString(uid);
    }

    /** The user as 0, then its subordinate ids, if any, from 1. */
    private static List<Object> maps(long own, long[] subordinate) {
        List<Object> maps = new ArrayList<>();
        maps.add(RootlessSpec.mapping(0, own, 1));
        if (subordinate != null) maps.add(RootlessSpec.mapping(1, subordinate[0], subordinate[1]));
        return maps;
    }

    private static long size(List<Object> maps) {
        return maps.stream().mapToLong(m -> (Long) ((Map<?, ?>) m).get("size")).sum();
    }

    /**
     * The first range {@code file} grants the user (by name or uid), as newuidmap reads it:
     * {start, count}, or null.
     */
    static long[] subordinate(Path file, String userName, long uid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            String[] fields = line.strip().split(":");
            if (fields.length != 3 || !(fields[0].equals(userName) || fields[0].equals(Long.toString(uid)))) continue;
            try {
                long start = Long.parseLong(fields[1]), count = Long.parseLong(fields[2]);
                if (count > 0) return new long[] {start, count};
            } catch (NumberFormatException e) {
                // not a range: newuidmap passes it over too
            }
        }
        return null;
    }
}
