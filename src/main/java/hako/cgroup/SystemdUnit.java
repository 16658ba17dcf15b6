package hako.cgroup;

/**
 * The systemd unit a container's cgroup is, with {@code --systemd-cgroup}: from
 * {@code linux.cgroupsPath} in systemd's {@code slice:prefix:name} form, as runc reads it.
 *
 * @param slice the slice the unit goes in ({@code system.slice}; {@code -.slice} is the root)
 * @param name  the unit: {@code prefix-name.scope}, or {@code name} itself when it is a slice
 * @param path  where systemd puts its cgroup below the slices' root: {@code /system.slice/hako-web.scope}
 */
public record SystemdUnit(String slice, String name, String path) {
    /** Whether the unit is a slice: no process is given to it, and it is placed by Wants=, not Slice=. */
    public boolean isSlice() {
        return name.endsWith(".slice");
    }
}
