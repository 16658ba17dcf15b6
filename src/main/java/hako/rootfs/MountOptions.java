package hako.rootfs;

import hako.plan.Flags;

import java.util.ArrayList;
import java.util.List;

/**
 * A mount's {@code options}, as fstab and the OCI spec spell them, split into what mount(2) takes:
 * flags to set, propagation changes (each a separate call), and the rest as filesystem data.
 */
record MountOptions(long flags, List<Long> propagation, String data) {

    boolean bind() {
        return (flags & Flags.MS_BIND) != 0;
    }

    /** Flags that a bind mount only takes on a second, remounting call. */
    long remountFlags() {
        return flags & ~(Flags.MS_BIND | Flags.MS_REC | Flags.MS_REMOUNT);
    }

    static MountOptions parse(List<String> options) {
        long flags = 0;
        List<Long> propagation = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        for (String option : options) {
            long set = 0, clear = 0, propagate = 0;
            switch (option) {
                case "defaults" -> { }
                case "ro" -> set = Flags.MS_RDONLY;
                case "rw" -> clear = Flags.MS_RDONLY;
                case "nosuid" -> set = Flags.MS_NOSUID;
                case "suid" -> clear = Flags.MS_NOSUID;
                case "nodev" -> set = Flags.MS_NODEV;
                case "dev" -> clear = Flags.MS_NODEV;
                case "noexec" -> set = Flags.MS_NOEXEC;
                case "exec" -> clear = Flags.MS_NOEXEC;
                case "sync" -> set = Flags.MS_SYNCHRONOUS;
                case "async" -> clear = Flags.MS_SYNCHRONOUS;
                case "dirsync" -> set = Flags.MS_DIRSYNC;
                case "remount" -> set = Flags.MS_REMOUNT;
                case "mand" -> set = Flags.MS_MANDLOCK;
                case "nomand" -> clear = Flags.MS_MANDLOCK;
                case "noatime" -> set = Flags.MS_NOATIME;
                case "atime" -> clear = Flags.MS_NOATIME;
                case "nodiratime" -> set = Flags.MS_NODIRATIME;
                case "diratime" -> clear = Flags.MS_NODIRATIME;
                case "relatime" -> set = Flags.MS_RELATIME;
                case "norelatime" -> clear = Flags.MS_RELATIME;
                case "strictatime" -> set = Flags.MS_STRICTATIME;
                case "nostrictatime" -> clear = Flags.MS_STRICTATIME;
                case "lazytime" -> set = Flags.MS_LAZYTIME;
                case "nolazytime" -> clear = Flags.MS_LAZYTIME;
                case "nosymfollow" -> set = Flags.MS_NOSYMFOLLOW;
                case "symfollow" -> clear = Flags.MS_NOSYMFOLLOW;
                case "silent" -> set = Flags.MS_SILENT;
                case "loud" -> clear = Flags.MS_SILENT;
                case "bind" -> set = Flags.MS_BIND;
                case "rbind" -> set = Flags.MS_BIND | Flags.MS_REC;
                case "private" -> propagate = Flags.MS_PRIVATE;
                case "rprivate" -> propagate = Flags.MS_PRIVATE | Flags.MS_REC;
                case "shared" -> propagate = Flags.MS_SHARED;
                case "rshared" -> propagate = Flags.MS_SHARED | Flags.MS_REC;
                case "slave" -> propagate = Flags.MS_SLAVE;
                case "rslave" -> propagate = Flags.MS_SLAVE | Flags.MS_REC;
                case "unbindable" -> propagate = Flags.MS_UNBINDABLE;
                case "runbindable" -> propagate = Flags.MS_UNBINDABLE | Flags.MS_REC;
                default -> {
                    // Anything else belongs to the filesystem (size=, mode=, gid=…), as with mount(8).
                    if (!data.isEmpty()) data.append(',');
                    data.append(option);
                }
            }
            flags = (flags | set) & ~clear;
            if (propagate != 0) propagation.add(propagate);
        }
        return new MountOptions(flags, List.copyOf(propagation), data.isEmpty() ? null : data.toString());
    }
}
