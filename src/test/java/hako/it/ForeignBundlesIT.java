package hako.it;

import hako.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bundles that hako did not write: config.json as {@code runc spec} and {@code crun spec} make
 * it, and the mount options, propagation and capability sets that podman, buildah and the OCI
 * validation suite send. Each runs as it does under runc (compared with runc itself where the
 * result is the kernel's to say).
 */
class ForeignBundlesIT extends ContainerTest {

    /** {@code TOOL spec} in a new directory, with our rootfs, no terminal, and {@code args}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> specFrom(String tool, String... args) throws IOException {
        Path dir = Files.createTempDirectory(work, tool + "-spec");
        Hako.Result result = Hako.exec(List.of(tool, "spec", "--bundle", dir.toString()), "");
        assertEquals(0, result.code(), () -> tool + " spec: " + result);
        Map<String, Object> spec = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("config.json")));
        ((Map<String, Object>) spec.get("root")).put("path", rootfs.toString());
        Busybox.process(spec).put("terminal", false);
        Busybox.process(spec).put("args", new ArrayList<>(List.of(args)));
        return spec;
    }

    static Hako.Result run(Map<String, Object> spec) {
        Path bundle = Busybox.bundle(work, spec);
        return Hako.run(root, "", "run", "--bundle", bundle.toString(), "f-" + bundle.getFileName());
    }

    static Hako.Result runc(Map<String, Object> spec) {
        Path bundle = Busybox.bundle(work, spec);
        return Hako.exec(List.of("runc", "--root", work.resolve("runc-state").toString(), "run", "--bundle",
                bundle.toString(), "r-" + bundle.getFileName()), "");
    }

    static String status(String script, Map<String, Object> spec) {
        Busybox.process(spec).put("args", new ArrayList<>(List.of("sh", "-c", script)));
        Hako.Result result = run(spec);
        assertEquals(0, result.code(), result::toString);
        return result.stdout();
    }

    @Test
    void runcSpecRunsAsUnderRunc() throws IOException {
        String script = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status; id; hostname; echo HOME=$HOME; ls /dev | tr '\\n' ' '";
        Map<String, Object> spec = specFrom("runc", "sh", "-c", script);
        Hako.Result hako = run(spec);
        assertEquals(0, hako.code(), hako::toString);
        Hako.Result runc = runc(spec);
        assertEquals(0, runc.code(), runc::toString);
        assertEquals(runc.stdout(), hako.stdout());
        assertEquals("", hako.stderr());
    }

    @Test
    void crunSpecRuns() throws IOException {
        Hako.Result result = run(specFrom("crun", "sh", "-c", "echo $$; hostname"));
        assertEquals(0, result.code(), result::toString);
        assertEquals("1\ncrun\n", result.stdout());
    }

    @Test
    void ambientCapabilitiesAsBuildahSendsThemKeepCapabilitiesForANonRootUser() throws IOException {
        // buildah lists its capabilities in ambient, and in inheritable too for a non-root RUN
        Map<String, Object> spec = specFrom("runc", "sh", "-c", "grep -E '^Cap(Eff|Amb)' /proc/self/status");
        List<String> caps = List.of("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        Busybox.process(spec).put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps,
                "inheritable", caps, "ambient", caps));
        Busybox.process(spec).put("user", Map.of("uid", 1000L, "gid", 1000L));
        Hako.Result result = run(spec);
        assertEquals(0, result.code(), result::toString);
        assertEquals("CapEff:\t0000000000000421\nCapAmb:\t0000000000000421\n", result.stdout());
    }

    @Test
    void podmansTmpfsStartsWithWhatTheImageHadThere() throws IOException {
        Path image = Files.createDirectories(rootfs.resolve("opt/app/sub"));
        Files.writeString(image.resolve("../config"), "from the image\n");
        Files.createSymbolicLink(image.resolve("link"), Path.of("/etc/passwd"));
        try {
            Map<String, Object> spec = specFrom("runc");
            Busybox.mounts(spec).add(Map.of("destination", "/opt/app", "type", "tmpfs", "source", "tmpfs",
                    "options", List.of("rw", "rprivate", "nosuid", "nodev", "tmpcopyup")));
            String out = status("cat /opt/app/config; readlink /opt/app/sub/link; echo new > /opt/app/config;"
                    + " grep ' /opt/app ' /proc/self/mounts | cut -d' ' -f3", spec);
            assertEquals("from the image\n/etc/passwd\ntmpfs\n", out);
            assertEquals("from the image\n", Files.readString(image.resolve("../config")), "the image is untouched");
        } finally {
            Leaks.deleteTree(rootfs.resolve("opt"));
        }
    }

    @Test
    void everyRootfsPropagationRunsAndBehavesAsTheValidationSuiteChecks() throws IOException {
        // The check of runtime-tools' runtimetest: bind / elsewhere, mount under /, look through the bind.
        String check = "mkdir -p /target /mnt/test /src && touch /src/file && mount --rbind / /target || { echo unbindable; exit 0; };"
                + " mount --bind /src /mnt/test; [ -e /target/mnt/test/file ] && echo exposed || echo hidden";
        Map<String, String> expected = Map.of("shared", "exposed", "slave", "hidden", "private", "hidden",
                "unbindable", "unbindable", "rshared", "exposed", "rprivate", "hidden");
        for (Map.Entry<String, String> propagation : expected.entrySet()) {
            Map<String, Object> spec = specFrom("runc");
            Busybox.linux(spec).put("rootfsPropagation", propagation.getKey());
            ((Map<String, Object>) spec.get("root")).put("readonly", false);
            List<String> caps = List.of("CAP_SYS_ADMIN");
            Busybox.process(spec).put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
            assertEquals(propagation.getValue() + "\n", status(check, spec), propagation.getKey());
        }
        for (String made : List.of("target", "mnt/test", "src/file", "src")) Files.deleteIfExists(rootfs.resolve(made));
    }

    @Test
    void recursiveReadOnlyReachesTheMountsUnderABind() throws IOException {
        // A bind whose source has a mount under it (a tmpfs made first, in the container's own
        // mount namespace): ro leaves that one writable, rro does not.
        Path source = Files.createDirectories(rootfs.resolve("bind-source/sub"));
        try {
            Map<String, Object> spec = specFrom("runc");
            Busybox.mounts(spec).add(Map.of("destination", "/bind-source/sub", "type", "tmpfs", "source", "tmpfs"));
            for (String option : List.of("ro", "rro")) {
                Busybox.mounts(spec).add(Map.of("destination", "/" + option, "type", "bind",
                        "source", source.getParent().toString(), "options", List.of("rbind", option)));
            }
            String out = status("for d in ro rro; do touch /$d/sub/x 2>/dev/null && echo $d: writable || echo $d: read-only; done", spec);
            assertEquals("ro: writable\nrro: read-only\n", out);
        } finally {
            Leaks.deleteTree(rootfs.resolve("bind-source"));
            Files.deleteIfExists(rootfs.resolve("ro"));
            Files.deleteIfExists(rootfs.resolve("rro"));
        }
    }

    @Test
    void withoutAnyNamespaceTheContainerSharesTheRuntimesAndLeavesNoMountBehind() throws IOException {
        // As runtime-tools' linux_ns_itype: every namespace removed (and what needs one of its own).
        Map<String, Object> spec = specFrom("runc", "sh", "-c", "readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; ls /proc/self/ >/dev/null && echo proc");
        Busybox.linux(spec).remove("namespaces");
        Busybox.linux(spec).remove("maskedPaths");
        Busybox.linux(spec).remove("readonlyPaths");
        spec.remove("hostname");
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Path bundle = Busybox.bundle(work, spec);
        // In a mount namespace of the test's own, so that nothing propagates to the machine's;
        // the check after the run sees what delete left there.
        String script = String.join(" ", Hako.LAUNCHER.toString(), "--root", root.toString(), "run", "--bundle", bundle.toString(), "shared;")
                + " echo left: $(grep -c " + rootfs + " /proc/self/mountinfo)";
        Hako.Result result = Hako.exec(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script), "");
        assertEquals(0, result.code(), result::toString);
        List<String> lines = result.stdout().lines().toList();
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(), lines.get(1), "the runtime's PID namespace");
        assertEquals(List.of("proc", "left: 0"), lines.subList(2, 4));
    }

    @Test
    void homeComesFromTheContainersOwnPasswdAsRuncTakesIt() throws Exception {
        Map<String, Object> spec = specFrom("runc", "sh", "-c", "echo $HOME");
        Busybox.process(spec).put("user", Map.of("uid", 65534L, "gid", 65534L));
        Hako.Result nobody = run(spec);
        assertEquals("/nonexistent\n", nobody.stdout(), nobody::toString);
        assertEquals(runc(spec).stdout(), nobody.stdout());

        // An image whose /etc/passwd leads out of it is read inside it all the same.
        Path own = work.resolve("passwd-rootfs");
        Busybox.rootfs(own);
        Files.delete(own.resolve("etc/passwd"));
        Files.writeString(own.resolve("etc/real-passwd"), "root:x:0:0:root:/inside:/bin/sh\n");
        Files.createSymbolicLink(own.resolve("etc/passwd"), Path.of("/../../../../../../etc/real-passwd"));
        Map<String, Object> escaping = specFrom("runc", "sh", "-c", "echo $HOME");
        ((Map<String, Object>) escaping.get("root")).put("path", own.toString());
        assertEquals("/inside\n", run(escaping).stdout());
    }
}
