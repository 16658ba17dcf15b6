package hako.spec;

/**
 * The Linux namespace types of the OCI spec, with what the kernel calls them: the clone flag and
 * the file name under /proc/PID/ns. The declaration order is the order the spec lists them, which
 * error messages repeat.
 */
public enum NamespaceType {
    PID("pid", 0x20000000, "pid"),
    NETWORK("network", 0x40000000, "net"),
    MOUNT("mount", 0x00020000, "mnt"),
    IPC("ipc", 0x08000000, "ipc"),
    UTS("uts", 0x04000000, "uts"),
    USER("user", 0x10000000, "user"),
    CGROUP("cgroup", 0x02000000, "cgroup"),
    TIME("time", 0x00000080, "time");

    private static final NamespaceType[] ALL = values();

    private final String specName;
    private final int cloneFlag;
    private final String procName;

    NamespaceType(String specName, int cloneFlag, String procName) {
        this.specName = specName;
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** The name in config.json: {@code "network"}. */
    public String specName() {
        return specName;
    }

    /** CLONE_NEW* for clone3(2), unshare(2) and setns(2). */
    public int cloneFlag() {
        return cloneFlag;
    }

    /** The name under /proc/PID/ns: {@code "net"}. */
    public String procName() {
        return procName;
    }

    /** The type with this config.json name, or null when there is none. */
    public static NamespaceType bySpecName(String name) {
        for (NamespaceType type : ALL) {
            if (type.specName.equals(name)) {
                return type;
            }
        }
        return null;
    }

    /** "pid, network, mount, ipc, uts, user, cgroup, time", for error messages. */
    static String specNames() {
        StringBuilder names = new StringBuilder();
        for (NamespaceType type : ALL) {
            if (!names.isEmpty()) {
                names.append(", ");
            }
            names.append(type.specName);
        }
        return names.toString();
    }
}
