package hako.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnpackerTest {
    @TempDir
    Path dir;

    private Path rootfs() throws IOException {
        return Files.createDirectories(dir.resolve("root/fs"));
    }

    private static void unpack(Path root, byte[] tar) throws IOException {
        new Unpacker(root, Unpacker.Whiteouts.APPLY, false).unpack(new ByteArrayInputStream(tar));
    }

    @Test
    void filesLinksAndFifosAreMadeWithTheirModes() throws IOException {
        Path root = rootfs();
        unpack(root, new TarWriter().directory("etc/").entry("etc/tool", '0', 04755, "#!".getBytes(), "", 0, 0)
                .symlink("etc/link", "tool").hardlink("etc/hard", "etc/tool").fifo("run/fifo").bytes());
        assertEquals("#!", Files.readString(root.resolve("etc/tool")));
        assertEquals(04755, (int) Files.getAttribute(root.resolve("etc/tool"), "unix:mode") & 07777);
        assertEquals("tool", Files.readSymbolicLink(root.resolve("etc/link")).toString());
        assertEquals(Files.getAttribute(root.resolve("etc/tool"), "unix:ino"), Files.getAttribute(root.resolve("etc/hard"), "unix:ino"));
        assertTrue((int) Files.getAttribute(root.resolve("run/fifo"), "unix:mode") >> 12 == 1, "a FIFO");
        assertEquals(1700000000L * 1000, Files.getLastModifiedTime(root.resolve("etc")).toMillis(), "directory times are set last");
    }

    @Test
    void gzipIsReadAndXzIsNamed() throws IOException {
        Path root = rootfs();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new TarWriter().file("hello", "world").bytes());
        }
        new Unpacker(root, Unpacker.Whiteouts.APPLY, false).unpackCompressed(new ByteArrayInputStream(gz.toByteArray()));
        assertEquals("world", Files.readString(root.resolve("hello")));
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 0};
        ImageException e = assertThrows(ImageException.class,
                () -> new Unpacker(root, Unpacker.Whiteouts.APPLY, false).unpackCompressed(new ByteArrayInputStream(xz)));
        assertTrue(e.getMessage().contains("xz-compressed, which hako does not read"), e.getMessage());
    }

    @Test
    void aLayerKeptForOverlayfsHasItsWhiteoutsAsDevicesAndItsOpaqueMarkWhereItsMounterLooks() throws IOException {
        // root mounts with trusted.overlay.opaque; a user, in its own user namespace with userxattr, with user.overlay.opaque
        for (boolean privileged : new boolean[] {true, false}) {
            Path layer = Files.createDirectories(dir.resolve("layer-" + privileged));
            new Unpacker(layer, Unpacker.Whiteouts.OVERLAY, privileged).unpack(new ByteArrayInputStream(
                    new TarWriter().file("bin/.wh.vi", "").file("srv/.wh..wh..opq", "").file("srv/new", "x").bytes()));
            int mode = (int) Files.getAttribute(layer.resolve("bin/vi"), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0020000, mode & 0170000, "a character device");
            assertEquals(0L, ((Number) Files.getAttribute(layer.resolve("bin/vi"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
            var marks = hako.sys.Libc.xattrs(layer.resolve("srv").toString(), "reading the marks");
            String mark = (privileged ? "trusted" : "user") + ".overlay.opaque", other = (privileged ? "user" : "trusted") + ".overlay.opaque";
            assertTrue(marks.containsKey(mark) && !marks.containsKey(other), "privileged " + privileged + ": " + marks.keySet());
            assertEquals("y", new String(marks.get(mark)));
            assertEquals("x", Files.readString(layer.resolve("srv/new")));
        }
    }

    @Test
    void whiteoutsRemoveWhatLowerLayersMade() throws IOException {
        Path root = rootfs();
        unpack(root, new TarWriter().file("a/x", "1").file("a/y", "2").file("b/z", "3").file("b/sub/deep", "4").bytes());
        unpack(root, new TarWriter().file("b/new", "5").file("a/.wh.x", "").file("b/.wh..wh..opq", "").bytes());
        assertFalse(Files.exists(root.resolve("a/x")), ".wh.x removes x");
        assertTrue(Files.exists(root.resolve("a/y")));
        assertFalse(Files.exists(root.resolve("a/.wh.x")), "the whiteout itself is not a file");
        assertFalse(Files.exists(root.resolve("b/z")), "the opaque directory loses the lower layer's files");
        assertFalse(Files.exists(root.resolve("b/sub")));
        assertEquals("5", Files.readString(root.resolve("b/new")), "and keeps this layer's, even those before the marker");
        assertFalse(Files.exists(root.resolve("b/.wh..wh..opq")));
    }

    @Test
    void aLaterEntryReplacesAnEarlierOneOfAnotherType() throws IOException {
        Path root = rootfs();
        unpack(root, new TarWriter().file("d/f", "1").symlink("s", "/etc").bytes());
        unpack(root, new TarWriter().file("d", "now a file").file("s", "not through the link").bytes());
        assertEquals("now a file", Files.readString(root.resolve("d")));
        assertFalse(Files.isSymbolicLink(root.resolve("s")));
    }

    private void refused(byte[] tar, String entry) throws IOException {
        Path root = rootfs();
        ImageException e = assertThrows(ImageException.class, () -> unpack(root, tar));
        assertEquals("entry \"" + entry + "\" leads outside the root filesystem", e.getMessage());
        assertFalse(Files.exists(dir.resolve("passwd")), "nothing written outside");
        assertFalse(Files.exists(dir.resolve("root/passwd")), "nothing written outside");
    }

    @Test
    void dotDotOutOfTheRootIsRefused() throws IOException {
        refused(new TarWriter().file("../passwd", "x").bytes(), "../passwd");
        refused(new TarWriter().file("etc/../../../passwd", "x").bytes(), "etc/../../../passwd");
    }

    @Test
    void anAbsoluteNameIsRefused() throws IOException {
        refused(new TarWriter().file("/etc/passwd", "x").bytes(), "/etc/passwd");
    }

    @Test
    void aHardLinkToOutsideIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("root/secret"), "s");
        refused(new TarWriter().hardlink("stolen", "../secret").bytes(), "../secret");
    }

    @Test
    void writingThroughASymlinkThatLeadsOutIsRefused() throws IOException {
        refused(new TarWriter().symlink("evil", "../..").file("evil/passwd", "x").bytes(), "evil/passwd");
    }

    @Test
    void aWhiteoutThroughASymlinkOutIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("root/keep"), "k");
        refused(new TarWriter().symlink("evil", "..").file("evil/.wh.keep", "").bytes(), "evil/keep");
        assertTrue(Files.exists(dir.resolve("root/keep")));
    }

    @Test
    void anAbsoluteSymlinkIsFollowedInsideTheRoot() throws IOException {
        Path root = rootfs();
        unpack(root, new TarWriter().symlink("abs", "/etc").file("abs/passwd", "inside").bytes());
        assertEquals("inside", Files.readString(root.resolve("etc/passwd")));
        assertTrue(Files.isSymbolicLink(root.resolve("abs")));
    }

    @Test
    void aDeviceNodeNeedsRoot() throws IOException {
        Path root = rootfs();
        ImageException e = assertThrows(ImageException.class, () -> unpack(root, new TarWriter().device("dev/null", 1, 3).bytes()));
        assertEquals("entry \"dev/null\" is a device node, which only root can make", e.getMessage());
        assertFalse(Files.exists(root.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS));
    }
}
