package hako.it;

import hako.json.Json;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every config.json that podman, containerd, Docker, buildah, {@code runc spec} and
 * {@code crun spec} wrote (src/test/resources/bundles), run by hako and by runc with the same
 * probe as its process, and what the probe sees compared: identity, capabilities, no_new_privs,
 * umask, environment, directory, hostname, rlimits, every mount with its options, /dev.
 *
 * <p>Only what cannot be replayed here is changed: the rootfs is ours, the bind sources on the
 * client's machine are made under the test's directory, namespaces joined by path are new ones,
 * hooks (Docker's setkey needs its dockerd) and the limits this hybrid-cgroup host cannot give
 * to cgroup v2 are dropped, the terminal is off, and each runtime gets a cgroup of its own.
 * Where hako differs from runc on purpose the probe leaves it out, and docs/conformance.md says
 * why: cgroup v2 only (/sys/fs/cgroup and /proc/self/cgroup). Both load the profile a client sent:
 * the probe sees Seccomp: 2 (and one filter) under each.
 */
class CapturedConfigsIT extends ContainerTest {
    private static final Path FIXTURES = Busybox.BASEDIR.resolve("src/test/resources/bundles");

    /** What the container's process reports, one fact a line, in an order that does not depend on the runtime. */
    private static final String PROBE = String.join("; ",
            "echo uid=$(id -u) gid=$(id -g) groups=$(id -G)",
            "grep -E '^(Cap|NoNewPrivs|Umask|Seccomp)' /proc/self/status",
            "echo cwd=$(pwd) hostname=$(hostname)",
            "env | grep -v '^_=' | sort",
            "cat /proc/self/limits",
            "cut -d' ' -f5,6 /proc/self/mountinfo | grep -v '^/sys/fs/cgroup' | sort",
            "ls -ln /dev | sed 1d | awk '{print $1, $3, $4, $5, $6, $NF}' | sort");

    /** The parent cgroup both runtimes made for the replays, in each hierarchy of this host. */
    @org.junit.jupiter.api.AfterAll
    static void removeTheReplaysCgroups() throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve("hako-replay");
                if (Files.isDirectory(parent)) Files.delete(parent);
            }
        }
        Path v2 = Path.of("/sys/fs/cgroup/hako-replay");
        if (Files.isDirectory(v2)) Files.delete(v2);
    }

    @TestFactory
    Stream<DynamicTest> eachConfigRunsUnderHakoAsUnderRunc() throws IOException {
        List<Path> configs;
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            configs = files.filter(f -> f.toString().endsWith(".json") && !f.toString().endsWith(".process.json")).sorted().toList();
        }
        return configs.stream().map(config -> DynamicTest.dynamicTest(FIXTURES.relativize(config).toString(), () -> compare(config)));
    }

    /** Every exec process.json the clients sent, exec'd into a container of each runtime, the probe compared. */
    @TestFactory
    Stream<DynamicTest> eachExecProcessRunsUnderHakoAsUnderRunc() throws IOException {
        List<Path> processes;
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            processes = files.filter(f -> f.toString().endsWith(".process.json")).sorted().toList();
        }
        return processes.stream().map(process -> DynamicTest.dynamicTest(FIXTURES.relativize(process).toString(), () -> {
            String name = FIXTURES.relativize(process).toString().replace('/', '-').replace(".process.json", "");
            assertEquals(exec("runc", name, process), exec("hako", name, process));
            Leaks.assertNone(work, root);
        }));
    }

    /** The probe's output through {@code RUNTIME exec --process}, in a container made from runc's own spec. */
    @SuppressWarnings("unchecked")
    private static String exec(String runtime, String name, Path processFile) throws IOException {
        Map<String, Object> process = (Map<String, Object>) Json.parse(Files.readString(processFile));
        process.put("terminal", false);
        process.put("args", List.of("sh", "-c", PROBE));
        Path file = Files.writeString(Files.createTempFile(work, "process", ".json"), Json.write(process));
        Map<String, Object> spec = ForeignBundlesIT.specFrom("runc", "sleep", "100");
        Busybox.linux(spec).put("cgroupsPath", "/hako-replay/exec-" + runtime + "-" + name);
        Path bundle = Busybox.bundle(work, spec);
        String id = "exec-" + runtime + "-" + name;
        List<String> command = runtime.equals("runc")
                ? List.of("runc", "--root", work.resolve("runc-state").toString())
                : List.of(Hako.LAUNCHER.toString(), "--root", root.toString());
        try {
            call(command, "run", "-d", "--bundle", bundle.toString(), id);
            Hako.Result result = call(command, "exec", "--process", file.toString(), id);
            return result.stdout();
        } finally {
            call(command, "delete", "--force", id);
        }
    }

    private static Hako.Result call(List<String> runtime, String... args) {
        List<String> command = new ArrayList<>(runtime);
        command.addAll(List.of(args));
        Hako.Result result = Hako.exec(command, "");
        assertEquals(0, result.code(), () -> command + ": " + result);
        return result;
    }

    /** What runc runs and hako refuses, each in one line: the gaps of other issues, said, not hidden. */
    private static final Map<String, String> REFUSED = Map.of();

    private static void compare(Path config) throws IOException {
        String name = FIXTURES.relativize(config).toString().replace('/', '-').replace(".json", "");
        Hako.Result hako = run("hako", name, config);
        if (REFUSED.containsKey(name)) {
            assertEquals(1, hako.code(), hako::toString);
            org.junit.jupiter.api.Assertions.assertTrue(hako.stderr().contains(REFUSED.get(name)), hako::toString);
            return;
        }
        Hako.Result runc = run("runc", name, config);
        assertEquals(runc.code() == 0, hako.code() == 0, () -> "runc: " + runc + "\nhako: " + hako);
        if (runc.code() == 0) assertEquals(runc.stdout(), hako.stdout(), () -> "hako's stderr: " + hako.stderr());
        // The clients' profiles are loaded (podman and Docker always send one): filter mode, by both.
        boolean profiled = Files.readString(config).contains("\"seccomp\"");
        if (runc.code() == 0) assertEquals(profiled, hako.stdout().contains("Seccomp:\t2\n"), hako::stdout);
        Leaks.assertNone(work, root);
    }

    private static Hako.Result run(String runtime, String name, Path config) throws IOException {
        Path bundle = Busybox.bundle(work, Json.writePretty(replayable(config, runtime + "-" + name)));
        String id = "replay-" + runtime + "-" + name;
        return runtime.equals("runc")
                ? Hako.exec(List.of("runc", "--root", work.resolve("runc-state").toString(), "run", "--bundle", bundle.toString(), id), "")
                : Hako.run(root, "", "run", "--bundle", bundle.toString(), id);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> replayable(Path config, String cgroup) throws IOException {
        Map<String, Object> spec = (Map<String, Object>) Json.parse(Files.readString(config));
        ((Map<String, Object>) spec.get("root")).put("path", rootfs.toString());
        Map<String, Object> process = Busybox.process(spec);
        process.put("terminal", false);
        process.put("args", List.of("sh", "-c", PROBE));
        spec.remove("hooks");
        Map<String, Object> linux = Busybox.linux(spec);
        linux.put("cgroupsPath", "/hako-replay/" + cgroup);
        if (linux.get("resources") instanceof Map<?, ?> resources) {
            for (String limit : List.of("memory", "cpu", "pids", "blockIO", "hugepageLimits", "unified")) resources.remove(limit);
        }
        if (linux.get("namespaces") instanceof List<?> namespaces) {
            for (Object namespace : namespaces) ((Map<String, Object>) namespace).remove("path");
        }
        for (Object entry : Busybox.mounts(spec)) {
            Map<String, Object> mount = (Map<String, Object>) entry;
            Object options = mount.getOrDefault("options", List.of());
            boolean bind = "bind".equals(mount.get("type")) || ((List<?>) options).contains("bind") || ((List<?>) options).contains("rbind");
            if (bind) mount.put("source", source((String) mount.get("source"), (String) mount.get("destination")));
        }
        return spec;
    }

    /** A bind source that exists here: the client's own files are made under the test's directory. */
    private static String source(String source, String destination) {
        Path path = Path.of(source);
        if (Files.exists(path) && !source.startsWith("/WORK")) return source;
        Path made = work.resolve("sources").resolve(source.replaceFirst("^/+", ""));
        try {
            String file = destination.substring(destination.lastIndexOf('/') + 1);
            boolean isFile = file.contains(".") || List.of("hosts", "hostname", "passwd", "group", "docker-init", "catatonit",
                    "run.oci.mount_context_type").contains(file) || destination.startsWith("/etc/");
            if (isFile) {
                Files.createDirectories(made.getParent());
                if (!Files.exists(made)) Files.writeString(made, "");
            } else {
                Files.createDirectories(made);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return made.toString();
    }
}
