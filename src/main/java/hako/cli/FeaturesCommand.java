package hako.cli;

import hako.Invocation;
import hako.spec.Hooks;
import hako.spec.Capability;
import hako.json.Json;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code hako features}: what this hako supports, as the OCI runtime spec's features document. */
final class FeaturesCommand {
    private FeaturesCommand() {}

    static int run(Globals globals, List<String> argv) {
        new Args("features").parse(argv);
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("ociVersionMin", "1.0.0");
        features.put("ociVersionMax", Spec.OCI_VERSION);
        features.put("hooks", Hooks.KINDS);
        // Docker uses rro only where the runtime lists it.
        features.put("mountOptions", List.of("acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "idmap",
                "exec", "iversion", "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec",
                "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
                "ratime", "rbind", "rdev", "ridmap", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev",
                "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
                "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable",
                "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable"));
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"));
        List<String> capabilities = new ArrayList<>();
        for (Capability capability : Capability.values()) capabilities.add(capability.name());
        linux.put("capabilities", capabilities);
        // --systemd-cgroup: root's scopes through the system bus, a rootless caller's through systemd --user (hako.cgroup.SystemdScope)
        linux.put("cgroup", Map.of("v1", false, "v2", true, "systemd", true, "systemdUser", true));
        // id-mapped mounts: open_tree + mount_setattr(MOUNT_ATTR_IDMAP), as runc reports them
        linux.put("mountExtensions", Map.of("idmap", Map.of("enabled", true)));
        linux.put("seccomp", hako.seccomp.Features.describe());
        // The spec's meaning, and runc's answer: hako applies them (docs/security.md), whether or
        // not this host has the modules enabled.
        linux.put("apparmor", Map.of("enabled", true));
        linux.put("selinux", Map.of("enabled", true));
        features.put("linux", linux);
        Map<String, Object> annotations = new LinkedHashMap<>();
        // runc's key: clients read the libseccomp version from it
        if (hako.sys.Libseccomp.available()) annotations.put("io.github.seccomp.libseccomp.version", hako.sys.Libseccomp.version());
        annotations.put("dev.hako.version", Hako.VERSION);
        features.put("annotations", annotations);
        // runc's list, for CRI-O and containerd to keep from pods they do not trust: annotations that
        // change what the runtime does (prefixes end in a dot). hako's own set up a network and publish ports.
        features.put("potentiallyUnsafeConfigAnnotations", List.of("org.systemd.property.", "dev.hako."));
        Invocation.current().out().println(Json.writePretty(features));
        return 0;
    }
}
