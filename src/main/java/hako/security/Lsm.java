package hako.security;

import hako.stage.Op;
import hako.spec.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Linux security modules that label a container's process, AppArmor and SELinux, as a host
 * has them enabled; what they are is read once ({@link #host()}) and passed to the planner, so
 * that a test can plan for a host that has them.
 *
 * <p>As runc: the process's profile and label are written to its {@code attr/…/exec} files, so
 * they take hold at its execve; linux.mountLabel becomes the {@code context=} option of the
 * container's mounts (go-selinux's label.FormatMountLabel). What a host without the module
 * does with them is in docs/security.md.
 */
public record Lsm(boolean appArmor, boolean selinux) {
    public static final Lsm NONE = new Lsm(false, false);

    /** The kernel's own word: AppArmor is loaded and enabled (runc reads the same file). */
    static final Path APPARMOR_ENABLED = Path.of("/sys/module/apparmor/parameters/enabled");
    /** selinuxfs, mounted: go-selinux's test (the file exists only there). */
    static final Path SELINUX_ENFORCE = Path.of("/sys/fs/selinux/enforce");

    /** The profile that asks for no confinement: on a host without AppArmor, what every process has. */
    static final String UNCONFINED = "unconfined";

    /** Filesystems that take no mount label: runc labels neither proc, sysfs nor cgroup, and mqueue by xattr. */
    private static final Set<String> UNLABELLED = Set.of("proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind");

    private static Lsm host;

    /** This host's modules, read once. */
    public static synchronized Lsm host() {
        if (host == null) host = new Lsm(appArmorEnabled(), Files.exists(SELINUX_ENFORCE));
        return host;
    }

    private static boolean appArmorEnabled() {
        try {
            return Files.readString(APPARMOR_ENABLED).startsWith("Y");
        } catch (IOException e) {
            return false; // no AppArmor in this kernel at all
        }
    }

    /**
     * The ops that label the process at its execve; runc's order puts them before the switch of
     * user and no_new_privs (a confined transition needs neither), here too: the stage then still
     * has the CAP_SYS_ADMIN that a private procfs needs.
     *
     * @throws LsmException for a label this host cannot apply (runc refuses them too)
     */
    public List<Op> execLabels(Spec.Process process) {
        List<Op> ops = new ArrayList<>();
        String profile = process.apparmorProfile();
        if (profile != null) {
            String what = "AppArmor profile \"" + profile + "\"";
            if (appArmor) {
                // aa_change_onexec's words; the older kernels have only the shared attr/exec.
                ops.add(new Op.SetLabel(what, List.of("attr/apparmor/exec", "attr/exec"), "exec " + profile));
            } else if (!profile.equals(UNCONFINED)) {
                throw new LsmException("applying " + what + ": AppArmor is not enabled on this host ("
                        + APPARMOR_ENABLED + " is not Y)");
            }
        }
        String label = process.selinuxLabel();
        if (label != null) {
            String what = "SELinux label \"" + label + "\"";
            if (!selinux) {
                throw new LsmException("applying " + what + ": SELinux is not enabled on this host (no selinuxfs at /sys/fs/selinux)");
            }
            ops.add(new Op.SetLabel(what, List.of("attr/exec"), label));
        }
        return ops;
    }

    /**
     * runc's too: with an SELinux label, the session keyring the process makes (or joins) is
     * made with that context (attr/keycreate, which the execve resets).
     */
    public List<Op> keyringLabel(Spec.Process process) {
        String label = process.selinuxLabel();
        if (!selinux || label == null) return List.of();
        return List.of(new Op.SetLabel("SELinux label \"" + label + "\" of its session keyring", List.of("attr/keycreate"), label));
    }

    /**
     * The spec with linux.mountLabel as the {@code context="…"} option of each mount that takes
     * one (quoted: an MCS label has commas). Without SELinux there is nothing to label for: the
     * label is passed over, said in {@code warnings}.
     */
    public Spec labelMounts(Spec spec, List<String> warnings) {
        String label = spec.linux().mountLabel();
        if (label == null) return spec;
        if (!selinux) {
            warnings.add("linux.mountLabel is not applied: SELinux is not enabled on this host");
            return spec;
        }
        List<Spec.Mount> mounts = new ArrayList<>();
        for (Spec.Mount mount : spec.mounts()) {
            boolean bind = mount.type() == null || UNLABELLED.contains(mount.type())
                    || mount.options().contains("bind") || mount.options().contains("rbind");
            if (bind) {
                mounts.add(mount); // the kernel ignores a bind mount's options; proc… take none
                continue;
            }
            List<String> options = new ArrayList<>(mount.options());
            options.add("context=\"" + label + "\"");
            mounts.add(new Spec.Mount(mount.destination(), mount.type(), mount.source(), List.copyOf(options),
                    mount.uidMappings(), mount.gidMappings()));
        }
        return spec.with(List.copyOf(mounts), spec.linux());
    }

    /**
     * runc's rule for exec: a process that names no profile or label gets the container's.
     *
     * @param container the container's process as state.json keeps it
     */
    public static Spec.Process inherit(Spec.Process process, java.util.Map<String, Object> container) {
        String profile = process.apparmorProfile() != null ? process.apparmorProfile() : text(container, "apparmorProfile");
        String label = process.selinuxLabel() != null ? process.selinuxLabel() : text(container, "selinuxLabel");
        return process.withLabels(profile, label);
    }

    private static String text(java.util.Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }
}
