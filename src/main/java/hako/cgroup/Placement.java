package hako.cgroup;

/**
 * Where a container's cgroup goes in the tree, from {@code linux.cgroupsPath}:
 * <ul>
 *   <li>absolute ({@code /machines/web}): that path from the root of the cgroup v2 tree;</li>
 *   <li>relative ({@code pods/web}): below hako's own cgroup, as the spec allows a runtime to
 *       choose;</li>
 *   <li>systemd's {@code slice:prefix:name} ({@code system.slice:docker:web}): the path systemd
 *       would give that unit, {@code /system.slice/docker-web.scope} — hako writes the cgroup
 *       itself, without asking systemd, as runc's cgroupfs driver does with such paths;</li>
 *   <li>absent: {@code hako/ID} below hako's own cgroup.</li>
 * </ul>
 */
final class Placement {
    private static final String WHERE = "config.json: linux.cgroupsPath: ";
    private static final String SLICE = ".slice";

    private Placement() {}

    /** The container's cgroup path, absolute within the tree ({@code /hako/web}). */
    static String resolve(String cgroupsPath, String id, String ownCgroup) {
        if (cgroupsPath == null || cgroupsPath.isEmpty()) return join(ownCgroup, "hako/" + id);
        String[] systemd = cgroupsPath.split(":", -1);
        if (!cgroupsPath.startsWith("/") && systemd.length == 3
                && (systemd[0].isEmpty() || systemd[0].endsWith(SLICE))) {
            return systemd(systemd[0], systemd[1], systemd[2]);
        }
        if (cgroupsPath.equals("/")) throw new CgroupException(WHERE + "\"" + cgroupsPath + "\" is the root of the cgroup tree; name a cgroup below it");
        return cgroupsPath.startsWith("/") ? checked(cgroupsPath) : join(ownCgroup, checked(cgroupsPath));
    }

    private static String join(String parent, String relative) {
        return (parent.equals("/") ? "" : parent) + "/" + relative;
    }

    /** A path whose every part is a plain name: no "..", no ".", nothing empty. Drops a final "/". */
    private static String checked(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        String[] parts = trimmed.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == 0 && part.isEmpty() && trimmed.startsWith("/")) continue;
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new CgroupException(WHERE + "\"" + path + "\" has an empty, \".\" or \"..\" part; "
                        + "a cgroup path names cgroups, one below the other");
            }
            if (part.indexOf('\n') >= 0 || part.indexOf('\0') >= 0) {
                throw new CgroupException(WHERE + "\"" + path.replace("\n", "\\n") + "\" has a control character in it");
            }
        }
        return trimmed.isEmpty() ? "/" : trimmed;
    }

    /**
     * The unit of the systemd cgroup driver: {@code slice:prefix:name}, or runc's default when the
     * path is empty ({@code system.slice:hako:ID}, {@code user.slice:hako:ID} for a rootless
     * caller, whose systemd --user has its own user.slice). Any other form is refused, as runc
     * refuses it. {@code manager} is the cgroup of the systemd that makes it ({@link
     * #managerCgroup}): a user's puts its units below its own, as runc's path says.
     */
    static SystemdUnit systemdUnit(String cgroupsPath, String id, String manager) {
        String defaultSlice = manager.equals("/") ? "system.slice" : "user.slice";
        String given = cgroupsPath == null || cgroupsPath.isEmpty() ? defaultSlice + ":hako:" + id : cgroupsPath;
        String[] parts = given.split(":", -1);
        if (parts.length != 3 || given.startsWith("/") || !(parts[0].isEmpty() || parts[0].endsWith(SLICE))) {
            throw new CgroupException(WHERE + "\"" + cgroupsPath + "\" is not systemd's slice:prefix:name form, "
                    + "which the systemd cgroup driver (--systemd-cgroup) needs (\"" + defaultSlice + ":hako:" + id + "\", or empty)");
        }
        String slice = parts[0].isEmpty() ? defaultSlice : parts[0];
        String path = systemd(slice, parts[1], parts[2]);
        return new SystemdUnit(slice, path.substring(path.lastIndexOf('/') + 1), join(manager, path.substring(1)));
    }

    /**
     * Where the caller's systemd keeps its units: root's, the whole tree; a rootless caller's
     * systemd --user, the cgroup of its user@UID.service, where systemd's logind layout puts it
     * (runc asks that manager for its ControlGroup; hako plans without a bus, and takes the unit's
     * cgroup from systemd's answer once it is made).
     */
    static String managerCgroup(long uid, boolean rootless) {
        return rootless ? "/user.slice/user-" + uid + ".slice/user@" + uid + ".service" : "/";
    }

    /** systemd's unit for {@code slice:prefix:name}, as a path: {@code /a.slice/a-b.slice/prefix-name.scope}. */
    private static String systemd(String slice, String prefix, String name) {
        if (name.isEmpty()) throw new CgroupException(WHERE + "\"" + slice + ":" + prefix + ":\" has no name after the last ':'");
        for (String part : new String[] {slice, prefix, name}) {
            if (part.contains("/")) {
                throw new CgroupException(WHERE + "\"" + slice + ":" + prefix + ":" + name
                        + "\" is systemd's slice:prefix:name form, whose parts cannot hold '/'");
            }
        }
        // Like systemd (and runc): a name that is a slice is the unit itself; otherwise a scope.
        String unit = name.endsWith(SLICE) ? name : (prefix.isEmpty() ? name : prefix + "-" + name) + ".scope";
        String parent = expandSlice(slice.isEmpty() ? "system.slice" : slice);
        return join(parent, checked(unit));
    }

    /** {@code a-b-c.slice} lives at {@code /a.slice/a-b.slice/a-b-c.slice}; {@code -.slice} is the root. */
    static String expandSlice(String slice) {
        String name = slice.substring(0, slice.length() - SLICE.length());
        if (name.equals("-")) return "/";
        StringBuilder path = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        for (String component : name.split("-", -1)) {
            if (component.isEmpty()) {
                throw new CgroupException(WHERE + "\"" + slice + "\" is not a slice name systemd accepts "
                        + "(dashes separate its parents: a-b.slice is inside a.slice)");
            }
            path.append('/').append(prefix).append(component).append(SLICE);
            prefix.append(component).append('-');
        }
        return path.toString();
    }
}
