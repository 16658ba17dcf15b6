package hako.rootfs;

import hako.stage.Flags;
import hako.stage.Op;
import hako.spec.SpecException;
import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans the container's root filesystem: propagation, the spec's mounts in order, the device
 * nodes and /dev links, pivot_root, then the paths hidden or made read-only inside.
 *
 * <p>Every mount target is resolved by the stage inside the rootfs ({@link Op.SetRoot}), so a
 * symlink in an image can never lead a mount out of it.
 */
public final class Rootfs {
    /**
     * A rootfs that is an overlay of directories, mounted here, in the container's mount
     * namespace, rather than by the caller beforehand: how {@code hako launch} run by a user gets
     * its image's layers, since only in a user namespace of its own may it mount overlayfs. The
     * value is the mount's data; only overlayfs's directories and userxattr are taken.
     */
    public static final String OVERLAY_ANNOTATION = "dev.hako.rootfs.overlay";

    private final Spec spec;
    private final Path rootfs;
    private final Path bundle;
    private final boolean noPivot;
    private final java.util.Set<Path> filesToCome;
    private final List<Op> ops = new ArrayList<>();
    private final List<String> warnings;
    private final List<IdMappedMount> idMapped;
    private final boolean callerInUserNamespace;
    /** Where a host tree was bound with what is mounted under it (rbind): its submounts came along. */
    private final List<Path> recursiveBinds = new ArrayList<>();

    private Rootfs(Spec spec, Path bundle, boolean noPivot, java.util.Set<Path> filesToCome, List<String> warnings,
                   List<IdMappedMount> idMapped, boolean callerInUserNamespace) {
        this.spec = spec;
        this.callerInUserNamespace = callerInUserNamespace;
        this.idMapped = idMapped;
        this.bundle = bundle;
        this.noPivot = noPivot;
        this.filesToCome = filesToCome;
        this.warnings = warnings;
        this.rootfs = path(spec, bundle);
    }

    /** The rootfs directory of a bundle, as the host sees it. */
    public static Path path(Spec spec, Path bundle) {
        return bundle.resolve(spec.root().path()).normalize();
    }

    /**
     * @param noPivot  runc's --no-pivot: move the rootfs onto / and chroot, for where pivot_root cannot be used
     * @param warnings where to add what of the spec is passed over
     * @param filesToCome bind sources the runtime writes after planning: mounted as files
     * @param idMapped where to add the id-mapped mounts, which the stage prepares before the
     *                 clone: the plan's {@link Op.MoveMount}s number them in this order
     * @param callerInUserNamespace the runtime runs in a user namespace that is not the initial one
     *                 (under rootless podman): it may not make device nodes, nor mount what its
     *                 namespace does not own, even as root (see {@link hako.sys.Caller})
     */
    public static List<Op> plan(Spec spec, Path bundle, boolean noPivot, java.util.Set<Path> filesToCome, List<String> warnings,
                                List<IdMappedMount> idMapped, boolean callerInUserNamespace) {
        Rootfs plan = new Rootfs(spec, bundle, noPivot, filesToCome, warnings, idMapped, callerInUserNamespace);
        if (!spec.linux().hasNamespace(NamespaceType.MOUNT)) return plan.inTheRuntimesMountNamespace();
        plan.prepare();
        plan.mounts();
        plan.devices();
        plan.pivot();
        plan.finish();
        return List.copyOf(plan.ops);
    }

    /**
     * No mount namespace of its own: as runc, the spec's mounts and devices are made in the
     * runtime's, under the rootfs, and the process chroots into it. What would change mounts
     * that are not the container's own — propagation of "/", a read-only root, masked and
     * read-only paths — is refused (runc refuses the last two). Delete unmounts what was made.
     */
    private List<Op> inTheRuntimesMountNamespace() {
        String why = "needs a mount namespace of the container's own (add {\"type\": \"mount\"} to linux.namespaces)";
        if (!linux().maskedPaths().isEmpty()) throw SpecException.at("linux.maskedPaths", why);
        if (!linux().readonlyPaths().isEmpty()) throw SpecException.at("linux.readonlyPaths", why);
        if (spec.root().readonly()) throw SpecException.at("root.readonly", why);
        if (linux().rootfsPropagation() != null) throw SpecException.at("linux.rootfsPropagation", why);
        if (spec.annotations().containsKey(OVERLAY_ANNOTATION)) throw SpecException.at("annotations." + OVERLAY_ANNOTATION, why);
        ops.add(new Op.SetRoot(rootfs.toString()));
        mounts();
        devices();
        ops.add(new Op.Chroot(rootfs.toString()));
        ops.add(new Op.Mkdir(spec.process().cwd(), 0755));
        sysctls();
        return List.copyOf(ops);
    }

