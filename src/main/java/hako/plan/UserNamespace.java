package hako.plan;

import hako.Invocation;
import hako.spec.SpecException;
import hako.security.IdMaps;
import hako.stage.Op;
import hako.sys.Caller;
import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The container's user namespace, when it has one: the maps the runtime writes for a new one,
 * whether setgroups(2) stays allowed in it, and what init does first in it.
 */
final class UserNamespace {
    private static final UserNamespace NONE = new UserNamespace(false, null, true);

    private final boolean present;
    private final IdMaps maps;
    private final boolean setgroups;

    private UserNamespace(boolean present, IdMaps maps, boolean setgroups) {
        this.present = present;
        this.maps = maps;
        this.setgroups = setgroups;
    }

    static UserNamespace of(Spec spec, Caller caller) {
        Spec.Linux linux = spec.linux();
        Spec.Namespace namespace = linux.namespace(NamespaceType.USER);
        if (namespace == null) return NONE;
        // runc's rules: a rootless caller never calls setgroups; it must deny it when it maps
        // its one gid itself (more takes newgidmap, which needs setgroups allowed).
        boolean setgroups = !caller.rootless();
        if (!setgroups && !spec.process().user().additionalGids().isEmpty()) {
            throw SpecException.at("process.user.additionalGids", "cannot set any additional groups in a rootless container");
        }
        if (namespace.path() != null) return new UserNamespace(true, null, setgroups);
        if (IdMaps.toHost(linux.uidMappings(), 0) < 0) {
            throw SpecException.at("linux.uidMappings", "maps no host uid to uid 0, which init becomes first in its user namespace (as runc)");
        }
        if (IdMaps.toHost(linux.gidMappings(), 0) < 0) {
            throw SpecException.at("linux.gidMappings", "maps no host gid to gid 0, which init becomes first in its user namespace (as runc)");
        }
        boolean ownGidOnly = linux.gidMappings().equals(List.of(new Spec.IdMapping(0, caller.gid(), 1)));
        boolean ownUidOnly = linux.uidMappings().equals(List.of(new Spec.IdMapping(0, caller.uid(), 1)));
        // The kernel lets a process that is not root write only one mapping of its own id: more
        // (subuids, subgids) is written by the setuid helpers, as runc does. Root — in a user
        // namespace too, under rootless podman — writes any map of the ids it has itself.
        String newuidmap = caller.rootless() && !ownUidOnly ? tool("newuidmap", "linux.uidMappings", "uid", "/etc/subuid") : null;
        String newgidmap = caller.rootless() && !ownGidOnly ? tool("newgidmap", "linux.gidMappings", "gid", "/etc/subgid") : null;
        return new UserNamespace(true, new IdMaps(linux.uidMappings(), linux.gidMappings(), caller.rootless() && ownGidOnly,
                newuidmap, newgidmap), setgroups);
    }

    /** The helper's path in $PATH (runc's exec.LookPath), refused before anything is made when it is missing. */
    private static String tool(String name, String at, String what, String file) {
        String path = Invocation.current().env("PATH");
        for (String dir : (path == null || path.isEmpty() ? Planner.DEFAULT_PATH : path).split(":")) {
            if (dir.isEmpty()) continue;
            java.nio.file.Path candidate = java.nio.file.Path.of(dir, name);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) return candidate.toString();
        }
        throw SpecException.at(at, "maps more than the caller's own " + what + ", which takes " + name
                + " (package uidmap) and the caller's ranges in " + file + "; " + name + " is not in $PATH");
    }

    /** The maps of a new user namespace, null when there is none to map (none, or one joined). */
    IdMaps maps() {
        return maps;
    }

    /** Whether setgroups(2) may be called in the container (never by a rootless caller, as runc). */
    boolean setgroups() {
        return setgroups;
    }

    /**
     * Init's first batch, preceded by its becoming root in the user namespace (runc's
     * setresuid(0, 0, 0) after the maps): it still has the host ids it was cloned with, which the
     * namespace may not map, and a file it made would have no owner it could name. The host's
     * supplementary groups are dropped too where setgroups is allowed.
     */
    List<Op> becomeRoot(List<Op> rootfs) {
        if (!present) return rootfs;
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.SetResuid(0));
        ops.add(new Op.SetResgid(0));
        if (setgroups) ops.add(new Op.SetGroups(List.of()));
        ops.addAll(rootfs);
        return List.copyOf(ops);
    }
}
