package hako.stage;

import hako.spec.Capability;

import java.util.StringJoiner;

/** Linux flag values used in plans, and their names for people. */
public final class Flags {
    // clone(2)
    public static final long CLONE_NEWTIME = 0x80L;
    public static final long CLONE_NEWNS = 0x20000L;
    public static final long CLONE_NEWCGROUP = 0x2000000L;
    public static final long CLONE_NEWUTS = 0x4000000L;
    public static final long CLONE_NEWIPC = 0x8000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;
    public static final long CLONE_PARENT = 0x8000L;

    // mount(2)
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16, MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128;
    public static final long MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096, MS_REC = 16384, MS_SILENT = 32768;
    public static final long MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20;
    public static final long MS_POSIXACL = 1 << 16, MS_I_VERSION = 1 << 23;
    public static final long MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;
    public static final long PROPAGATION = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

    // mount_setattr(2): MOUNT_ATTR_RELATIME is 0, one value of the two-bit _ATIME field
    public static final long MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8;
    public static final long MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0, MOUNT_ATTR_NOATIME = 0x10;
    public static final long MOUNT_ATTR_STRICTATIME = 0x20, MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    // file types for mknod(2)
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    private static final String[] CLONE_NAMES = {
        "CLONE_NEWNS", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET",
        "CLONE_NEWCGROUP", "CLONE_NEWTIME", "CLONE_PARENT",
    };
    private static final long[] CLONE_VALUES = {
        CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
        CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_PARENT,
    };
    private static final String[] MOUNT_NAMES = {
        "MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS", "MS_REMOUNT", "MS_MANDLOCK",
        "MS_DIRSYNC", "MS_NOSYMFOLLOW", "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_REC", "MS_SILENT",
        "MS_POSIXACL", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME", "MS_I_VERSION",
        "MS_STRICTATIME", "MS_LAZYTIME",
    };
    private static final long[] MOUNT_VALUES = {
        MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK,
        MS_DIRSYNC, MS_NOSYMFOLLOW, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_SILENT,
        MS_POSIXACL, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_RELATIME, MS_I_VERSION,
        MS_STRICTATIME, MS_LAZYTIME,
    };
    private static final String[] ATTR_NAMES = {
        "MOUNT_ATTR_RDONLY", "MOUNT_ATTR_NOSUID", "MOUNT_ATTR_NODEV", "MOUNT_ATTR_NOEXEC", "MOUNT_ATTR_NOATIME",
        "MOUNT_ATTR_STRICTATIME", "MOUNT_ATTR_NODIRATIME", "MOUNT_ATTR_NOSYMFOLLOW",
    };
    private static final long[] ATTR_VALUES = {
        MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOATIME,
        MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW,
    };

    private Flags() {}

    public static String clone(long flags) {
        return names(flags, CLONE_NAMES, CLONE_VALUES);
    }

    public static String mount(long flags) {
        return names(flags, MOUNT_NAMES, MOUNT_VALUES);
    }

    /** mount_setattr attributes; a clear mask with the whole _ATIME field shows as MOUNT_ATTR__ATIME. */
    public static String mountAttributes(long attributes) {
        if ((attributes & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME) {
            String rest = names(attributes & ~MOUNT_ATTR__ATIME, ATTR_NAMES, ATTR_VALUES);
            return rest.equals("0") ? "MOUNT_ATTR__ATIME" : rest + "|MOUNT_ATTR__ATIME";
        }
        return names(attributes, ATTR_NAMES, ATTR_VALUES);
    }

    private static String names(long flags, String[] names, long[] values) {
        StringJoiner joined = new StringJoiner("|");
        long rest = flags;
        for (int i = 0; i < names.length; i++) {
            if ((flags & values[i]) != 0) {
                joined.add(names[i]);
                rest &= ~values[i];
            }
        }
        if (rest != 0) joined.add("0x" + Long.toHexString(rest));
        return joined.length() == 0 ? "0" : joined.toString();
    }

    public static String fileType(int mode) {
        return switch (mode & 0170000) {
            case S_IFCHR -> "S_IFCHR";
            case S_IFBLK -> "S_IFBLK";
            case S_IFIFO -> "S_IFIFO";
            default -> "0" + Integer.toOctalString(mode & 0170000);
        };
    }

    /** makedev() as glibc and the kernel's new_encode_dev define it. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    public static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    public static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }

    public static String limit(long value) {
        return value == -1L ? "unlimited" : Long.toString(value);
    }

    /** A capability set by names: {CAP_KILL,CAP_NET_BIND_SERVICE}. */
    public static String caps(long set) {
        StringJoiner joined = new StringJoiner(",", "{", "}");
        for (int bit = 0; bit < 64; bit++) {
            if ((set & (1L << bit)) == 0) continue;
            Capability capability = Capability.byNumber(bit);
            joined.add(capability == null ? "capability " + bit : capability.name());
        }
        return joined.toString();
    }
}
