package hako.it;

import hako.image.TarWriter;
import hako.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code hako image load} of every source kind, written by the tools that write them (umoci,
 * skopeo, tar, zstd), then images, inspect, rmi and prune on the real binary; two loads at once;
 * a load killed in the middle; escapes refused with nothing left behind. Each test has its own
 * store (--image-root).
 */
class ImageIT extends ContainerTest {
    /** A layer big enough that a load is still unpacking it when it is killed, or when a second load starts. */
    private static final int BIG = 192 << 20;
    private static Path big;

    @BeforeAll
    static void bigTarball() throws IOException {
        Path tree = Files.createDirectories(work.resolve("big/usr/share"));
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + i / 4096);
        try (OutputStream out = Files.newOutputStream(tree.resolve("blob"))) {
            for (int i = 0; i < BIG / chunk.length; i++) {
                chunk[0] = (byte) i;
                out.write(chunk);
            }
        }
        big = work.resolve("big.tar");
        command("tar", "-C", work.resolve("big").toString(), "-cf", big.toString(), ".");
    }

    private static Hako.Result command(String... argv) {
        Hako.Result result = Hako.exec(List.of(argv), "");
        if (result.code() != 0) throw new AssertionError(String.join(" ", argv) + ": " + result);
        return result;
    }

    private static boolean installed(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool));
    }

    private static Path store(String name) {
        return work.resolve("stores").resolve(name);
    }

    private static Hako.Result hako(Path store, String... args) {
        List<String> all = new ArrayList<>(List.of("--image-root", store.toString()));
        all.addAll(List.of(args));
        return Hako.run(root, "", all.toArray(String[]::new));
    }

    private static Hako.Result ok(Hako.Result result) {
        assertEquals(0, result.code(), result::toString);
        return result;
    }

    private static List<Path> list(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) return List.of();
        try (Stream<Path> children = Files.list(directory)) {
            return children.sorted().toList();
        }
    }

    /** The store holds no image, no layer, nothing in tmp/ and no layer lock. */
    private static void empty(Path store) throws IOException {
        assertEquals("", ok(hako(store, "images", "-q")).stdout());
        assertEquals(List.of(), list(store.resolve("layers/sha256")));
        assertEquals(List.of(), list(store.resolve("tmp")));
    }

    /** An OCI layout by umoci: tag "base" with the busybox rootfs, tag "app" with one more layer on it. */
    private static Path umociLayout() {
        Path layout = work.resolve("oci");
        if (Files.isDirectory(layout)) return layout;
        Path bundle = work.resolve("umoci-bundle");
        command("umoci", "init", "--layout", layout.toString());
        command("umoci", "new", "--image", layout + ":base");
        command("umoci", "unpack", "--image", layout + ":base", bundle.toString());
        command("cp", "-a", rootfs + "/.", bundle.resolve("rootfs").toString());
        command("umoci", "repack", "--image", layout + ":base", bundle.toString());
        command("umoci", "config", "--image", layout + ":base", "--config.cmd", "/bin/sh", "--config.env", "A=1",
                "--config.workingdir", "/root", "--config.label", "made.by=umoci", "--config.exposedports", "8080/tcp");
        command("rm", "-rf", bundle.toString());
        command("umoci", "unpack", "--image", layout + ":base", bundle.toString());
        command("sh", "-c", "echo app > " + bundle.resolve("rootfs/etc/app"));
        command("umoci", "repack", "--image", layout + ":app", bundle.toString());
        command("rm", "-rf", bundle.toString());
        return layout;
    }

    @Test
    void everySourceKindLoadsAndIsListedWithItsSize() throws IOException {
        assumeTrue(installed("umoci") && installed("skopeo") && installed("zstd"), "umoci, skopeo and zstd (scripts/test.sh installs them)");
        Path store = store("kinds");
        Path layout = umociLayout();
        Path tar = work.resolve("rootfs.tar");
        command("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".");
        command("sh", "-c", "gzip -c " + tar + " > " + work.resolve("rootfs.tar.gz"));
        command("zstd", "-q", "-f", tar.toString(), "-o", work.resolve("rootfs.tar.zst").toString());
        command("skopeo", "copy", "-q", "oci:" + layout + ":base", "oci-archive:" + work.resolve("base.oci.tar") + ":base");
        command("skopeo", "copy", "-q", "oci:" + layout + ":base", "docker-archive:" + work.resolve("base.docker.tar") + ":example.com/bb:v3");
        // a zstd layer in an OCI layout, as podman push --compression-format zstd writes them
        command("skopeo", "copy", "-q", "--dest-compress-format", "zstd", "oci:" + layout + ":base", "oci:" + work.resolve("zstd") + ":z");

        String[][] loads = {
                {rootfs.toString(), "dir:latest", "(rootfs directory)"},
                {tar.toString(), "rootfs:latest", "(rootfs tarball)"},
                {work.resolve("rootfs.tar.gz").toString(), "gz:1", "(rootfs tarball)"},
                {work.resolve("rootfs.tar.zst").toString(), "zst:1", "(rootfs tarball)"},
                {layout.toString(), "oci:base", "(OCI layout)"},
                {work.resolve("zstd").toString(), "zstd:z", "(OCI layout)"},
                {work.resolve("base.oci.tar").toString(), "base.oci:base", "(OCI archive)"},
                {work.resolve("base.docker.tar").toString(), "example.com/bb:v3", "(docker archive)"},
        };
        for (String[] load : loads) {
            List<String> args = new ArrayList<>(List.of("image", "load"));
            if (load[1].startsWith("gz") || load[1].startsWith("zst:") || load[1].startsWith("dir")) args.addAll(List.of("--name", load[1]));
            if (load[1].equals("oci:base")) args.addAll(List.of("--name", "oci:base"));
            args.add(load[0]);
            Hako.Result result = ok(hako(store, args.toArray(String[]::new)));
            assertTrue(result.stdout().startsWith(load[1] + " sha256:") && result.stdout().strip().endsWith(load[2]), result::toString);
        }
        String images = ok(hako(store, "images")).stdout();
        List<String> lines = images.lines().toList();
        assertEquals(loads.length + 1, lines.size(), images);
        assertTrue(lines.getFirst().matches("REPOSITORY +TAG +DIGEST +SIZE"), images);
        for (String line : lines.subList(1, lines.size())) assertTrue(line.matches(".* [12]\\.[0-9]+ MB"), "a size in MB: " + line);

        Map<?, ?> inspect = (Map<?, ?>) Json.parse(ok(hako(store, "image", "inspect", "oci:base")).stdout());
        assertEquals("oci", inspect.get("name"));
        assertTrue(List.of("amd64", "arm64").contains(inspect.get("architecture")), inspect.toString());
        assertEquals("linux", inspect.get("os"));
        Map<?, ?> config = (Map<?, ?>) inspect.get("config");
        assertEquals(List.of("/bin/sh"), config.get("Cmd"));
        assertEquals("/root", config.get("WorkingDir"));
        assertEquals(Map.of("made.by", "umoci"), config.get("Labels"));
        assertTrue(((Map<?, ?>) config.get("ExposedPorts")).containsKey("8080/tcp"), config.toString());
        assertTrue(((List<?>) config.get("Env")).contains("A=1"), config.toString());
        List<?> layers = (List<?>) inspect.get("layers");
        assertEquals(1, layers.size());
        long size = ((Number) ((Map<?, ?>) layers.getFirst()).get("size")).longValue();
        assertEquals(size, ((Number) inspect.get("size")).longValue());
        assertTrue(size > 1_000_000, "busybox is in it: " + size);
        // the same rootfs, however it came, unpacks to the same bytes
        Map<?, ?> docker = (Map<?, ?>) Json.parse(ok(hako(store, "image", "inspect", "example.com/bb:v3")).stdout());
        assertEquals(inspect.get("size"), docker.get("size"));
        assertEquals(inspect.get("configDigest"), docker.get("configDigest"), "docker-archive keeps the config as it was");

        Hako.Result missing = hako(store, "image", "inspect", "nothing:here");
        assertNotEquals(0, missing.code());
        assertEquals(List.of("hako: inspecting image nothing:here: no image nothing:here in the store (hako image load, hako pull)"), missing.stderr().lines().toList());
    }

    @Test
    void aSharedLayerGoesOnlyWithTheLastImageThatUsesIt() throws IOException {
        assumeTrue(installed("umoci"), "umoci (scripts/test.sh installs it)");
        Path store = store("shared");
        Path layout = umociLayout();
        ok(hako(store, "image", "load", "--name", "a:base", layout.toString()));
        ok(hako(store, "image", "load", "--name", "b:app", layout.toString()));
        List<String> layersOfB = layers(store, "b:app");
        assertEquals(2, layersOfB.size());
        assertEquals(layers(store, "a:base"), layersOfB.subList(0, 1), "app is base and one more layer");
        Path shared = store.resolve("layers/sha256").resolve(layersOfB.getFirst().substring(7));
        Path own = store.resolve("layers/sha256").resolve(layersOfB.get(1).substring(7));
        assertTrue(ok(hako(store, "rmi", "a:base")).stdout().startsWith("removed a:base sha256:"));
        assertTrue(Files.isDirectory(shared), "b:app still uses it");
        assertTrue(Files.isRegularFile(shared.resolve("bin/busybox")));
        ok(hako(store, "rmi", "b:app"));
        assertFalse(Files.exists(shared));
        assertFalse(Files.exists(own));
        empty(store);
        assertEquals(List.of(), list(store.resolve("blobs/sha256")), "manifests and configs go too");
    }

    private static List<String> layers(Path store, String image) {
        Map<?, ?> inspect = (Map<?, ?>) Json.parse(ok(hako(store, "image", "inspect", image)).stdout());
        List<String> digests = new ArrayList<>();
        for (Object layer : (List<?>) inspect.get("layers")) digests.add((String) ((Map<?, ?>) layer).get("digest"));
        return digests;
    }

    @Test
    void twoLoadsAtOnceUnpackTheLayerOnceAndBothSucceed() throws Exception {
        Path store = store("together");
        Process first = Hako.start(root, "--image-root", store.toString(), "image", "load", "--name", "one", big.toString());
        Process second = Hako.start(root, "--image-root", store.toString(), "image", "load", "--name", "two", big.toString());
        try {
            assertTrue(first.waitFor(60, TimeUnit.SECONDS) && second.waitFor(60, TimeUnit.SECONDS), "both loads end");
        } finally {
            // a load that hangs must not go on writing after the test's directory is removed
            // (only if alive: destroying closes the streams, read below)
            if (first.isAlive()) first.destroyForcibly();
            if (second.isAlive()) second.destroyForcibly();
        }
        String err1 = new String(first.getErrorStream().readAllBytes()), err2 = new String(second.getErrorStream().readAllBytes());
        assertEquals(0, first.exitValue(), err1);
        assertEquals(0, second.exitValue(), err2);
        String both = err1 + err2;
        assertEquals(1, both.lines().filter(l -> l.contains(": unpacked, ")).count(), "unpacked once: " + both);
        assertEquals(1, both.lines().filter(l -> l.endsWith(": already in the store")).count(), both);
        assertEquals(List.of("one:latest", "two:latest"), ok(hako(store, "images", "-q")).stdout().lines().sorted().toList());
        List<Path> layers = list(store.resolve("layers/sha256"));
        assertEquals(2, layers.size(), "one layer and its size, no lock left: " + layers);
        assertEquals(BIG, Files.size(layers.getFirst().resolve("usr/share/blob")));
        assertEquals(List.of(), list(store.resolve("tmp")));
    }

    @Test
    void aLoadKilledInTheMiddleLeavesTheStoreConsistentAndTheNextLoadSucceeds() throws Exception {
        Path store = store("killed");
        for (int round = 0; round < 2; round++) {
            Process load = Hako.start(root, "--image-root", store.toString(), "image", "load", "--name", "big", big.toString());
            Path blob = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // killed once the layer is being written into tmp/: in the middle of the unpacking
            while (blob == null && System.nanoTime() < deadline && load.isAlive()) {
                for (Path dir : list(store.resolve("tmp"))) {
                    Path candidate = dir.resolve("usr/share/blob");
                    if (Files.exists(candidate) && Files.size(candidate) > 0) blob = candidate;
                }
                Thread.sleep(5);
            }
            load.destroyForcibly(); // SIGKILL: bin/hako execs java
            assertTrue(blob != null, "the load was seen unpacking");
            assertTrue(load.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, load.exitValue());
            assertEquals("", ok(hako(store, "images", "-q")).stdout(), "no record of a half-loaded image");
            for (Path entry : list(store.resolve("layers/sha256"))) {
                assertFalse(Files.isDirectory(entry), "no half layer in layers/: " + entry);
            }
        }
        // what the killed loads left: the layer half-unpacked in tmp/, and its lock file
        Hako.Result pruned = ok(hako(store, "prune"));
        assertTrue(pruned.stdout().contains("removed leftover " + store.resolve("tmp")), pruned.stdout());
        assertTrue(pruned.stdout().contains("removed lock file "), pruned.stdout());
        assertTrue(pruned.stdout().lines().toList().getLast().matches("freed [0-9.]+ [kMG]?B"), pruned.stdout());
        empty(store);
        Hako.Result load = ok(hako(store, "image", "load", "--name", "big", big.toString()));
        assertTrue(load.stderr().contains(": unpacked, " + (BIG + 0) + " bytes"), load::toString);
        assertEquals("big:latest\n", ok(hako(store, "images", "-q")).stdout());
        assertEquals(List.of(), list(store.resolve("tmp")));
    }

    @Test
    void pruneFreesWhatNoImageUses() throws IOException {
        Path store = store("prune");
        Path one = Files.write(work.resolve("one.tar"), new TarWriter().file("etc/one", "1").bytes());
        ok(hako(store, "image", "load", "--name", "one", one.toString()));
        ok(hako(store, "image", "load", "--name", "one:copy", one.toString()));
        String orphan = "0".repeat(64);
        Files.createDirectories(store.resolve("layers/sha256/" + orphan + "/etc"));
        Files.write(store.resolve("layers/sha256/" + orphan + "/etc/data"), new byte[4_260_000]);
        Hako.Result pruned = ok(hako(store, "prune"));
        assertEquals(List.of("removed layer sha256:" + orphan + " (4260000 bytes)", "freed 4.26 MB"), pruned.stdout().lines().toList());
        assertEquals(List.of("one:copy", "one:latest"), ok(hako(store, "images", "-q")).stdout().lines().sorted().toList());
        assertEquals("freed 0 B\n", ok(hako(store, "prune")).stdout());
        ok(hako(store, "rmi", "one", "one:copy"));
        empty(store);
    }

    @Test
    void escapesAreRefusedInOneLineAndLeaveNothing() throws IOException {
        Path store = store("escapes");
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "s");
        Object[][] cases = {
                {new TarWriter().file("etc/ok", "fine").file("../../outside/evil", "x").bytes(), "entry \"../../outside/evil\" leads outside"},
                {new TarWriter().symlink("up", "../../../../../..").file("up" + outside + "/evil", "x").bytes(), "leads outside"},
                {new TarWriter().hardlink("stolen", "../../../../../.." + outside + "/secret").bytes(), "leads outside"},
                {new TarWriter().hardlink("stolen", outside + "/secret").bytes(), "entry \"" + outside + "/secret\" leads outside"},
        };
        for (int i = 0; i < cases.length; i++) {
            Path tarball = Files.write(work.resolve("escape" + i + ".tar"), (byte[]) cases[i][0]);
            Hako.Result result = hako(store, "image", "load", tarball.toString());
            assertNotEquals(0, result.code(), result::toString);
            List<String> lines = result.stderr().lines().toList();
            assertEquals(1, lines.size(), "one line: " + result.stderr());
            assertTrue(lines.getFirst().startsWith("hako: loading " + tarball + ": unpacking layer sha256:"), lines.getFirst());
            assertTrue(lines.getFirst().contains((String) cases[i][1]), lines.getFirst());
            assertEquals("", result.stdout());
            empty(store);
            assertEquals(List.of(outside.resolve("secret")), list(outside), "nothing written outside");
        }
        // an absolute symlink is the container's path: what is written through it stays in the layer
        Path absolute = Files.write(work.resolve("absolute.tar"),
                new TarWriter().symlink("abs", outside.toString()).file("abs/evil", "inside").bytes());
        ok(hako(store, "image", "load", "--name", "abs", absolute.toString()));
        assertEquals(List.of(outside.resolve("secret")), list(outside), "nothing written outside");
        Path layer = list(store.resolve("layers/sha256")).getFirst();
        assertEquals("inside", Files.readString(layer.resolve(outside.toString().substring(1)).resolve("evil")));
        assertTrue(Files.isSymbolicLink(layer.resolve("abs")));
        ok(hako(store, "rmi", "abs"));
        empty(store);
        assertFalse(Files.exists(layer, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSourceThatIsNoImageIsOneLineAndLeavesNothing() throws IOException {
        Path store = store("bad");
        Path text = Files.writeString(work.resolve("notes.txt"), "hello\n");
        Path tar = Files.write(work.resolve("cut.tar"), new TarWriter().file("etc/a", "x".repeat(5000)).bytes());
        byte[] whole = Files.readAllBytes(tar);
        Files.write(tar, java.util.Arrays.copyOf(whole, 1024));
        String[][] cases = {
                {work.resolve("missing.tar").toString(), "no such file or directory"},
                {text.toString(), "not an image: neither a tar archive (plain, gzip or zstd) nor a directory"},
                {tar.toString(), "the tar stream ends in the middle of an entry"},
        };
        for (String[] bad : cases) {
            Hako.Result result = hako(store, "image", "load", bad[0]);
            assertNotEquals(0, result.code(), result::toString);
            assertEquals(1, result.stderr().lines().count(), result::toString);
            assertTrue(result.stderr().startsWith("hako: loading " + bad[0] + ": ") && result.stderr().contains(bad[1]), result::toString);
            empty(store);
        }
    }

    /** A store on a file system that fills up in the middle of a layer: one line, nothing half-unpacked, and the store still works. */
    @Test
    void aFullDiskIsOneLineAndLeavesTheStoreConsistent() throws IOException {
        Path store = Files.createDirectories(store("full"));
        command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", store.toString());
        try {
            Hako.Result full = hako(store, "image", "load", "--name", "big:1", big.toString());
            assertNotEquals(0, full.code(), full::toString);
            assertEquals(1, full.stderr().lines().count(), full::toString);
            assertTrue(full.stderr().startsWith("hako: loading " + big + ": ") && full.stderr().contains("No space left on device"),
                    full::toString);
            empty(store);
            ok(hako(store, "image", "load", "--name", "small:1", rootfs.toString()));
            assertEquals("small:1", ok(hako(store, "images", "-q")).stdout().strip());
        } finally {
            command("umount", store.toString());
        }
    }
}
