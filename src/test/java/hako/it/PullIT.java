package hako.it;

import hako.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static hako.it.OciLayouts.blob;
import static hako.it.OciLayouts.descriptor;
import static hako.it.OciLayouts.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hako pull} against Debian's docker-registry (distribution 2.8), filled by skopeo from OCI
 * layouts this test builds offline. The registries and hako run in a throwaway network namespace
 * (ip netns add, entered with nsenter): one plain, one with htpasswd auth, one with a self-signed
 * certificate, one a mirror of the plain one (under /cache), all on the namespace's own 127.0.0.1;
 * nothing listens on 127.0.0.1:5009, a registry that is down. Every pull reads a registries.conf
 * of the test's own (empty unless the test writes one), never the machine's.
 */
class PullIT {
    private static final String PLAIN = "127.0.0.1:5000", AUTH = "127.0.0.1:5001", TLS = "127.0.0.1:5002", MIRROR = "127.0.0.1:5003",
            DOWN = "127.0.0.1:5009";
    private static final String SILENT = "192.0.2.2";
    private static final int BIG = 64 << 20;

    private static Path work;
    private static String namespace;
    /** Each test's own state root, and so its own image store: what one pulled is not in another's. */
    private Path root;
    private static final List<Process> registries = new ArrayList<>();
    /** manifest digests by name: "two-layers", "amd64", "arm64", "big"; layer digests by "lower", "upper", "arm64", "big". */
    private static final Map<String, String> manifests = new LinkedHashMap<>(), layers = new LinkedHashMap<>();
    private static String indexDigest;

    @BeforeAll
    static void registries() throws Exception {
        work = Files.createTempDirectory("hako-pull-it");
        namespace = "hako-pull-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        must(List.of("ip", "netns", "add", namespace));
        must(inNamespace("ip", "link", "set", "lo", "up"));
        // an address that swallows every packet (a veth whose peer drops what is not its own,
        // the neighbour written in so that no ARP failure answers early): a registry that never answers
        must(inNamespace("ip", "link", "add", "silent0", "type", "veth", "peer", "name", "silent1"));
        must(inNamespace("ip", "addr", "add", "192.0.2.1/24", "dev", "silent0"));
        must(inNamespace("ip", "link", "set", "silent0", "up"));
        must(inNamespace("ip", "link", "set", "silent1", "up"));
        must(inNamespace("ip", "neigh", "add", SILENT, "lladdr", "02:00:00:00:00:02", "dev", "silent0"));
        Path layout = layout();
        must(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", work.resolve("key.pem").toString(), "-out", work.resolve("cert.pem").toString()));
        String htpasswd = must(List.of("htpasswd", "-Bbn", "alice", "s3cret")).stdout();
        Files.writeString(work.resolve("htpasswd"), htpasswd);
        start(PLAIN, "");
        start(AUTH, "auth:\n  htpasswd:\n    realm: hako-test\n    path: " + work.resolve("htpasswd") + "\n");
        start(TLS, "");
        start(MIRROR, "");
        Files.writeString(work.resolve("empty.conf"), "");
        copy(layout, "1.0", PLAIN, "busybox:1.0", false);
        copy(layout, "multi", PLAIN, "busybox:multi", true);
        copy(layout, "big", PLAIN, "big:1", false);
        copy(layout, "1.0", AUTH, "private:1.0", false);
        copy(layout, "1.0", TLS, "busybox:1.0", false);
        copy(layout, "1.0", MIRROR, "cache/busybox:1.0", false);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Process registry : registries) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (namespace != null) Hako.exec(List.of("ip", "netns", "del", namespace), "");
        assertFalse(Hako.exec(List.of("ip", "netns", "list"), "").stdout().contains(namespace), "the namespace is gone");
        if (work != null) {
            Leaks.assertNone(work, work.resolve("state"));
            Hako.exec(List.of("rm", "-rf", work.toString()), "");
        }
    }

