package hako.image;

import hako.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OCI archives and docker save archives, written here as those tools write them, read and loaded. */
class ArchivesTest {
    @TempDir
    Path dir;

    private static final byte[] LAYER = new TarWriter().file("etc/os-release", "ID=archive\n").directory("tmp/").bytes();

    private static byte[] json(Object value) {
        return Json.write(value).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] config(Digest diffId) {
        return json(Map.of("architecture", Platform.hostArchitecture(), "os", "linux",
                "config", Map.of("Cmd", List.of("/bin/sh"), "Env", List.of("PATH=/bin")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(diffId.toString()))));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] blob) {
        return Map.of("mediaType", mediaType, "digest", Digest.of(blob).toString(), "size", blob.length);
    }

    /** A tar of an OCI layout as skopeo's oci-archive writes it: blobs first, oci-layout and index.json last. */
    private Path ociArchive(String tag) throws IOException {
        return ociArchive(tag, null);
    }

    private Path ociArchive(String tag, byte[] dockerManifest) throws IOException {
        byte[] layer = gzip(LAYER);
        byte[] config = config(Digest.of(LAYER));
        byte[] manifest = json(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", descriptor("application/vnd.oci.image.config.v1+json", config),
                "layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer))));
        Map<String, Object> manifestDescriptor = new java.util.LinkedHashMap<>(descriptor("application/vnd.oci.image.manifest.v1+json", manifest));
        manifestDescriptor.put("annotations", Map.of(OciLayout.REF_NAME, tag));
        byte[] index = json(Map.of("schemaVersion", 2, "manifests", List.of(manifestDescriptor)));
        TarWriter tar = new TarWriter().directory("blobs/").directory("blobs/sha256/");
        for (byte[] blob : List.of(layer, config, manifest)) tar.entry("blobs/sha256/" + Digest.of(blob).hex(), '0', 0444, blob, "", 0, 0);
        tar.entry("oci-layout", '0', 0444, json(Map.of("imageLayoutVersion", "1.0.0")), "", 0, 0);
        tar.entry("index.json", '0', 0444, index, "", 0, 0);
        if (dockerManifest != null) tar.entry("manifest.json", '0', 0444, dockerManifest, "", 0, 0);
        return Files.write(dir.resolve("app.oci.tar"), tar.bytes());
    }

    /** A docker save archive of before docker 25: HEX/layer.tar, HEX.json, manifest.json last. */
    private Path dockerArchive(byte[] layer, Digest diffId, String extra) throws IOException {
        byte[] config = config(diffId);
        String layerDir = "a".repeat(64);
        String configName = Digest.of(config).hex() + ".json";
        byte[] manifest = json(List.of(Map.of("Config", configName, "RepoTags", List.of("example.com/app:1"),
                "Layers", List.of(layerDir + "/layer.tar"))));
        TarWriter tar = new TarWriter().directory(layerDir + "/").entry(layerDir + "/layer.tar", '0', 0644, layer, "", 0, 0)
                .file(layerDir + "/VERSION", "1.0").entry(configName, '0', 0644, config, "", 0, 0);
        if (extra != null) tar.symlink("b".repeat(64) + "/layer.tar", extra);
        tar.entry("manifest.json", '0', 0644, manifest, "", 0, 0).file("repositories", "{}");
        return Files.write(dir.resolve("app.docker.tar"), tar.bytes());
    }

    @Test
    void kindIsToldByContentNotByName() throws IOException {
        assertEquals(ImageArchive.Kind.OCI_ARCHIVE, ImageArchive.kind(ociArchive("1")));
        assertEquals(ImageArchive.Kind.DOCKER_ARCHIVE, ImageArchive.kind(dockerArchive(LAYER, Digest.of(LAYER), null)));
        Path rootfs = Files.write(dir.resolve("manifest.json.tar"), new TarWriter().directory("bin/").file("manifest.json", "{}").bytes());
        assertEquals(ImageArchive.Kind.ROOTFS_TARBALL, ImageArchive.kind(rootfs));
        Path gz = Files.write(dir.resolve("rootfs"), gzip(new TarWriter().directory("./").directory("./etc/").bytes()));
        assertEquals(ImageArchive.Kind.ROOTFS_TARBALL, ImageArchive.kind(gz));
    }

    @Test
    void anOciArchiveIsReadAsItsLayoutAndLoaded() throws IOException {
        Path archive = ociArchive("1.2");
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        ImageSources.Source source = ImageSources.read(archive, null, scratch);
        assertEquals("OCI archive", source.kind());
        assertEquals("1.2", source.image().reference());
        assertEquals("app.oci", source.fallbackName());
        ImageStore store = new ImageStore(dir.resolve("store"));
        ImageRecord record = store.load(source.image(), "app", "1.2", PullProgress.quiet());
        assertEquals("ID=archive\n", Files.readString(store.layerDirectory(record.layers().getFirst().digest()).resolve("etc/os-release")));
        assertEquals(11, record.size());
    }

    @Test
    void aDockerArchiveIsNamedByRepoTagsAndItsLayersAreTheirDiffIds() throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        String repeated = "../" + "a".repeat(64) + "/layer.tar"; // docker's link to a layer it already wrote
        ImageSources.Source source = ImageSources.read(dockerArchive(LAYER, Digest.of(LAYER), repeated), null, scratch);
        assertEquals("docker archive", source.kind());
        assertEquals("example.com/app:1", source.image().reference());
        Image.Layer layer = source.image().layers().getFirst();
        assertEquals(Digest.of(LAYER), layer.digest());
        assertEquals(Digest.of(LAYER), layer.diffId());
        assertTrue(new String(source.image().manifest()).contains("application/vnd.oci.image.layer.v1.tar\""));
        ImageStore store = new ImageStore(dir.resolve("store"));
        ImageRecord record = store.load(source.image(), "example.com/app", "1", PullProgress.quiet());
        assertTrue(Files.isRegularFile(store.layerDirectory(record.layers().getFirst().digest()).resolve("etc/os-release")));
    }

    @Test
    void aDockerLayerThatIsNotItsDiffIdIsRefusedAndNothingIsStored() throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        byte[] other = new TarWriter().file("etc/os-release", "ID=tampered\n").bytes();
        ImageSources.Source source = ImageSources.read(dockerArchive(other, Digest.of(LAYER), null), null, scratch);
        ImageStore store = new ImageStore(dir.resolve("store"));
        ImageException e = assertThrows(ImageException.class, () -> store.load(source.image(), "app", "1", PullProgress.quiet()));
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
        assertFalse(Files.exists(store.layerDirectory(Digest.of(LAYER))));
        assertTrue(store.list().isEmpty());
        try (var left = Files.list(dir.resolve("store/layers/sha256"))) {
            assertEquals(List.of(), left.toList(), "no lock file, no size file left behind");
        }
    }

    @Test
    void anArchiveLinkThatLeadsOutIsRefused() throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        for (String target : List.of("/etc/passwd", "../../../../etc/passwd")) {
            Path archive = dockerArchive(LAYER, Digest.of(LAYER), target);
            ImageException e = assertThrows(ImageException.class, () -> ImageSources.read(archive, null, scratch));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
            Unpacker.remove(scratch.resolve("archive"));
        }
    }

    @Test
    void aDockerArchiveOfSeveralImagesNeedsANameToChoose() throws IOException {
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        Files.write(unpacked.resolve("manifest.json"), json(List.of(
                Map.of("Config", "c1.json", "RepoTags", List.of("one:1"), "Layers", List.of()),
                Map.of("Config", "c2.json", "RepoTags", List.of("two:2"), "Layers", List.of()))));
        ImageException e = assertThrows(ImageException.class, () -> DockerArchive.read(unpacked, null));
        assertTrue(e.getMessage().contains("holds 2 images") && e.getMessage().contains("one:1, two:2"), e.getMessage());
        Files.write(unpacked.resolve("c2.json"), json(Map.of("rootfs", Map.of("type", "layers", "diff_ids", List.of()))));
        assertEquals("two:2", DockerArchive.read(unpacked, "two:2").reference());
        assertEquals("two:2", DockerArchive.read(unpacked, "2").reference());
    }

    /** docker 25+ writes an OCI layout and a manifest.json into one archive: the layout is read, RepoTags name it. */
    @Test
    void aDocker25ArchiveIsReadThroughItsLayoutAndNamedByRepoTags() throws IOException {
        byte[] config = config(Digest.of(LAYER));
        byte[] manifest = json(List.of(Map.of("Config", "blobs/sha256/" + Digest.of(config).hex(), "RepoTags", List.of("app:25"),
                "Layers", List.of("blobs/sha256/" + Digest.of(gzip(LAYER)).hex()))));
        Path archive = ociArchive("25", manifest);
        assertEquals(ImageArchive.Kind.OCI_ARCHIVE, ImageArchive.kind(archive));
        ImageSources.Source source = ImageSources.read(archive, null, Files.createDirectories(dir.resolve("scratch")));
        assertEquals("docker archive", source.kind());
        assertEquals("app:25", source.image().reference());
        assertEquals(Digest.of(config), source.image().configDigest());
        assertTrue(new String(source.image().manifest()).contains("tar+gzip"), "the layout's own manifest");
    }
}
