package hako.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets one clear line on stderr, a non-zero exit, and leaves nothing behind — checked
 * after each case by the leak check.
 */
class BadInputIT extends ContainerTest {
    /** Asserts a failure whose only stderr line contains every one of {@code expected}. */
    static void fails(Hako.Result result, String... expected) throws IOException {
        assertNotEquals(0, result.code(), result::toString);
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line expected: " + result.stderr());
        String line = lines.getFirst();
        assertTrue(line.startsWith("hako: "), line);
        for (String part : expected) assertTrue(line.contains(part), "\"" + part + "\" missing in: " + line);
        assertEquals("", result.stdout());
        Leaks.assertNone(work, root);
    }

    static Hako.Result run(Path bundle, String id) {
        return Hako.run(root, "", "run", "--bundle", bundle.toString(), id);
    }

    @Test
    void missingBundle() throws IOException {
        fails(run(work.resolve("no-such-bundle"), "x"), "no-such-bundle", "does not exist");
    }

    @Test
    void missingConfig() throws IOException {
        Path bundle = Files.createTempDirectory(work, "empty");
        fails(run(bundle, "x"), "config.json");
    }

    @Test
    void invalidJsonSaysWhere() throws IOException {
        fails(run(Busybox.bundle(work, "{\n  \"ociVersion\": \"1.2.0\",\n  \"process\" {}\n}"), "x"),
                "config.json", "line 3");
    }

    @Test
    void wrongTypeNamesTheJsonPath() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh");
        Busybox.process(spec).put("args", List.of("sh", 5L));
        fails(run(Busybox.bundle(work, spec), "x"), "process.args[1]", "string");
    }

    @Test
    void missingRequiredField() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh");
        spec.remove("root");
        fails(run(Busybox.bundle(work, spec), "x"), "root");
    }

    @Test
    void unknownNamespaceType() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh");
        Busybox.linux(spec).put("namespaces", List.of(Map.of("type", "mount"), Map.of("type", "bogus")));
        fails(run(Busybox.bundle(work, spec), "x"), "linux.namespaces[1].type", "bogus");
    }

    @Test
    void rootfsMissing() throws IOException {
        fails(run(Busybox.bundle(work, Busybox.spec(work.resolve("no-rootfs"), "sh")), "x"), "no-rootfs");
    }

    @Test
    void executableNotFound() throws IOException {
        fails(run(Busybox.bundle(work, Busybox.spec(rootfs, "no-such-program")), "x"),
                "no-such-program", "executable file not found in $PATH");
        fails(run(Busybox.bundle(work, Busybox.spec(rootfs, "/bin/no-such-program")), "x"),
                "/bin/no-such-program", "no such file or directory");
    }

    @Test
    void invalidIds() throws IOException {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "true"));
        fails(run(bundle, "../x"), "invalid container id");
        fails(run(bundle, ""), "container id");
        fails(run(bundle, "x".repeat(300)), "invalid container id");
    }

    @Test
    void idAlreadyInUse() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "echo ready; exec sleep 100"));
        Path pidFile = work.resolve("busy.pid");
        Process first = Hako.start(root, "run", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "busy");
        try {
            assertEquals("ready", new String(first.getInputStream().readNBytes(6)).strip());
            Hako.Result second = run(Busybox.bundle(work, Busybox.spec(rootfs, "true")), "busy");
            assertNotEquals(0, second.code());
            assertEquals("hako: running container \"busy\": container \"busy\" already exists", second.stderr().strip());
        } finally {
            new ProcessBuilder("kill", "-KILL", Files.readString(pidFile).strip()).start().waitFor();
            assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        }
        Leaks.assertNone(work, root);
    }
}
