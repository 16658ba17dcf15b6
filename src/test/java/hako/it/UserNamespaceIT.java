package hako.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers in a user namespace of their own (root 0 → host 100000, 65536 ids), seen from inside
 * and from the host: the ids, the files made, the capabilities that stop at the namespace's
 * edge, a namespace joined by path, id-mapped mounts and the cgroup given to the container.
 */
class UserNamespaceIT extends ContainerTest {
    static final long HOST = 100000;
    /** The rootfs owned by the mapped root, as a user namespace's image must be. */
    static Path mappedRootfs;

    @BeforeAll
    static void mappedRootfs() throws IOException {
        // The mapped root is nobody on the host: it must be able to walk to its rootfs.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        mappedRootfs = work.resolve("mapped-rootfs");
        Busybox.rootfs(mappedRootfs);
        Hako.Result chown = Hako.exec(List.of("chown", "-R", HOST + ":" + HOST, mappedRootfs.toString()), "");
        assertEquals(0, chown.code(), chown::toString);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(String script) {
        Map<String, Object> spec = Busybox.spec(mappedRootfs, "sh", "-c", script);
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Map<String, Object> linux = Busybox.linux(spec);
        List<Object> namespaces = new ArrayList<>((List<Object>) linux.get("namespaces"));
        namespaces.add(Map.of("type", "user"));
        linux.put("namespaces", namespaces);
        linux.put("uidMappings", List.of(Map.of("containerID", 0L, "hostID", HOST, "size", 65536L)));
        linux.put("gidMappings", List.of(Map.of("containerID", 0L, "hostID", HOST, "size", 65536L)));
        return spec;
    }

    static String run(Map<String, Object> spec) {
        Hako.Result result = Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), "userns-" + System.nanoTime());
        assertEquals(0, result.code(), result::toString);
        return result.stdout();
    }

    @Test
    void theProcessIsRootInsideWhileTheMapsSayTheHostIds() {
        String out = run(spec("id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"));
        List<String> lines = out.lines().map(String::strip).toList();
        assertEquals(List.of("0", "0", "0 100000 65536", "0 100000 65536", "allow"),
                lines.stream().map(l -> l.replaceAll("\\s+", " ")).toList(), out);
    }

    @Test
    void aFileMadeInsideBelongsToTheMappedUidOnTheHost() throws IOException {
        String name = "made-" + System.nanoTime();
        assertEquals("0 0\n", run(spec("touch /tmp/" + name + " && stat -c '%u %g' /tmp/" + name)));
        Path made = mappedRootfs.resolve("tmp").resolve(name);
        assertEquals((int) HOST, Files.getAttribute(made, "unix:uid"));
        assertEquals((int) HOST, Files.getAttribute(made, "unix:gid"));
        Files.delete(made);
    }

    /** Every capability, in the user namespace only: the host's sysctls and device nodes stay out of reach. */
    @Test
    void theCapabilitiesAreTheUserNamespacesOnly() {
        Map<String, Object> spec = spec("grep CapEff /proc/self/status; "
                + "echo 1 > /proc/sys/kernel/printk_ratelimit && echo wrote-sysctl; "
                + "mknod /tmp/null c 1 3 && echo made-node; "
                + "mkdir -p /mnt && mount -t tmpfs scratch /mnt && echo mounted-inside");
        List<String> all = List.of("CAP_SYS_ADMIN", "CAP_MKNOD", "CAP_DAC_OVERRIDE", "CAP_SYS_RESOURCE", "CAP_NET_ADMIN");
        Busybox.process(spec).put("capabilities", Map.of("bounding", all, "effective", all, "permitted", all));
        @SuppressWarnings("unchecked")
        List<Object> readonly = (List<Object>) Busybox.linux(spec).get("readonlyPaths");
        readonly.remove("/proc/sys");
        // As Docker's profile does for a container with CAP_SYS_ADMIN: hako spec's refuses mount.
        Busybox.linux(spec).remove("seccomp");
        Hako.Result result = Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), "caps");
        long effective = Long.parseLong(result.stdout().lines().findFirst().orElseThrow().split("\\s+")[1], 16);
        assertTrue((effective & (1L << 21)) != 0, "CAP_SYS_ADMIN in the effective set: " + result);
        assertTrue(result.stderr().contains("printk_ratelimit: Permission denied"), result::toString);
        assertTrue(result.stderr().contains("mknod: /tmp/null: Operation not permitted"), result::toString);
        assertTrue(result.stdout().contains("mounted-inside"), "a mount in its own mount namespace works: " + result);
        assertTrue(!result.stdout().contains("wrote-sysctl") && !result.stdout().contains("made-node"), result::toString);
    }

    /** A second container joins the first's user and network namespaces by path, as a pod's would. */
    @Test
    void aUserNamespaceAndANetworkNamespaceAreJoinedByPath() throws IOException {
        String first = "holder";
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec("sleep 100")).toString(), first).code());
        try {
            String pid = Hako.run(root, "", "state", first).stdout().replaceAll("(?s).*\"pid\": *(\\d+).*", "$1");
            String userns = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/user")).toString();
            String netns = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
            Map<String, Object> joining = Busybox.spec(mappedRootfs, "sh", "-c",
                    "readlink /proc/self/ns/user; readlink /proc/self/ns/net; cat /proc/self/uid_map; id -u; ls /sys/class/net");
            Busybox.linux(joining).put("namespaces", List.of(Map.of("type", "user", "path", "/proc/" + pid + "/ns/user"),
                    Map.of("type", "network", "path", "/proc/" + pid + "/ns/net"),
                    Map.of("type", "mount"), Map.of("type", "pid"), Map.of("type", "ipc"), Map.of("type", "uts")));
            List<String> lines = run(joining).lines().map(String::strip).toList();
            assertEquals(userns, lines.get(0));
            assertEquals(netns, lines.get(1));
            assertEquals("0 100000 65536", lines.get(2).replaceAll("\\s+", " "));
            assertEquals("0", lines.get(3));
            assertEquals("lo", lines.get(4), "sysfs of the joined network namespace");
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", first).code());
        }
    }

    @Test
    void execJoinsTheUserNamespace() {
        String id = "exec-userns";
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec("sleep 100")).toString(), id).code());
        try {
            Hako.Result exec = Hako.run(root, "", "exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map");
            assertEquals(0, exec.code(), exec::toString);
            assertEquals("0\n0 100000 65536", exec.stdout().strip().replaceAll("[ \\t]+", " ").replace("\n ", "\n"), exec::toString);
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", id).code());
        }
    }

    /** A host directory of uid 1000's, id-mapped so that 1000 on disk is the container's root. */
    @Test
    void anIdMappedBindMountShowsTheHostOwnerAsTheContainersRoot() throws IOException {
        Path data = Files.createDirectories(work.resolve("data-" + System.nanoTime()));
        Files.writeString(data.resolve("theirs"), "x");
        Hako.Result chown = Hako.exec(List.of("chown", "-R", "1000:1000", data.toString()), "");
        assertEquals(0, chown.code(), chown::toString);
        Map<String, Object> spec = spec("stat -c '%u %g' /data/theirs; touch /data/ours; stat -c '%u %g' /data/ours");
        List<Map<String, Object>> mapping = List.of(Map.of("containerID", 1000L, "hostID", HOST, "size", 1L));
        Busybox.mounts(spec).add(Map.of("destination", "/data", "type", "bind", "source", data.toString(),
                "options", List.of("bind", "idmap"), "uidMappings", mapping, "gidMappings", mapping));
        assertEquals("0 0\n0 0\n", run(spec));
        assertEquals(1000, Files.getAttribute(data.resolve("ours"), "unix:uid"), "made by the container's root: 1000 on disk");
        // Without idmap, the same directory is nobody's in the container.
        Map<String, Object> plain = spec("stat -c '%u' /data/theirs");
        Busybox.mounts(plain).add(Map.of("destination", "/data", "type", "bind", "source", data.toString(), "options", List.of("bind")));
        assertEquals("65534\n", run(plain));
    }

    /** runc's rule: a user and a cgroup namespace, /sys/fs/cgroup writable: the cgroup is the container's root's. */
    @Test
    @SuppressWarnings("unchecked")
    void theCgroupIsDelegatedToTheMappedRoot() {
        Map<String, Object> spec = spec("stat -c %u /sys/fs/cgroup/cgroup.procs; mkdir /sys/fs/cgroup/child && echo made-child");
        List<Object> namespaces = new ArrayList<>((List<Object>) Busybox.linux(spec).get("namespaces"));
        if (!namespaces.contains(Map.of("type", "cgroup"))) namespaces.add(Map.of("type", "cgroup"));
        Busybox.linux(spec).put("namespaces", namespaces);
        for (Object mount : Busybox.mounts(spec)) {
            Map<String, Object> m = (Map<String, Object>) mount;
            if ("cgroup".equals(m.get("type"))) m.put("options", List.of("nosuid", "noexec", "nodev", "relatime", "rw"));
        }
        assertEquals("0\nmade-child\n", run(spec));
        // Read-only, nothing is handed over.
        Map<String, Object> readonly = spec("stat -c %u /sys/fs/cgroup/cgroup.procs");
        Busybox.linux(readonly).put("namespaces", namespaces);
        assertNotEquals("0\n", run(readonly));
    }
}