    private Spec.Linux linux() {
        return spec.linux();
    }

    /**
     * As runc: every mount made a slave (or given linux.rootfsPropagation), so that nothing mounted
     * in here propagates back to the host; the mount that holds the rootfs made private (or a
     * slave), since pivot_root refuses a shared parent and a bind refuses an unbindable source;
     * then the rootfs bound onto itself, which pivot_root needs (a mount point), or the overlay
     * the bundle asks for ({@link #OVERLAY_ANNOTATION}) mounted there.
     */
    private void prepare() {
        long propagation = rootPropagation();
        if (noPivot && (propagation & Flags.MS_PRIVATE) != 0) {
            // runc refuses it too: without pivot_root the host's old root stays beneath
            throw SpecException.at("linux.rootfsPropagation", linux().rootfsPropagation() + " is not safe without pivot_root (--no-pivot)");
        }
        ops.add(new Op.Mount(null, "/", null, propagation == 0 ? Flags.MS_SLAVE | Flags.MS_REC : propagation, null));
        long parent = (propagation & Flags.MS_SLAVE) != 0 ? Flags.MS_SLAVE : Flags.MS_PRIVATE;
        ops.add(new Op.Mount(null, rootfs.toString(), null, parent, null, Op.NEAREST_MOUNT));
        String overlay = spec.annotations().get(OVERLAY_ANNOTATION);
        if (overlay != null) ops.add(new Op.Mount("overlay", rootfs.toString(), "overlay", 0, overlayData(overlay)));
        else ops.add(new Op.Mount(rootfs.toString(), rootfs.toString(), null, Flags.MS_BIND | Flags.MS_REC, null));
        ops.add(new Op.SetRoot(rootfs.toString()));
    }

    private static String overlayData(String data) {
        String where = "annotations." + OVERLAY_ANNOTATION;
        for (String option : data.split(",")) {
            int equals = option.indexOf('=');
            String key = equals < 0 ? option : option.substring(0, equals);
            if (key.equals("userxattr") && equals < 0) continue;
            if (!List.of("lowerdir", "upperdir", "workdir").contains(key) || equals < 0) {
                throw SpecException.at(where, "\"" + option + "\" is not lowerdir=, upperdir=, workdir= or userxattr");
            }
            for (String path : option.substring(equals + 1).split(":")) {
                if (!path.startsWith("/")) throw SpecException.at(where, key + ": \"" + path + "\" is not an absolute path");
            }
        }
        if (!data.contains("lowerdir=")) throw SpecException.at(where, "has no lowerdir=");
        return data;
    }

    /** linux.rootfsPropagation as mount flags ("rshared" is MS_SHARED|MS_REC), 0 when unset. */
    private long rootPropagation() {
        String name = linux().rootfsPropagation();
        if (name == null) return 0;
        return MountOptions.parse(List.of(name)).propagation().getFirst();
    }

