package hako.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** hako's registry client against {@link FakeRegistry}: what a pull stores, and each way a registry can fail it. */
class RegistryTest {
    @TempDir
    Path dir;

    private final FakeRegistry registry = new FakeRegistry();
    private final List<String> said = new ArrayList<>();

    RegistryTest() throws IOException {}

    @AfterEach
    void stop() {
        registry.close();
    }

    private ImageStore store() {
        return new ImageStore(dir.resolve("store"));
    }

    private RegistryClient.Options options(Path... authFiles) {
        return new RegistryClient.Options(false, Duration.ofSeconds(5), Duration.ofMillis(700), List.of(authFiles));
    }

    /** A layer of one file (and a big random one, so that half of it is a real half). */
    private static byte[] layer(String name, String content, int padding) {
        byte[] noise = new byte[padding];
        new Random(name.hashCode()).nextBytes(noise);
        TarWriter tar = new TarWriter().file(name, content);
        if (padding > 0) tar.entry(name + ".bin", '0', 0644, noise, "", 0, 0);
        return tar.bytes();
    }

    /** An image of these layers in the fake registry under {@code tag}; returns its manifest's bytes. */
    private byte[] image(String tag, String architecture, List<byte[]> layers, List<FakeRegistry.Blob> how) {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder descriptors = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            Digest digest = registry.blob(layers.get(i), how.get(i));
            diffIds.append(i > 0 ? "," : "").append('"').append(Digest.of(layers.get(i))).append('"');
            descriptors.append(i > 0 ? "," : "").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                    .append(digest).append("\",\"size\":").append(layers.get(i).length).append('}');
        }
        byte[] config = ("{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.blob(config, FakeRegistry.Blob.GOOD);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[" + descriptors + "]}").getBytes(StandardCharsets.UTF_8);
        registry.manifest(tag, Manifests.OCI_MANIFEST, manifest);
        registry.manifest(Digest.of(manifest).toString(), Manifests.OCI_MANIFEST, manifest);
        return manifest;
    }

    private ImageRecord pull(String reference, RegistryClient.Options options) {
        return Registry.pull(Reference.parse(registry.host() + "/" + reference), Platform.host(), options, store(), PullProgress.lines(
                new java.io.PrintStream(new java.io.OutputStream() {
                    private final StringBuilder line = new StringBuilder();

                    @Override
                    public void write(int b) {
                        if (b == '\n') {
                            said.add(line.toString());
                            line.setLength(0);
                        } else {
                            line.append((char) b);
                        }
                    }
                })));
    }

    private List<Path> tmp() throws IOException {
        Path tmp = dir.resolve("store/tmp");
        if (!Files.exists(tmp)) return List.of();
        try (Stream<Path> files = Files.list(tmp)) {
            return files.toList();
        }
    }

    @Test
    void aMultiLayerImageIsStoredAndAPullAgainDownloadsNothing() throws IOException {
        byte[] lower = layer("etc/lower", "one", 0), upper = layer("etc/upper", "two", 0);
        byte[] manifest = image("1.0", "amd64", List.of(lower, upper), List.of(FakeRegistry.Blob.GOOD, FakeRegistry.Blob.GOOD));
        ImageRecord record = pull("test/busybox:1.0", options());
        assertEquals(registry.host() + "/test/busybox", record.name());
        assertEquals("1.0", record.tag());
        assertEquals(Digest.of(manifest), record.manifest());
        assertEquals("one", Files.readString(store().layerDirectory(Digest.of(lower)).resolve("etc/lower")));
        assertEquals("two", Files.readString(store().layerDirectory(Digest.of(upper)).resolve("etc/upper")));
        assertEquals(List.of(), tmp(), "no download left in tmp");
        assertTrue(said.stream().anyMatch(l -> l.matches("layer " + Digest.of(lower).shortHex() + ": downloaded 2.0 kB in [0-9.]+ s")), said.toString());

        ImageRecord again = pull("test/busybox@" + Digest.of(manifest), options());
        assertEquals("sha256:" + Digest.of(manifest).hex(), again.tag());
        assertEquals(1, registry.blobGets(Digest.of(lower)), "a layer in the store is not fetched again");
        assertTrue(said.contains("layer " + Digest.of(upper).shortHex() + ": already in the store"), said.toString());
        assertEquals(2, store().list().size());
    }

    @Test
    void aDroppedConnectionAndAStalledOneAreResumedWithRange() throws IOException {
        byte[] dropped = layer("etc/dropped", "d", 300_000), stalled = layer("etc/stalled", "s", 300_000);
        image("latest", "amd64", List.of(dropped, stalled), List.of(FakeRegistry.Blob.DROP_ONCE, FakeRegistry.Blob.STALL_ONCE));
        long begun = System.nanoTime();
        pull("test/flaky", options());
        assertTrue(System.nanoTime() - begun < 8_000_000_000L, "the stall was noticed, not waited out");
        for (byte[] layer : List.of(dropped, stalled)) {
            List<String> ranges = registry.requests.stream().filter(r -> r.path().endsWith("/blobs/" + Digest.of(layer)))
                    .map(FakeRegistry.Request::range).toList();
            assertEquals(2, ranges.size(), ranges.toString());
            assertEquals(null, ranges.get(0));
            assertEquals("bytes=" + layer.length / 2 + "-", ranges.get(1), "asked only for the rest");
        }
        assertEquals("d", Files.readString(store().layerDirectory(Digest.of(dropped)).resolve("etc/dropped")));
        assertEquals("s", Files.readString(store().layerDirectory(Digest.of(stalled)).resolve("etc/stalled")));
        assertEquals(List.of(), tmp());
    }

    @Test
    void whatAKilledPullLeftIsResumedAndARegistryIgnoringRangeStartsOver() throws IOException {
        byte[] resumed = layer("etc/resumed", "r", 100_000), restarted = layer("etc/restarted", "x", 100_000);
        image("latest", "amd64", List.of(resumed, restarted), List.of(FakeRegistry.Blob.GOOD, FakeRegistry.Blob.IGNORE_RANGE));
        ImageStore store = store();
        Files.createDirectories(store.downloadFile(Digest.of(resumed)).getParent());
        Files.write(store.downloadFile(Digest.of(resumed)), java.util.Arrays.copyOf(resumed, 40_000));
        Files.write(store.downloadFile(Digest.of(restarted)), java.util.Arrays.copyOf(restarted, 40_000));
        pull("test/resumed", options());
        assertEquals(List.of("bytes=40000-"), registry.requests.stream().filter(r -> r.path().endsWith("/blobs/" + Digest.of(resumed)))
                .map(FakeRegistry.Request::range).toList());
        assertTrue(said.contains("layer " + Digest.of(restarted).shortHex() + ": the registry does not resume downloads, starting again"), said.toString());
        assertEquals("r", Files.readString(store.layerDirectory(Digest.of(resumed)).resolve("etc/resumed")));
        assertEquals("x", Files.readString(store.layerDirectory(Digest.of(restarted)).resolve("etc/restarted")));
        assertEquals(List.of(), tmp());
    }

    @Test
    void aCorruptBlobIsRemovedAndNothingIsStored() throws IOException {
        byte[] corrupt = layer("etc/corrupt", "c", 10_000);
        image("latest", "amd64", List.of(corrupt), List.of(FakeRegistry.Blob.CORRUPT));
        ImageException e = assertThrows(ImageException.class, () -> pull("test/corrupt", options()));
        assertTrue(e.getMessage().matches("layer " + Digest.of(corrupt) + " does not match its digest: its content is sha256:[0-9a-f]{64}"),
                e.getMessage());
        assertFalse(Files.exists(store().downloadFile(Digest.of(corrupt))), "the corrupt download is removed");
        assertFalse(store().hasLayer(Digest.of(corrupt)));
        assertEquals(List.of(), store().list());
    }

    @Test
    void anUnknownTagASchema1ManifestAndALyingDigestAreOneLineEach() {
        image("latest", "amd64", List.of(layer("a", "a", 0)), List.of(FakeRegistry.Blob.GOOD));
        assertEquals("manifest unknown", assertThrows(ImageException.class, () -> pull("test/img:nope", options())).getMessage());
        registry.manifest("old", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "{\"schemaVersion\":1,\"name\":\"test/img\",\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(ImageException.class, () -> pull("test/img:old", options())).getMessage()
                .startsWith("schema 1 manifests are not supported; "));
        registry.sayDigest("sha256:" + "0".repeat(64));
        assertTrue(assertThrows(ImageException.class, () -> pull("test/img:latest", options())).getMessage()
                .startsWith("the registry says the manifest is sha256:" + "0".repeat(64) + ", its content is sha256:"));
        assertEquals(List.of(), store().list());
    }

    @Test
    void anIndexGivesTheManifestOfTheAskedPlatform() throws IOException {
        byte[] amd = image("amd", "amd64", List.of(layer("etc/arch", "amd64", 0)), List.of(FakeRegistry.Blob.GOOD));
        byte[] arm = image("arm", "arm64", List.of(layer("etc/arch", "arm64", 0)), List.of(FakeRegistry.Blob.GOOD));
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"digest\":\"" + Digest.of(amd) + "\",\"size\":" + amd.length
                + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                + "{\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"digest\":\"" + Digest.of(arm) + "\",\"size\":" + arm.length
                + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
        registry.manifest("multi", Manifests.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
        ImageRecord record = Registry.pull(Reference.parse(registry.host() + "/test/img:multi"), Platform.parse("linux/arm64"), options(),
                store(), PullProgress.quiet());
        assertEquals(Digest.of(arm), record.manifest());
        assertEquals("arm64", Files.readString(store().layerDirectory(record.layers().getFirst().digest()).resolve("etc/arch")));
        ImageException e = assertThrows(ImageException.class, () -> Registry.pull(Reference.parse(registry.host() + "/test/img:multi"),
                Platform.parse("linux/s390x"), options(), store(), PullProgress.quiet()));
        assertEquals("index " + Digest.of(index.getBytes(StandardCharsets.UTF_8)) + " has no manifest for linux/s390x (it has linux/amd64, linux/arm64/v8)",
                e.getMessage());
    }

    @Test
    void bearerAuthWithTheAuthFilesCredentialsAndWithoutOrWrong() throws IOException {
        registry.requireLogin("alice", "secret");
        image("latest", "amd64", List.of(layer("etc/private", "p", 0)), List.of(FakeRegistry.Blob.GOOD));
        assertEquals(registry.host() + ": authentication required",
                assertThrows(ImageException.class, () -> pull("test/private", options())).getMessage());
        Path wrong = Files.writeString(dir.resolve("wrong.json"), "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        assertEquals(registry.host() + ": credentials refused",
                assertThrows(ImageException.class, () -> pull("test/private", options(wrong))).getMessage());
        Path right = Files.writeString(dir.resolve("auth.json"), "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        registry.requests.clear();
        ImageRecord record = pull("test/private", options(dir.resolve("none.json"), right, wrong));
        assertEquals("latest", record.tag());
        assertEquals(1, registry.requests.stream().filter(r -> r.path().equals("/token")).count(), "one token for the whole pull");
        assertTrue(registry.requests.stream().filter(r -> r.path().startsWith("/v2/test/"))
                .allMatch(r -> ("Bearer " + FakeRegistry.TOKEN).equals(r.authorization())));
    }

    @Test
    void aRegistryThatIsNotThereIsOneLine() throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ImageException e = assertThrows(ImageException.class, () -> Registry.pull(Reference.parse("127.0.0.1:" + port + "/x"),
                Platform.host(), options(), store(), PullProgress.quiet()));
        assertEquals("127.0.0.1:" + port + ": the registry does not answer (connection refused)", e.getMessage());
        assertArrayEquals(new Object[0], store().list().toArray());
    }

    @Test
    void aMirrorThatLacksTheImageIsSkippedInOneLineAndTheImageKeepsTheNameAskedFor() throws IOException {
        byte[] only = layer("etc/only", "origin", 0);
        byte[] manifest = image("1.0", "amd64", List.of(only), List.of(FakeRegistry.Blob.GOOD));
        List<String> warnings = new ArrayList<>();
        hako.Warnings.sendTo(warnings::add);
        try (FakeRegistry emptyMirror = new FakeRegistry()) {
            Reference wanted = Reference.parse("example.com/test/busybox:1.0");
            List<RegistryEntry.Source> sources = List.of(
                    new RegistryEntry.Source(Reference.parse(emptyMirror.host() + "/mirror/test/busybox:1.0"), false, true),
                    new RegistryEntry.Source(Reference.parse(registry.host() + "/test/busybox:1.0"), false, false));
            ImageRecord record = Registry.pull(wanted, sources, Platform.host(), options(), store(), PullProgress.quiet());
            assertEquals("example.com/test/busybox", record.name());
            assertEquals(Digest.of(manifest), record.manifest());
            assertEquals(List.of("mirror " + emptyMirror.host() + "/mirror/test/busybox:1.0 skipped: manifest unknown"), warnings);
            assertEquals("origin", Files.readString(store().layerDirectory(Digest.of(only)).resolve("etc/only")));
        } finally {
            hako.Warnings.sendTo(message -> System.err.println("hako: warning: " + message));
        }
    }

    @Test
    void theLastPlacesFailureIsThePullsAndNamesWhereTheNameWasRewrittenTo() {
        Reference wanted = Reference.parse("example.com/test/busybox:nope");
        List<RegistryEntry.Source> sources = List.of(new RegistryEntry.Source(Reference.parse(registry.host() + "/test/busybox:nope"), false, false));
        ImageException e = assertThrows(ImageException.class, () -> Registry.pull(wanted, sources, Platform.host(), options(), store(), PullProgress.quiet()));
        assertEquals(registry.host() + "/test/busybox:nope: manifest unknown", e.getMessage());
    }
}