    private static List<String> inNamespace(String... command) {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + namespace));
        all.addAll(List.of(command));
        return all;
    }

    @BeforeEach
    void ownStore(TestInfo test) {
        root = work.resolve("state-" + test.getTestMethod().orElseThrow().getName());
    }

    private Hako.Result hako(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(inNamespace(Hako.LAUNCHER.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return Hako.exec(command, "", env);
    }

    private Hako.Result hako(String... args) {
        return hako(Map.of("REGISTRY_AUTH_FILE", work.resolve("no-auth.json").toString(),
                "CONTAINERS_REGISTRIES_CONF", work.resolve("empty.conf").toString()), args);
    }

    /** hako with a registries.conf of the test's own, through podman's variable. */
    private Hako.Result withRegistriesConf(Path conf, String... args) {
        return hako(Map.of("REGISTRY_AUTH_FILE", work.resolve("no-auth.json").toString(), "CONTAINERS_REGISTRIES_CONF", conf.toString()), args);
    }

    /** A [[registry]] at {@code location} with these mirrors, in order, all of them plain HTTP. */
    private static String insecure(String location, String... mirrors) {
        StringBuilder text = new StringBuilder("[[registry]]\nlocation = \"" + location + "\"\ninsecure = true\n");
        for (String mirror : mirrors) text.append("[[registry.mirror]]\nlocation = \"").append(mirror).append("\"\ninsecure = true\n");
        return text.toString();
    }

    private Path registriesConf(String text) throws IOException {
        return Files.writeString(work.resolve("registries-" + root.getFileName() + ".conf"), text);
    }

    private static Hako.Result must(List<String> command) {
        Hako.Result result = Hako.exec(command, "");
        if (result.code() != 0) throw new IllegalStateException(String.join(" ", command) + ": " + result);
        return result;
    }

    /** docker-registry serve, on ADDRESS in the namespace; TLS for the third, auth from {@code extra}. */
    private static void start(String address, String extra) throws Exception {
        String port = address.substring(address.indexOf(':') + 1);
        String tls = address.equals(TLS) ? "  tls:\n    certificate: " + work.resolve("cert.pem") + "\n    key: " + work.resolve("key.pem") + "\n" : "";
        Path config = Files.writeString(work.resolve("registry-" + port + ".yml"), "version: 0.1\nlog:\n  level: error\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + work.resolve("registry-" + port) + "\n"
                + "http:\n  addr: " + address + "\n" + tls + extra);
        Process registry = new ProcessBuilder(inNamespace("docker-registry", "serve", config.toString()))
                .redirectErrorStream(true).redirectOutput(work.resolve("registry-" + port + ".log").toFile()).start();
        registries.add(registry);
        String scheme = address.equals(TLS) ? "https" : "http";
        for (int i = 0; i < 100; i++) {
            if (Hako.exec(inNamespace("curl", "-ks", "-o", "/dev/null", scheme + "://" + address + "/v2/"), "").code() == 0) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry on " + address + " did not start: " + Files.readString(work.resolve("registry-" + port + ".log")));
    }

    private static void copy(Path layout, String tag, String registry, String name, boolean all) {
        List<String> command = new ArrayList<>(inNamespace("skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
        if (all) command.add("--all");
        if (registry.equals(AUTH)) command.addAll(List.of("--dest-creds", "alice:s3cret"));
        command.addAll(List.of("oci:" + layout + ":" + tag, "docker://" + registry + "/" + name));
        must(command);
    }

    // ---- the OCI layout, built here ----

    /**
     * "1.0": busybox (lower, with /etc/gone) and an upper layer that adds /etc/upper and whites
     * /etc/gone out; "multi": an index of that image for amd64 and another for arm64; "big": one
     * layer of random bytes, large enough to kill a pull in the middle of it.
     */
    private static Path layout() throws Exception {
        Path layout = Files.createDirectories(work.resolve("layout/blobs/sha256")).getParent().getParent();
        Path lower = work.resolve("lower/rootfs");
        Busybox.rootfs(lower);
        Files.writeString(lower.resolve("etc/gone"), "gone\n");
        Files.writeString(lower.resolve("etc/lower"), "lower\n");
        Path upper = Files.createDirectories(work.resolve("upper/etc"));
        Files.writeString(upper.resolve("upper"), "upper\n");
        Files.writeString(upper.resolve(".wh.gone"), "");
        Path arm = Files.createDirectories(work.resolve("arm/etc"));
        Files.writeString(arm.resolve("arch"), "arm64\n");
        Path big = Files.createDirectories(work.resolve("big/data"));
        byte[] noise = new byte[BIG];
        new Random(7).nextBytes(noise);
        Files.write(big.resolve("random"), noise);

        List<Map<String, Object>> index = new ArrayList<>();
        String[] lowerLayer = layer(layout, lower, true), upperLayer = layer(layout, upper.getParent(), true);
        layers.put("lower", lowerLayer[0]);
        layers.put("upper", upperLayer[0]);
        Map<String, Object> twoLayers = image(layout, "amd64", lowerLayer, upperLayer);
        manifests.put("two-layers", (String) twoLayers.get("digest"));
        index.add(tagged(twoLayers, "1.0"));
        String[] armLayer = layer(layout, arm.getParent(), true);
        layers.put("arm64", armLayer[0]);
        Map<String, Object> arm64 = image(layout, "arm64", armLayer);
        manifests.put("arm64", (String) arm64.get("digest"));
        List<Map<String, Object>> platforms = List.of(withPlatform(twoLayers, "amd64"), withPlatform(arm64, "arm64"));
        byte[] multi = Json.write(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.index.v1+json", "manifests", platforms))
                .getBytes(StandardCharsets.UTF_8);
        Map<String, Object> multiDescriptor = descriptor("application/vnd.oci.image.index.v1+json", blob(layout, multi), multi.length);
        indexDigest = (String) multiDescriptor.get("digest");
        index.add(tagged(multiDescriptor, "multi"));
        // gzip'd too: skopeo compresses a plain tar on its way to a registry, which changes its digest
        String[] bigLayer = layer(layout, big.getParent(), true);
        layers.put("big", bigLayer[0]);
        Map<String, Object> bigImage = image(layout, "amd64", bigLayer);
        manifests.put("big", (String) bigImage.get("digest"));
        index.add(tagged(bigImage, "big"));
        OciLayouts.index(layout, index);
        return layout;
    }

    /** A layer blob of a directory (tar by tar(1), gzip'd): {digest, size, diff_id, media type}. */
    private static String[] layer(Path layout, Path dir, boolean gzip) throws Exception {
        Process tar = new ProcessBuilder("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", dir.toString(), "-cf", "-", ".")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] bytes = tar.getInputStream().readAllBytes();
        if (tar.waitFor() != 0) throw new IllegalStateException("tar of " + dir + " failed");
        String diffId = sha256(bytes);
        byte[] blob = bytes;
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream zip = new GZIPOutputStream(out) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_SPEED); // 64 MB of noise: no gain from trying harder
                }
            }) {
                zip.write(bytes);
            }
            blob = out.toByteArray();
        }
        return new String[] {blob(layout, blob), Long.toString(blob.length), diffId,
                gzip ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar"};
    }

    private static Map<String, Object> image(Path layout, String architecture, String[]... imageLayers) throws Exception {
        List<String> diffIds = new ArrayList<>();
        List<Map<String, Object>> descriptors = new ArrayList<>();
        for (String[] layer : imageLayers) {
            diffIds.add(layer[2]);
            descriptors.add(descriptor(layer[3], layer[0], Long.parseLong(layer[1])));
        }
        return OciLayouts.manifest(layout, Map.of("architecture", architecture, "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", diffIds)), descriptors);
    }

    private static Map<String, Object> tagged(Map<String, Object> descriptor, String tag) {
        Map<String, Object> copy = new LinkedHashMap<>(descriptor);
        copy.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        return copy;
    }

    private static Map<String, Object> withPlatform(Map<String, Object> descriptor, String architecture) {
        Map<String, Object> copy = new LinkedHashMap<>(descriptor);
        copy.put("platform", Map.of("os", "linux", "architecture", architecture));
        return copy;
    }

    // ---- the store, as the tests look at it ----

    private Path store() {
        return root.resolveSibling(root.getFileName() + "-images");
    }

    private Path layerDir(String digest) {
        return store().resolve("layers/sha256").resolve(digest.substring("sha256:".length()));
    }

    private List<Path> tmp() throws IOException {
        if (!Files.isDirectory(store().resolve("tmp"))) return List.of();
        try (Stream<Path> files = Files.list(store().resolve("tmp"))) {
            return files.toList();
        }
    }

    private static void assertOk(Hako.Result result) {
        assertEquals(0, result.code(), result.toString());
    }

    // ---- the tests ----

    @Test
    void aTwoLayerImageByTagThenAgainThenByDigest() throws IOException {
        Hako.Result first = hako("pull", "--tls-verify=false", PLAIN + "/busybox:1.0");
        assertOk(first);
        assertEquals(PLAIN + "/busybox:1.0 " + manifests.get("two-layers") + "\n", first.stdout());
        assertTrue(first.stderr().contains("layer " + layers.get("lower").substring(7, 19) + ": downloaded "), first.stderr());
        assertTrue(Files.isRegularFile(layerDir(layers.get("lower")).resolve("bin/busybox")));
        assertEquals("lower\n", Files.readString(layerDir(layers.get("lower")).resolve("etc/lower")));
        assertEquals("gone\n", Files.readString(layerDir(layers.get("lower")).resolve("etc/gone")));
        assertEquals("upper\n", Files.readString(layerDir(layers.get("upper")).resolve("etc/upper")));
        // the store keeps layers in overlayfs's form: the whiteout a 0/0 character device
        Path whiteout = layerDir(layers.get("upper")).resolve("etc/gone");
        assertEquals(0020000, (int) Files.getAttribute(whiteout, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 0170000);
        assertEquals(0L, ((Number) Files.getAttribute(whiteout, "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue());
        assertEquals(List.of(), tmp(), "nothing left in tmp");

        Hako.Result again = hako("pull", "--tls-verify=false", PLAIN + "/busybox:1.0");
        assertOk(again);
        assertTrue(again.stderr().contains("layer " + layers.get("lower").substring(7, 19) + ": already in the store"), again.stderr());
        assertFalse(again.stderr().contains("downloaded"), again.stderr());

        Hako.Result byDigest = hako("pull", "--tls-verify=false", "--quiet", PLAIN + "/busybox@" + manifests.get("two-layers"));
        assertOk(byDigest);
        assertEquals("", byDigest.stderr());
        assertEquals(PLAIN + "/busybox@" + manifests.get("two-layers") + " " + manifests.get("two-layers") + "\n", byDigest.stdout());
        String images = hako("images").stdout();
        assertTrue(images.contains(PLAIN + "/busybox") && images.contains("1.0"), images);
        Hako.Result removed = hako("rmi", PLAIN + "/busybox@" + manifests.get("two-layers"));
        assertOk(removed);
        assertEquals(List.of(PLAIN + "/busybox:1.0"), hako("images", "--quiet").stdout().lines().toList(), "the tag's record stays");
        assertTrue(Files.isDirectory(layerDir(layers.get("upper"))), "and so do the layers it uses");
    }

    @Test
    void anIndexOfTwoPlatformsGivesThisMachinesOrTheOneAskedFor() throws IOException {
        Hako.Result host = hako("pull", "--tls-verify=false", "--quiet", PLAIN + "/busybox:multi");
        assertOk(host);
        assertEquals(PLAIN + "/busybox:multi " + manifests.get("two-layers") + "\n", host.stdout());
        Hako.Result arm = hako("pull", "--tls-verify=false", "--quiet", "--platform", "linux/arm64", PLAIN + "/busybox@" + indexDigest);
        assertOk(arm);
        assertEquals(PLAIN + "/busybox@" + indexDigest + " " + manifests.get("arm64") + "\n", arm.stdout());
        assertEquals("arm64\n", Files.readString(layerDir(layers.get("arm64")).resolve("etc/arch")));
        Hako.Result none = hako("pull", "--tls-verify=false", "--platform", "linux/s390x", PLAIN + "/busybox:multi");
        assertEquals(1, none.code());
        assertEquals("hako: pulling \"" + PLAIN + "/busybox:multi\": index " + indexDigest
                + " has no manifest for linux/s390x (it has linux/amd64, linux/arm64)\n", none.stderr());
    }

    @Test
    void aMissingTagOrRepositoryIsOneLine() {
        Hako.Result tag = hako("pull", "--tls-verify=false", PLAIN + "/busybox:nope");
        assertEquals(1, tag.code());
        assertEquals("hako: pulling \"" + PLAIN + "/busybox:nope\": manifest unknown\n", tag.stderr());
        Hako.Result repository = hako("pull", "--tls-verify=false", PLAIN + "/nothing/here");
        assertEquals(1, repository.code());
        assertEquals("hako: pulling \"" + PLAIN + "/nothing/here\": manifest unknown\n", repository.stderr());
        Hako.Result malformed = hako("pull", "Busy/Box");
        assertEquals("hako: pulling \"Busy/Box\": \"Busy/Box\" is not an image reference: repository names must be lower case\n", malformed.stderr());
    }

    @Test
    void htpasswdAuthTakesTheAuthFilesCredentialsAndRefusesWithout() throws IOException {
        Hako.Result anonymous = hako("pull", "--tls-verify=false", AUTH + "/private:1.0");
        assertEquals(1, anonymous.code());
        assertEquals("hako: pulling \"" + AUTH + "/private:1.0\": " + AUTH + ": authentication required\n", anonymous.stderr());
        String b64 = java.util.Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));
        Path wrong = Files.writeString(work.resolve("wrong.json"), "{\"auths\":{\"" + AUTH + "\":{\"auth\":\"" + b64 + "\"}}}");
        Hako.Result refused = hako(Map.of("REGISTRY_AUTH_FILE", wrong.toString()), "pull", "--tls-verify=false", AUTH + "/private:1.0");
        assertEquals("hako: pulling \"" + AUTH + "/private:1.0\": " + AUTH + ": credentials refused\n", refused.stderr());
        b64 = java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        Path right = Files.writeString(work.resolve("auth.json"), "{\"auths\":{\"" + AUTH + "\":{\"auth\":\"" + b64 + "\"}}}");
        Hako.Result pulled = hako(Map.of("REGISTRY_AUTH_FILE", right.toString()), "pull", "--tls-verify=false", "--quiet", AUTH + "/private:1.0");
        assertOk(pulled);
        assertEquals(AUTH + "/private:1.0 " + manifests.get("two-layers") + "\n", pulled.stdout());
    }

    @Test
    void aRegistryThatDoesNotAnswerIsGivenUpAfterTenSeconds() {
        long begun = System.nanoTime();
        Hako.Result silent = hako("pull", SILENT + ":5000/busybox");
        double seconds = (System.nanoTime() - begun) / 1e9;
        assertEquals(1, silent.code());
        assertEquals("hako: pulling \"" + SILENT + ":5000/busybox\": " + SILENT + ":5000: the registry does not answer (connect timed out after 10 s)\n",
                silent.stderr());
        assertTrue(seconds > 9.5 && seconds < 20, "gave up after " + seconds + " s");
    }

    @Test
    void aSelfSignedCertificateIsRefusedUnlessTlsVerifyIsFalse() {
        Hako.Result refused = hako("pull", TLS + "/busybox:1.0");
        assertEquals(1, refused.code());
        assertTrue(refused.stderr().startsWith("hako: pulling \"" + TLS + "/busybox:1.0\": " + TLS + ": the registry's certificate is not trusted ("),
                refused.stderr());
        assertTrue(refused.stderr().endsWith("; --tls-verify=false skips the check\n"), refused.stderr());
        assertEquals(1, refused.stderr().lines().count());
        Hako.Result accepted = hako("pull", "--tls-verify=false", "--quiet", TLS + "/busybox:1.0");
        assertOk(accepted);
        assertEquals(TLS + "/busybox:1.0 " + manifests.get("two-layers") + "\n", accepted.stdout());
    }

    /** A store whose disk fills up mid-layer: one line at once (no retries), the partial download freed, the store still pulls. */
    @Test
    void aFullDiskIsOneLineAndFreesThePartialDownload() throws IOException {
        Files.createDirectories(store());
        must(List.of("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", store().toString()));
        try {
            Hako.Result full = hako("pull", "--tls-verify=false", PLAIN + "/big:1");
            assertEquals(1, full.code(), full::toString);
            String error = full.stderr().lines().filter(l -> l.startsWith("hako: ")).reduce("", (a, b) -> a + b + "\n");
            assertEquals("hako: pulling \"" + PLAIN + "/big:1\": downloading layer " + layers.get("big") + ": writing " + store().resolve("tmp")
                    + ": No space left on device (the partial download is removed)\n", error, full::toString);
            for (Path file : tmp()) assertEquals(0, Files.size(file), file + " is freed");
            assertEquals("", hako("images", "--quiet").stdout());
            assertOk(hako("pull", "--tls-verify=false", PLAIN + "/busybox:1.0"));
        } finally {
            must(List.of("umount", store().toString()));
        }
    }

    @Test
    void aPullKilledInTheMiddleIsResumedByTheNext() throws Exception {
        Path partial = store().resolve("tmp/download-" + layers.get("big").substring(7));
        // loopback moves 64 MB in well under a second: slowed (in the test's own namespace) to
        // 200 Mbit/s while the pull that is killed runs, so that it is killed in the middle (the
        // bucket larger than lo's 64 kB MTU, or tbf drops every full-sized packet)
        must(inNamespace("tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "200mbit", "burst", "512kb", "latency", "100ms"));
        try {
            killInTheMiddle(partial);
        } finally {
            Hako.exec(inNamespace("tc", "qdisc", "del", "dev", "lo", "root"), "");
        }
        long kept = Files.size(partial);
        assertTrue(kept > 0 && kept < BIG, "a partial download is kept: " + kept);

        Hako.Result resumed = hako("pull", "--tls-verify=false", PLAIN + "/big:1");
        assertOk(resumed);
        assertTrue(resumed.stderr().contains("resuming at"), resumed.stderr());
        assertEquals(PLAIN + "/big:1 " + manifests.get("big") + "\n", resumed.stdout());
        assertEquals(BIG, Files.size(layerDir(layers.get("big")).resolve("data/random")));
        assertEquals(List.of(), tmp(), "nothing left in tmp");
        long listed = hako("images", "--quiet").stdout().lines().filter(l -> l.equals(PLAIN + "/big:1")).count();
        assertEquals(1, listed);
    }

    private void killInTheMiddle(Path partial) throws Exception {
        List<String> command = new ArrayList<>(inNamespace(Hako.LAUNCHER.toString(), "--root", root.toString(),
                "pull", "--tls-verify=false", PLAIN + "/big:1"));
        Process pull = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(work.resolve("killed-pull.err").toFile()).start();
        long killedAt = -1;
        try {
            for (int i = 0; i < 3000 && pull.isAlive(); i++) {
                if (Files.exists(partial) && Files.size(partial) >= 2 << 20) {
                    killedAt = Files.size(partial);
                    Hako.exec(List.of("kill", "-KILL", Long.toString(pull.pid())), ""); // the JVM itself: nsenter and the launcher exec it
                    break;
                }
                Thread.sleep(5);
            }
            assertTrue(pull.waitFor(10, TimeUnit.SECONDS), "the killed pull ended");
        } finally {
            if (pull.isAlive()) pull.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(killedAt > 0, "killed in the middle: " + Files.readString(work.resolve("killed-pull.err")));
    }

    // ---- registries.conf ----

    @Test
    void theMirrorServesWhenTheOriginIsDown() throws IOException {
        Path conf = registriesConf(insecure(DOWN, MIRROR + "/cache"));
        Hako.Result pulled = withRegistriesConf(conf, "pull", DOWN + "/busybox:1.0");
        assertOk(pulled);
        assertEquals(DOWN + "/busybox:1.0 " + manifests.get("two-layers") + "\n", pulled.stdout(), "named as asked, wherever it came from");
        assertFalse(pulled.stderr().contains("warning"), pulled.stderr());
        assertTrue(pulled.stderr().contains("layer " + layers.get("upper").substring(7, 19) + ": unpacked, "), pulled.stderr());
        assertEquals("upper\n", Files.readString(layerDir(layers.get("upper")).resolve("etc/upper")));
        assertEquals(List.of(DOWN + "/busybox:1.0"), hako("images", "--quiet").stdout().lines().toList());
        // --tls-verify on the command line decides for every place: the mirror's plain HTTP is refused then
        Hako.Result verified = withRegistriesConf(conf, "pull", "--tls-verify=true", DOWN + "/busybox:1.0");
        assertEquals(1, verified.code(), verified.toString());
        assertTrue(verified.stderr().startsWith("hako: warning: mirror " + MIRROR + "/cache/busybox:1.0 skipped: " + MIRROR + ": TLS failed"),
                verified.stderr());
    }

    @Test
    void mirrorsThatAreDownOrLackTheImageAreSkippedInOneLineEachAndTheOriginServes() throws IOException {
        Path conf = registriesConf(insecure(PLAIN, DOWN, MIRROR + "/empty"));
        Hako.Result pulled = withRegistriesConf(conf, "pull", PLAIN + "/busybox:1.0");
        assertOk(pulled);
        assertEquals(PLAIN + "/busybox:1.0 " + manifests.get("two-layers") + "\n", pulled.stdout());
        List<String> lines = pulled.stderr().lines().toList();
        assertEquals("hako: warning: mirror " + DOWN + "/busybox:1.0 skipped: " + DOWN + ": the registry does not answer (connection refused)",
                lines.get(0), pulled.stderr());
        assertEquals("hako: warning: mirror " + MIRROR + "/empty/busybox:1.0 skipped: manifest unknown", lines.get(1), pulled.stderr());
        assertTrue(lines.get(2).startsWith("layer "), pulled.stderr());
    }

    @Test
    void aBlockedRegistryIsRefusedAndAMistakeInTheFileNamesItsLine() throws IOException {
        Path conf = registriesConf("""
                [[registry]]
                prefix = "%s/forbidden"
                blocked = true
                [[registry.mirror]]
                location = "%s/cache"
                """.formatted(PLAIN, MIRROR));
        Hako.Result refused = withRegistriesConf(conf, "pull", "--tls-verify=false", PLAIN + "/forbidden/busybox:1.0");
        assertEquals(1, refused.code());
        assertEquals("hako: pulling \"" + PLAIN + "/forbidden/busybox:1.0\": pulls from " + PLAIN + "/forbidden are blocked (" + conf + ":1)\n",
                refused.stderr());
        assertEquals(List.of(), tmp(), "nothing was fetched");
        Hako.Result beside = withRegistriesConf(conf, "pull", "--tls-verify=false", "--quiet", PLAIN + "/forbiddenfruit:1.0");
        assertEquals(1, beside.code());
        assertEquals("hako: pulling \"" + PLAIN + "/forbiddenfruit:1.0\": manifest unknown\n", beside.stderr(), "another repository: asked, not blocked");

        Path broken = registriesConf("[[registry]]\nlocation = \"" + PLAIN + "\"\ninsecure = yes\n");
        Hako.Result malformed = withRegistriesConf(broken, "pull", PLAIN + "/busybox:1.0");
        assertEquals(1, malformed.code());
        assertEquals("hako: pulling \"" + PLAIN + "/busybox:1.0\": " + broken + ":3: expected a value (a \"string\", true, false or an [array]), "
                + "found 'y'\n", malformed.stderr());
        Hako.Result flag = hako("--registries-conf", broken.toString(), "pull", PLAIN + "/busybox:1.0");
        assertEquals(malformed.stderr(), flag.stderr(), "--registries-conf reads the same file");
    }

    @Test
    void aShortNameIsTriedAtEachSearchRegistryInOrder() throws IOException {
        Path conf = registriesConf("unqualified-search-registries = [\"" + DOWN + "\", \"" + PLAIN + "\"]\n" + insecure(DOWN) + insecure(PLAIN));
        Hako.Result pulled = withRegistriesConf(conf, "pull", "busybox:1.0");
        assertOk(pulled);
        assertEquals(PLAIN + "/busybox:1.0 " + manifests.get("two-layers") + "\n", pulled.stdout());
        assertEquals("hako: warning: " + DOWN + "/busybox:1.0: " + DOWN + ": the registry does not answer (connection refused); trying "
                + PLAIN + "/busybox:1.0", pulled.stderr().lines().findFirst().orElseThrow(), pulled.stderr());
        Hako.Result none = withRegistriesConf(conf, "pull", "nothing:1");
        assertEquals(1, none.code());
        assertEquals("hako: pulling \"nothing:1\": " + PLAIN + "/nothing:1: manifest unknown", none.stderr().lines().toList().getLast());
    }
}
