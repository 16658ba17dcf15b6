package hako.rootfs;

import hako.stage.Flags;

import java.util.ArrayList;
import java.util.List;

/**
 * A mount's {@code options}, as fstab, the OCI spec and runc spell them, split into what the
 * kernel takes: mount(2) flags to set, attributes for a whole tree (mount_setattr, the r-forms
 * rro, rnosuid…), propagation changes (each a call of its own), runc's extensions, and the rest
 * as filesystem data.
 *
 * @param recursiveSet   MOUNT_ATTR_* to set on the mount and every mount under it
 * @param recursiveClear MOUNT_ATTR_* to clear there (the whole _ATIME field when an atime is set)
 * @param copyUp         {@code tmpcopyup}: a tmpfs starts with what the directory under it held
 * @param idmap          {@code idmap} or {@code ridmap}: an id-mapped mount
 */
record MountOptions(long flags, long recursiveSet, long recursiveClear, List<Long> propagation, String data,
                    boolean copyUp, boolean idmap) {

    boolean bind() {
        return (flags & Flags.MS_BIND) != 0;
    }

    /** Flags that a bind mount only takes on a second, remounting call. */
    long remountFlags() {
        return flags & ~(Flags.MS_BIND | Flags.MS_REC | Flags.MS_REMOUNT);
    }

    boolean recursive() {
        return recursiveSet != 0 || recursiveClear != 0;
    }

    static MountOptions parse(List<String> options) {
        long flags = 0, attrSet = 0, attrClear = 0;
        boolean copyUp = false, idmap = false;
        List<Long> propagation = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        for (String option : options) {
            long set = 0, clear = 0, propagate = 0, attrOn = 0, attrOff = 0, atime = -1;
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
                case "acl" -> set = Flags.MS_POSIXACL;
                case "noacl" -> clear = Flags.MS_POSIXACL;
                case "iversion" -> set = Flags.MS_I_VERSION;
                case "noiversion" -> clear = Flags.MS_I_VERSION;
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
                // The recursive forms, as runc (1.1+) and crun take them: mount_setattr(AT_RECURSIVE).
                case "rro" -> attrOn = Flags.MOUNT_ATTR_RDONLY;
                case "rrw" -> attrOff = Flags.MOUNT_ATTR_RDONLY;
                case "rnosuid" -> attrOn = Flags.MOUNT_ATTR_NOSUID;
                case "rsuid" -> attrOff = Flags.MOUNT_ATTR_NOSUID;
                case "rnodev" -> attrOn = Flags.MOUNT_ATTR_NODEV;
                case "rdev" -> attrOff = Flags.MOUNT_ATTR_NODEV;
                case "rnoexec" -> attrOn = Flags.MOUNT_ATTR_NOEXEC;
                case "rexec" -> attrOff = Flags.MOUNT_ATTR_NOEXEC;
                case "rnodiratime" -> attrOn = Flags.MOUNT_ATTR_NODIRATIME;
                case "rdiratime" -> attrOff = Flags.MOUNT_ATTR_NODIRATIME;
                case "rnosymfollow" -> attrOn = Flags.MOUNT_ATTR_NOSYMFOLLOW;
                case "rsymfollow" -> attrOff = Flags.MOUNT_ATTR_NOSYMFOLLOW;
                // atime is one field of three values: setting one means clearing the whole field.
                case "rnoatime" -> atime = Flags.MOUNT_ATTR_NOATIME;
                case "rstrictatime" -> atime = Flags.MOUNT_ATTR_STRICTATIME;
                case "rrelatime", "ratime", "rnostrictatime" -> atime = Flags.MOUNT_ATTR_RELATIME;
                case "rnorelatime" -> atime = Flags.MOUNT_ATTR_STRICTATIME;
                case "tmpcopyup" -> copyUp = true;
                case "idmap", "ridmap" -> idmap = true;
                default -> {
                    // Anything else belongs to the filesystem (size=, mode=, gid=…), as with mount(8).
                    if (!data.isEmpty()) data.append(',');
                    data.append(option);
                }
            }
            flags = (flags | set) & ~clear;
            attrSet = (attrSet | attrOn) & ~attrOff;
            attrClear = (attrClear | attrOff) & ~attrOn;
            if (atime >= 0) {
                attrSet = (attrSet & ~Flags.MOUNT_ATTR__ATIME) | atime;
                attrClear |= Flags.MOUNT_ATTR__ATIME;
            }
            if (propagate != 0) propagation.add(propagate);
        }
        return new MountOptions(flags, attrSet, attrClear, List.copyOf(propagation),
                data.isEmpty() ? null : data.toString(), copyUp, idmap);
    }
}