    private void mounts() {
        List<Spec.Mount> mounts = spec.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            mount(mounts.get(i), "mounts[" + i + "]");
        }
    }

    private void mount(Spec.Mount mount, String at) {
        MountOptions options = MountOptions.parse(mount.options());
        String target = mount.destination();
        String type = mount.type();
        boolean bind = options.bind() || "bind".equals(type);
        if (options.idmap() || mount.idMapped()) {
            idMapped(mount, options, bind, at);
            return;
        }
        if ("sysfs".equals(type) && sysfsIsBound()) {
            // runc spec --rootless's /sys, made here: a sysfs belongs to the network namespace,
            // which a user namespace may mount only when it owns that network namespace.
            mount(new Spec.Mount(target, "none", "/sys", withOptions(mount.options(), "rbind", "nosuid", "noexec", "nodev")), at);
            return;
        }
        if ("cgroup".equals(type) && cgroupIsBound()) {
            // runc's fallback: cgroup2 is mounted only from a cgroup namespace of the user
            // namespace's own; without one, the host's tree is bound instead.
            mount(new Spec.Mount(target, "none", HostMounts.cgroup2(),
                    withOptions(mount.options(), "rbind", "nosuid", "noexec", "nodev")), at);
            return;
        }
        if (bind && options.data() != null) {
            // The kernel ignores them. runc 1.2+ refuses them, but runc 1.1, crun and the OCI
            // validation suite (its "mounts" test binds with size= and mode=) take them: said, not refused.
            warnings.add("config.json: " + at + ".options: " + options.data()
                    + " ignored: a bind mount takes no filesystem options");
        }
        if (bind) {
            Path source = bundle.resolve(mount.source() == null ? "" : mount.source());
            createMountPoint(target, !filesToCome.contains(source) && (Files.isDirectory(source) || !Files.exists(source)));
            long recursive = options.flags() & Flags.MS_REC;
            ops.add(new Op.Mount(source.toString(), target, null, Flags.MS_BIND | recursive, null));
            if (recursive != 0) recursiveBinds.add(Path.of(target));
            // A bind mount ignores ro, nosuid… on its first call: they take a remount.
            if (options.remountFlags() != 0) {
                ops.add(new Op.Mount(null, target, null,
                        Flags.MS_BIND | Flags.MS_REMOUNT | options.remountFlags(), null));
            }
        } else {
            createMountPoint(target, true);
            // hako works with cgroup v2 only: the spec's generic "cgroup" type becomes cgroup2.
            String fstype = "cgroup".equals(type) ? "cgroup2" : type;
            String source = "cgroup".equals(type) || mount.source() == null ? fstype : mount.source();
            if ("cgroup2".equals(fstype) && insideARecursiveBind(target)) {
                // An rbind of the host's /sys (runc spec --rootless's) brought the host's cgroup2
                // mount along, at /sys/fs/cgroup on a cgroup v2 host; the kernel refuses (EBUSY)
                // a mount of the same superblock — cgroup2 has one, whatever the namespace — on
                // top of that mount's root. A tmpfs in between takes it, and the container gets
                // a cgroup2 of its own cgroup namespace (runc binds its cgroup's directory instead).
                ops.add(new Op.Mount("tmpfs", target, "tmpfs", Flags.MS_NOSUID | Flags.MS_NODEV | Flags.MS_NOEXEC, "mode=755"));
            }
            ops.add(new Op.Mount(source, target, fstype, options.flags(), options.data(),
                    options.copyUp() && "tmpfs".equals(fstype) ? Op.COPY_UP : 0));
        }
        if (options.copyUp() && (bind || !"tmpfs".equals(type))) {
            warnings.add("config.json: " + at + ".options: tmpcopyup ignored: it is for tmpfs mounts");
        }
        if (options.recursive()) {
            ops.add(new Op.MountSetattr(target, options.recursiveSet(), options.recursiveClear()));
        }
        for (long propagation : options.propagation()) {
            ops.add(new Op.Mount(null, target, null, propagation, null));
        }
    }

    private boolean insideARecursiveBind(String target) {
        Path path = Path.of(target).normalize();
        return recursiveBinds.stream().anyMatch(path::startsWith);
    }

    /** The options and these, once each. */
    private static List<String> withOptions(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        for (String option : more) if (!all.contains(option)) all.add(option);
        return all;
    }

    private boolean inUserNamespace() {
        return linux().hasNamespace(NamespaceType.USER);
    }

    /**
     * Whether the container's user namespace does not own its network namespace (see mount): the
     * container's own, or, with none, the runtime's — which under rootless podman is podman's,
     * owning what the runtime makes but not the host's network namespace.
     */
    private boolean sysfsIsBound() {
        if (inUserNamespace()) return !ownedByTheUserNamespace(NamespaceType.NETWORK);
        return callerInUserNamespace && linux().namespace(NamespaceType.NETWORK) == null;
    }

    /** The same for the cgroup namespace (runc: a user namespace without a cgroup namespace of its own). */
    private boolean cgroupIsBound() {
        if (inUserNamespace()) return !ownedByTheUserNamespace(NamespaceType.CGROUP);
        return callerInUserNamespace && linux().namespace(NamespaceType.CGROUP) == null;
    }

    /**
     * A namespace the container's user namespace owns: one made with it, or (a user namespace
     * joined by path) one joined with it, which is taken to be its own (a pod's).
     */
    private boolean ownedByTheUserNamespace(NamespaceType type) {
        Spec.Namespace namespace = linux().namespace(type);
        if (namespace == null) return false;
        return namespace.path() == null || linux().namespace(NamespaceType.USER).path() != null;
    }

    /**
     * An id-mapped bind mount: the stage makes the mount before the clone and init attaches it
     * here; its ro, nosuid… and propagation are then applied as for any bind mount. Without
     * mappings of its own the mount takes the container's (runc's rule).
     */
    private void idMapped(Spec.Mount mount, MountOptions options, boolean bind, String at) {
        if (!bind) throw SpecException.at(at + ".options", "idmap and ridmap are for bind mounts only");
        List<Spec.IdMapping> uids = mount.uidMappings(), gids = mount.gidMappings();
        if (uids.isEmpty() != gids.isEmpty()) {
            throw SpecException.at(at, "an id-mapped mount takes both uidMappings and gidMappings");
        }
        if (uids.isEmpty()) {
            if (!inUserNamespace() || linux().uidMappings().isEmpty()) {
                throw SpecException.at(at + ".options", "idmap without uidMappings and gidMappings takes the container's, and it has none (no new user namespace)");
            }
            uids = linux().uidMappings();
            gids = linux().gidMappings();
        }
        Path source = bundle.resolve(mount.source() == null ? "" : mount.source());
        String target = mount.destination();
        createMountPoint(target, Files.isDirectory(source) || !Files.exists(source));
        boolean recursive = (options.flags() & Flags.MS_REC) != 0;
        idMapped.add(new IdMappedMount(source.toString(), recursive, mount.options().contains("ridmap"),
                new hako.security.IdMaps(uids, gids, false)));
        ops.add(new Op.MoveMount(idMapped.size() - 1, target));
        if (options.remountFlags() != 0) {
            ops.add(new Op.Mount(null, target, null, Flags.MS_BIND | Flags.MS_REMOUNT | options.remountFlags(), null));
        }
        if (options.recursive()) ops.add(new Op.MountSetattr(target, options.recursiveSet(), options.recursiveClear()));
        for (long propagation : options.propagation()) ops.add(new Op.Mount(null, target, null, propagation, null));
    }

    private void createMountPoint(String target, boolean directory) {
        if (directory) {
            ops.add(new Op.Mkdir(target, 0755));
        } else {
            ops.add(new Op.Mkdir(parent(target), 0755));
            ops.add(new Op.Mkfile(target, 0644));
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** Whether hako makes the container's /dev (its devices, links and, for a terminal, /dev/console). */
    public static boolean makesDev(Spec spec) {
        return !new Rootfs(spec, Path.of("/"), false, java.util.Set.of(), new ArrayList<>(), new ArrayList<>(), false).devIsBindMounted();
    }

    private boolean devIsBindMounted() {
        for (Spec.Mount mount : spec.mounts()) {
            if ("/dev".equals(mount.destination())
                    && ("bind".equals(mount.type()) || MountOptions.parse(mount.options()).bind())) {
                return true;
            }
        }
        return false;
    }

    private void devices() {
        if (devIsBindMounted()) return; // the host's /dev is used as it is
        // Device modes are exact: the stage's umask must not take bits away.
        ops.add(new Op.Umask(0));
        for (Device device : Device.withSpecDevices(Device.defaults(), linux().devices())) {
            // As runc: /dev/ptmx is always the link to the container's own devpts (podman's
            // --privileged lists the host's ptmx among its devices).
            if (device.path().equals("/dev/ptmx")) continue;
            ops.add(new Op.Mkdir(parent(device.path()), 0755));
            if (inUserNamespace() || callerInUserNamespace) {
                // A user namespace may not make device nodes (the runtime's own either, under
                // rootless podman): as runc, the host's are bound.
                ops.add(new Op.Mkfile(device.path(), 0));
                ops.add(new Op.Mount(device.path(), device.path(), null, Flags.MS_BIND, null));
                continue;
            }
            ops.add(new Op.Mknod(device.path(), device.type() | device.mode(), Flags.makedev(device.major(), device.minor()), Op.IGNORE_EXISTING));
            if (device.uid() != 0 || device.gid() != 0) {
                ops.add(new Op.Chown(device.path(), device.uid(), device.gid()));
            }
        }
        // The mount point of the container's terminal, which init binds onto it (runc's /dev/console).
        if (spec.process().terminal()) ops.add(new Op.Mkfile("/dev/console", 0600));
        ops.add(new Op.Umask(0022));
        link("/proc/self/fd", "/dev/fd");
        link("/proc/self/fd/0", "/dev/stdin");
        link("/proc/self/fd/1", "/dev/stdout");
        link("/proc/self/fd/2", "/dev/stderr");
        if (Files.exists(Path.of("/proc/kcore"))) link("/proc/kcore", "/dev/core");
        link("pts/ptmx", "/dev/ptmx");
    }

    private void link(String linkTarget, String path) {
        ops.add(new Op.Symlink(linkTarget, path, Op.IGNORE_EXISTING));
    }

    /**
     * Into the rootfs; then, as runc, a shared or unbindable linux.rootfsPropagation is given to
     * the new "/" itself (before pivot_root it would have reached the host's root), and the
     * process's working directory made if the image lacks it.
     */
    private void pivot() {
        ops.add(noPivot ? new Op.MoveRoot(rootfs.toString(), HostMounts.fullProcAndSysfsOutside(rootfs))
                : new Op.PivotRoot(rootfs.toString()));
        long propagation = rootPropagation();
        if ((propagation & (Flags.MS_SHARED | Flags.MS_UNBINDABLE)) != 0) {
            ops.add(new Op.Mount(null, "/", null, propagation, null));
        }
        ops.add(new Op.Mkdir(spec.process().cwd(), 0755));
    }

    private void finish() {
        // Sysctls first: readonly paths below make /proc/sys read-only.
        sysctls();
        for (String path : linux().readonlyPaths()) {
            ops.add(new Op.Mount(path, path, null, Flags.MS_BIND | Flags.MS_REC, null, Op.IGNORE_MISSING));
            ops.add(new Op.Mount(null, path, null,
                    Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY | lockedFlags(path), null, Op.IGNORE_MISSING));
        }
        for (String path : linux().maskedPaths()) {
            ops.add(new Op.Mask(path));
        }
        if (spec.root().readonly()) {
            ops.add(new Op.Mount(null, "/", null, Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY, null));
        }
    }

    /** Only keys of the container's own namespaces get here (hako.security.Sysctls). */
    private void sysctls() {
        for (Map.Entry<String, String> sysctl : linux().sysctl().entrySet()) {
            ops.add(new Op.WriteProc("sys/" + sysctl.getKey().replace('.', '/'), sysctl.getValue()));
        }
    }

    /**
     * The nosuid/nodev/noexec of the spec mount that holds {@code path}: a read-only remount keeps
     * them rather than quietly dropping them.
     */
    private long lockedFlags(String path) {
        Spec.Mount holder = null;
        for (Spec.Mount mount : spec.mounts()) {
            String destination = mount.destination();
            if (path.equals(destination) || path.startsWith(destination.endsWith("/") ? destination : destination + "/")) {
                if (holder == null || destination.length() >= holder.destination().length()) holder = mount;
            }
        }
        if (holder == null) return 0;
        return MountOptions.parse(holder.options()).flags() & (Flags.MS_NOSUID | Flags.MS_NODEV | Flags.MS_NOEXEC);
    }
}
