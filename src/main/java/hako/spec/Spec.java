package hako.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A bundle's config.json (OCI runtime spec, Linux), read and validated by {@link SpecReader}.
 *
 * <p>Conventions for every record here:
 * <ul>
 *   <li>An optional object or scalar that config.json leaves out is {@code null}; an optional list
 *       or map left out is empty. Nothing is invented, with one exception kept for runc
 *       compatibility: a missing {@code process.user} (or its uid/gid) reads as uid 0, gid 0.</li>
 *   <li>An empty string in an optional string field reads as null, because runc treats it as
 *       unset (Go's {@code omitempty}); so {@code "hostname": ""} sets no hostname.</li>
 *   <li>Unsigned 32-bit ids are {@code long}s in 0..4294967295. Unsigned 64-bit values (rlimits)
 *       are {@code long}s holding the unsigned bits: {@code -1L} is 18446744073709551615,
 *       RLIM_INFINITY; compare them with {@link Long#compareUnsigned}.</li>
 *   <li>Lists and maps are unmodifiable. The raw tree ({@link #raw()})
 *       is the parser's own maps: treat it as read-only.</li>
 * </ul>
 *
 * @param ociVersion  the spec version the bundle claims; required
 * @param process     the container's process; required by hako (create always needs one)
 * @param root        the root filesystem; required
 * @param hostname    null when unset
 * @param domainname  null when unset
 * @param mounts      in the order they are to be mounted
 * @param hooks       by kind; {@link Hooks#NONE} when absent
 * @param annotations empty when absent; keeps the file's order
 * @param linux       never null: an absent {@code linux} reads as one with empty lists and null
 *                    values (the container then shares every namespace of the runtime)
 * @param raw         the whole parsed document, for fields not modelled here
 */
public record Spec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux,
        Map<String, Object> raw) {

    /** The same spec with other mounts and linux (the network a container is given adds some). */
    public Spec with(List<Mount> otherMounts, Linux otherLinux) {
        return new Spec(ociVersion, process, root, hostname, domainname, otherMounts, hooks, annotations, otherLinux, raw);
    }

    /** The spec version hako implements and writes into new bundles and state. */
    public static final String OCI_VERSION = "1.2.0";

    /**
     * {@code process} of config.json, or the whole process.json of {@code exec --process}.
     *
     * @param terminal     whether to give the process a pseudo-terminal
     * @param consoleSize  null when unset
     * @param user         never null (root when absent, as in runc)
     * @param args         never empty
     * @param cwd          absolute
     * @param capabilities null when absent: runc then leaves the capabilities as they are, which
     *                     is not the same as every set empty
     * @param oomScoreAdj  -1000..1000, null when unset
     * @param scheduler    null when unset
     * @param ioPriority   null when unset
     * @param execCpuAffinity null when unset; only an exec'd process uses it (the spec says so)
     */
    public record Process(
            boolean terminal,
            ConsoleSize consoleSize,
            User user,
            List<String> args,
            List<String> env,
            String cwd,
            Capabilities capabilities,
            List<Rlimit> rlimits,
            boolean noNewPrivileges,
            Integer oomScoreAdj,
            String apparmorProfile,
            String selinuxLabel,
            Scheduler scheduler,
            IoPriority ioPriority,
            CpuAffinity execCpuAffinity) {

        /** The same process with another AppArmor profile and SELinux label (null for none). */
        public Process withLabels(String otherProfile, String otherLabel) {
            return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges,
                    oomScoreAdj, otherProfile, otherLabel, scheduler, ioPriority, execCpuAffinity);
        }
    }

    /**
     * {@code process.scheduler}, as sched_setattr(2) takes it.
     *
     * @param policy the SCHED_* number (SCHED_OTHER 0 … SCHED_DEADLINE 6)
     * @param flags  the SCHED_FLAG_* bits
     */
    public record Scheduler(int policy, int nice, int priority, long flags, long runtime, long deadline, long period) {
    }

    /** {@code process.ioPriority}: class (IOPRIO_CLASS_RT 1, BE 2, IDLE 3) and level 0..7. */
    public record IoPriority(int ioClass, int priority) {
    }

    /** {@code process.execCPUAffinity}: CPU sets, null when not given. */
    public record CpuAffinity(java.util.BitSet initial, java.util.BitSet last) {
    }

    /** {@code process.consoleSize}, in characters. */
    public record ConsoleSize(long height, long width) {
    }

    /**
     * {@code process.user}, ids in the container's user namespace.
     *
     * @param umask          null when the spec leaves it to the runtime's default
     * @param additionalGids empty when absent
     */
    public record User(long uid, long gid, Long umask, List<Long> additionalGids) {
    }

    /**
     * {@code process.capabilities}. When the whole object is absent, {@link Process#capabilities()}
     * is null (runc then leaves the capabilities as they are); a set absent here is empty.
     */
    public record Capabilities(
            List<Capability> bounding,
            List<Capability> effective,
            List<Capability> inheritable,
            List<Capability> permitted,
            List<Capability> ambient) {
    }

    /** One {@code process.rlimits} entry; {@code hard} and {@code soft} are unsigned 64-bit (see {@link Spec}). */
    public record Rlimit(RlimitType type, long hard, long soft) {
    }

    /**
     * {@code root}. The path is as written: absolute, or relative to the bundle directory.
     */
    public record Root(String path, boolean readonly) {

        /** The root filesystem's location on the host, for a bundle at {@code bundle}. */
        public Path resolve(Path bundle) {
            return bundle.resolve(path);
        }
    }

    /**
     * One {@code mounts} entry.
     *
     * @param destination absolute path in the container
     * @param type        null when unset (a bind mount, for instance)
     * @param source      null when unset
     * @param options     empty when absent
     * @param uidMappings its own uidMappings (an id-mapped mount), empty when absent
     * @param gidMappings its own gidMappings, empty when absent
     */
    public record Mount(String destination, String type, String source, List<String> options,
                        List<IdMapping> uidMappings, List<IdMapping> gidMappings) {
        public Mount(String destination, String type, String source, List<String> options) {
            this(destination, type, source, options, List.of(), List.of());
        }

        /** Whether it has uidMappings or gidMappings of its own. */
        public boolean idMapped() {
            return !uidMappings.isEmpty() || !gidMappings.isEmpty();
        }
    }

    /**
     * {@code linux}.
     *
     * @param namespaces        no type appears twice
     * @param resources         {@code linux.resources} (see {@link Resources}), null when absent
     * @param rootfsPropagation null when unset; otherwise one of shared, slave, private, unbindable
     *                          and their recursive r- forms
     * @param seccomp           {@code linux.seccomp}, null when absent or empty (no default action and no rules: runc then loads no filter)
     * @param personality       null when absent
     * @param timeOffsets       the clocks' offsets in a new time namespace, empty when absent
     * @param memoryPolicy      null when absent
     * @param netDevices        host device name → its name in the container, in the file's order
     * @param intelRdt          whether {@code linux.intelRdt} is given (hako refuses it)
     */
    public record Linux(
            List<Namespace> namespaces,
            List<IdMapping> uidMappings,
            List<IdMapping> gidMappings,
            List<Device> devices,
            String cgroupsPath,
            Resources resources,
            String rootfsPropagation,
            List<String> maskedPaths,
            List<String> readonlyPaths,
            Map<String, String> sysctl,
            Seccomp seccomp,
            String mountLabel,
            Personality personality,
            List<TimeOffset> timeOffsets,
            MemoryPolicy memoryPolicy,
            Map<String, String> netDevices,
            boolean intelRdt) {

        /** The same, with other namespaces. */
        public Linux withNamespaces(List<Namespace> other) {
            return new Linux(other, uidMappings, gidMappings, devices, cgroupsPath, resources, rootfsPropagation,
                    maskedPaths, readonlyPaths, sysctl, seccomp, mountLabel, personality, timeOffsets, memoryPolicy,
                    netDevices, intelRdt);
        }

        /** The entry for this namespace type, or null when the container shares the runtime's. */
        public Namespace namespace(NamespaceType type) {
            for (Namespace namespace : namespaces) {
                if (namespace.type() == type) {
                    return namespace;
                }
            }
            return null;
        }

        /** Whether the container gets a namespace of this type (new or joined), not the runtime's. */
        public boolean hasNamespace(NamespaceType type) {
            return namespace(type) != null;
        }
    }

    /** {@code linux.personality}: the execution domain as personality(2) takes it (PER_LINUX 0, PER_LINUX32 8). */
    public record Personality(int persona) {
    }

    /** One {@code linux.timeOffsets} entry: a clock (monotonic or boottime) and its offset. */
    public record TimeOffset(String clock, long secs, long nanosecs) {
    }

    /**
     * {@code linux.memoryPolicy}, as set_mempolicy(2) takes it.
     *
     * @param mode  the MPOL_* number
     * @param flags the MPOL_F_* bits, ORed into the mode
     */
    public record MemoryPolicy(int mode, java.util.BitSet nodes, int flags) {
    }

    /**
     * One {@code linux.namespaces} entry.
     *
     * @param path null to create a new namespace; otherwise the absolute path of one to join
     */
    public record Namespace(NamespaceType type, String path) {
    }

    /** One {@code linux.uidMappings}/{@code gidMappings} entry: a line of /proc/PID/uid_map. */
    public record IdMapping(long containerId, long hostId, long size) {
    }

    /**
     * One {@code linux.devices} entry.
     *
     * @param major    0 for a FIFO
     * @param minor    0 for a FIFO
     * @param fileMode null when unset; may carry S_IFMT type bits as some clients write them, so
     *                 use {@code fileMode & 07777} for the permissions
     * @param uid      owner in the container, null when unset
     * @param gid      group in the container, null when unset
     */
    public record Device(String path, DeviceType type, long major, long minor, Integer fileMode, Long uid, Long gid) {
    }
}
