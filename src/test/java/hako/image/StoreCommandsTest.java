package hako.image;

import hako.json.Json;
import hako.sys.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rootfs directory as a layer, inspect's JSON, and prune. */
class StoreCommandsTest {
    @TempDir
    Path dir;

    @Test
    void aRootfsDirectoryIsTarredWithItsLinksModesAndXattrsTheSameEachTime() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(rootfs.resolve("tool"), "#!/bin/sh\n");
        Files.setAttribute(rootfs.resolve("tool"), "unix:mode", 04755);
        Files.createLink(rootfs.resolve("hard"), rootfs.resolve("tool"));
        Files.createSymbolicLink(rootfs.resolve("link"), Path.of("tool"));
        Files.createDirectories(dir.resolve("rootfs/run"));
        Libc.mkfifo(dir.resolve("rootfs/run/fifo").toString(), 0600, "mkfifo");
        boolean xattrs = true;
        try {
            Libc.setXattr(rootfs.resolve("tool").toString(), "user.hako", "yes".getBytes(), "setxattr");
        } catch (hako.sys.SysException e) {
            xattrs = false; // a filesystem without user xattrs
        }
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Image image = RootfsDirectory.read(dir.resolve("rootfs"), scratch);
        ImageStore store = new ImageStore(dir.resolve("store"));
        ImageRecord record = store.load(image, "dir", "latest", PullProgress.quiet());
        Path layer = store.layerDirectory(record.layers().getFirst().digest());
        assertEquals("#!/bin/sh\n", Files.readString(layer.resolve("bin/tool")));
        assertEquals(04755, (int) Files.getAttribute(layer.resolve("bin/tool"), "unix:mode") & 07777);
        assertEquals(Files.getAttribute(layer.resolve("bin/tool"), "unix:ino"), Files.getAttribute(layer.resolve("bin/hard"), "unix:ino"));
        assertEquals("tool", Files.readSymbolicLink(layer.resolve("bin/link")).toString());
        assertEquals(1, (int) Files.getAttribute(layer.resolve("run/fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS) >> 12);
        if (xattrs) assertEquals("yes", new String(Libc.xattrs(layer.resolve("bin/tool").toString(), "getxattr").get("user.hako")));
        Files.delete(scratch.resolve("rootfs.tar"));
        assertEquals(image.layers().getFirst().digest(), RootfsDirectory.read(dir.resolve("rootfs"), scratch).layers().getFirst().digest(),
                "the same directory is the same layer");
        Files.writeString(rootfs.resolve("tool"), "#!/bin/sh -e\n");
        Files.delete(scratch.resolve("rootfs.tar"));
        assertNotEquals(image.layers().getFirst().digest(), RootfsDirectory.read(dir.resolve("rootfs"), scratch).layers().getFirst().digest());
    }

    @Test
    void inspectShowsTheRunConfigPlatformAndLayerSizes() {
        Digest layer = Digest.of("layer".getBytes()), diff = Digest.of("diff".getBytes());
        Map<String, Object> runConfig = new java.util.LinkedHashMap<>();
        runConfig.put("Entrypoint", List.of("/bin/app"));
        runConfig.put("Cmd", List.of("--serve"));
        runConfig.put("Env", List.of("PATH=/bin"));
        runConfig.put("WorkingDir", "/srv");
        runConfig.put("User", "1000:1000");
        runConfig.put("ExposedPorts", Map.of("8080/tcp", Map.of()));
        runConfig.put("Labels", Map.of("org.example", "yes"));
        runConfig.put("StopSignal", "SIGTERM");
        runConfig.put("Healthcheck", Map.of("Test", List.of("NONE")));
        byte[] config = Json.write(Map.of("created", "2026-01-02T03:04:05Z", "architecture", "arm64", "os", "linux",
                "config", runConfig, "rootfs", Map.of("type", "layers", "diff_ids", List.of(diff.toString()))))
                .getBytes(StandardCharsets.UTF_8);
        ImageRecord record = new ImageRecord("app", "2", Digest.of("m".getBytes()), Digest.of(config),
                List.of(new ImageRecord.StoredLayer(layer, 4_260_000)));
        Map<String, Object> json = ImageInspection.of(record, config);
        assertEquals("app", json.get("name"));
        assertEquals("2", json.get("tag"));
        assertEquals(record.manifest().toString(), json.get("digest"));
        assertEquals(Digest.of(config).toString(), json.get("configDigest"));
        assertEquals("2026-01-02T03:04:05Z", json.get("created"));
        assertEquals("arm64", json.get("architecture"));
        assertEquals(List.of("Entrypoint", "Cmd", "Env", "WorkingDir", "User", "ExposedPorts", "Labels", "StopSignal"),
                List.copyOf(((Map<?, ?>) json.get("config")).keySet()), "what a run uses, nothing else");
        assertEquals(List.of(Map.of("digest", layer.toString(), "diffId", diff.toString(), "size", 4_260_000L)), json.get("layers"));
        assertEquals(4_260_000L, json.get("size"));
        assertEquals("4.26 MB", hako.cli.SizesForTests.human(4_260_000L));
    }

    @Test
    void pruneRemovesWhatNoImageUsesAndWhatKilledLoadsLeft() throws IOException {
        ImageStore store = new ImageStore(dir.resolve("store"));
        byte[] tar = new TarWriter().file("kept", "1").bytes();
        Path tarball = Files.write(dir.resolve("kept.tar"), tar);
        ImageRecord kept = store.load(RootfsTarball.read(tarball), "kept", "latest", PullProgress.quiet());
        Path layers = dir.resolve("store/layers/sha256");
        String orphan = "c".repeat(64);
        Files.createDirectories(layers.resolve(orphan).resolve("usr"));
        Files.write(layers.resolve(orphan).resolve("usr/big"), new byte[5000]);
        Files.writeString(layers.resolve(orphan + ".size"), "5000\n");
        Files.write(layers.resolve("d".repeat(64) + ".lock"), new byte[0]);
        Files.createDirectories(dir.resolve("store/tmp/" + "e".repeat(64)));
        Files.write(dir.resolve("store/tmp/" + "e".repeat(64) + "/half"), new byte[300]);
        Files.write(dir.resolve("store/blobs/sha256/" + "f".repeat(64)), new byte[20]);
        // A killed write's temporary file, as one thread of a process names it, and as older builds did.
        Files.write(dir.resolve("store/.images.json.tmp-4242-17"), new byte[7]);
        Files.write(dir.resolve("store/.images.json.tmp-4242"), new byte[7]);
        ImageStore.Pruned pruned = store.prune();
        assertEquals(5000 + 300 + 20 + 7 + 7, pruned.bytes(), pruned.removed().toString());
        assertEquals(6, pruned.removed().size(), pruned.removed().toString());
        assertFalse(Files.exists(dir.resolve("store/.images.json.tmp-4242-17")));
        assertFalse(Files.exists(layers.resolve(orphan)));
        assertFalse(Files.exists(layers.resolve(orphan + ".size")));
        assertFalse(Files.exists(layers.resolve("d".repeat(64) + ".lock")));
        try (var tmp = Files.list(dir.resolve("store/tmp"))) {
            assertEquals(0, tmp.count());
        }
        assertTrue(Files.isRegularFile(store.layerDirectory(kept.layers().getFirst().digest()).resolve("kept")));
        assertTrue(Files.exists(dir.resolve("store/blobs/sha256/" + kept.config().hex())));
        assertEquals(0, store.prune().removed().size(), "nothing more");
    }
}
