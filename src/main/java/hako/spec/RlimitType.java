package hako.spec;

/**
 * The resource limits of setrlimit(2), by the spec name and the kernel's resource number
 * (include/uapi/asm-generic/resource.h, the same on every architecture hako runs on).
 */
public enum RlimitType {
    RLIMIT_CPU(0),
    RLIMIT_FSIZE(1),
    RLIMIT_DATA(2),
    RLIMIT_STACK(3),
    RLIMIT_CORE(4),
    RLIMIT_RSS(5),
    RLIMIT_NPROC(6),
    RLIMIT_NOFILE(7),
    RLIMIT_MEMLOCK(8),
    RLIMIT_AS(9),
    RLIMIT_LOCKS(10),
    RLIMIT_SIGPENDING(11),
    RLIMIT_MSGQUEUE(12),
    RLIMIT_NICE(13),
    RLIMIT_RTPRIO(14),
    RLIMIT_RTTIME(15);

    private static final RlimitType[] ALL = values();

    private final int resource;

    RlimitType(int resource) {
        this.resource = resource;
    }

    /** The {@code resource} argument of setrlimit(2)/prlimit(2). */
    public int resource() {
        return resource;
    }

    /** The limit with this spec name ({@code "RLIMIT_NOFILE"}), or null when there is none. */
    public static RlimitType byName(String name) {
        for (RlimitType type : ALL) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
