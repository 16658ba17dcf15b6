package hako.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import hako.json.Json;

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

    // ------------------------------------------------------------ hostile input (issue 9, item 5)

    private static Hako.Result timed(String name, java.util.function.Supplier<Hako.Result> call) {
        long start = System.nanoTime();
        Hako.Result result = call.get();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("hostile input " + name + ": " + millis + " ms: " + result.stderr().strip());
        // A JVM starts in about 0.1 s here; the machine is shared, so the bound leaves room.
        assertTrue(millis < 3000, name + " took " + millis + " ms");
        return result;
    }

    private static Hako.Result create(Path bundle, String name) {
        return timed(name, () -> Hako.run(root, "", "create", "--bundle", bundle.toString(), "hostile"));
    }

    @Test
    void jsonNestedAHundredThousandDeep() throws IOException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        fails(create(Busybox.bundle(work, "{\"ociVersion\": \"1.2.0\", \"x\": " + deep + "}"), "nested 100000 deep"),
                "config.json", "nested deeper than 512");
    }

    @Test
    void numbersWithHugeExponentsOrThousandsOfDigits() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Busybox.linux(spec).put("resources", Map.of("memory", Map.of("limit", "NUMBER")));
        String limit = Json.writePretty(spec).replace("\"NUMBER\"", "NUMBER");
        fails(create(Busybox.bundle(work, limit.replace("NUMBER", "1e999999999")), "1e999999999"), "config.json", "exponent");
        fails(create(Busybox.bundle(work, limit.replace("NUMBER", "9".repeat(5000))), "5000 digits"), "config.json", "number longer than");
        fails(create(Busybox.bundle(work, limit.replace("NUMBER", "1" + "0".repeat(50))), "a 51-digit limit"), "linux.resources.memory.limit");
    }

    @Test
    void aConfigThatIsAFifoOrADeviceOrHugeIsRefusedWithoutReadingIt() throws IOException, InterruptedException {
        Path fifo = Files.createTempDirectory(work, "fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.resolve("config.json").toString()).start().waitFor());
        fails(create(fifo, "config.json a FIFO"), "not a regular file");
        Path zero = Files.createTempDirectory(work, "zero");
        Files.createSymbolicLink(zero.resolve("config.json"), Path.of("/dev/zero"));
        fails(create(zero, "config.json -> /dev/zero"), "not a regular file");
        Path huge = Files.createTempDirectory(work, "huge");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.resolve("config.json").toFile(), "rw")) {
            file.setLength(2L << 30); // sparse: 2 GiB that take no disk
        }
        fails(create(huge, "config.json of 2 GiB"), "larger than 4 MiB");
        Files.delete(huge.resolve("config.json"));
    }

    @Test
    void invalidUtf8AndDuplicateKeys() throws IOException {
        Path bundle = Files.createTempDirectory(work, "utf8");
        Files.write(bundle.resolve("config.json"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        fails(create(bundle, "invalid UTF-8"), "config.json", "invalid UTF-8");
        fails(create(Busybox.bundle(work, "{\"ociVersion\": \"1.2.0\", \"ociVersion\": \"1.0.0\"}"), "duplicate keys"),
                "config.json", "duplicate key \"ociVersion\"");
    }

    @Test
    void nulBytesInStringsAreRefused() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "echo a\u0000b");
        fails(create(Busybox.bundle(work, spec), "NUL in args"), "process.args[2]", "NUL");
        spec = Busybox.spec(rootfs, "true");
        Busybox.process(spec).put("env", List.of("PATH=/bin", "X=a\u0000LD_PRELOAD=/x"));
        fails(create(Busybox.bundle(work, spec), "NUL in env"), "process.env[1]", "NUL");
        spec = Busybox.spec(rootfs, "true");
        spec.put("hostname", "box\u0000evil");
        fails(create(Busybox.bundle(work, spec), "NUL in hostname"), "hostname", "NUL");
        spec = Busybox.spec(rootfs, "true");
        Busybox.mounts(spec).add(Map.of("destination", "/mnt\u0000/etc", "type", "tmpfs", "source", "tmpfs"));
        fails(create(Busybox.bundle(work, spec), "NUL in a mount"), "destination", "NUL");
    }

    @Test
    void idsAndFlagsOutOfRange() throws IOException {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "true"));
        fails(timed("an id of 10000 characters", () -> Hako.run(root, "", "create", "--bundle", bundle.toString(), "x".repeat(10_000))),
                "invalid container id");
        fails(timed("--preserve-fds 99999999999", () -> Hako.run(root, "", "create", "--preserve-fds", "99999999999",
                "--bundle", bundle.toString(), "x")), "--preserve-fds");
        fails(timed("--preserve-fds -1", () -> Hako.run(root, "", "create", "--preserve-fds", "-1", "--bundle", bundle.toString(), "x")),
                "--preserve-fds");
        fails(timed("--network container:../../x", () -> Hako.run(root, "", "run", "--network", "container:../../etc/x",
                "--bundle", bundle.toString(), "x")), "invalid container id");
    }
}
