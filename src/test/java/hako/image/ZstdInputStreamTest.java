package hako.image;

import hako.sys.Libzstd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ZstdInputStreamTest {
    @TempDir
    Path dir;

    /** Data that compresses, but not to nothing: many output buffers' worth, so the decoder's refills are exercised. */
    private static byte[] data(int size) {
        Random random = new Random(10);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) bytes[i] = (byte) (random.nextInt(4) + (i / 4096 % 7));
        return bytes;
    }

    private static byte[] readAll(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        for (int n; (n = in.read(buffer, 0, chunk)) >= 0; ) out.write(buffer, 0, n);
        return out.toByteArray();
    }

    @Test
    void aFrameFromLibzstdDecompressesWholeInSmallAndLargeReads() throws IOException {
        byte[] data = data(3 << 20);
        byte[] frame = Libzstd.compress(data, 3);
        assertTrue(frame.length < data.length / 2, "compressed: " + frame.length);
        for (int chunk : new int[] {1 << 20, 7}) {
            try (InputStream in = Compression.decompress(new ByteArrayInputStream(frame))) {
                byte[] back = chunk == 7 ? readAll(in, 7) : readAll(in, chunk);
                assertArrayEquals(data, back, "read in chunks of " + chunk);
            }
        }
    }

    @Test
    void framesOneAfterAnotherAreOneStream() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(Libzstd.compress("first ".getBytes(), 1));
        both.write(Libzstd.compress("second".getBytes(), 19));
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(both.toByteArray()))) {
            assertEquals("first second", new String(in.readAllBytes()));
        }
    }

    @Test
    void aTruncatedOrCorruptFrameIsAnErrorNotAShortLayer() {
        byte[] frame = Libzstd.compress(data(200_000), 3);
        byte[] cut = Arrays.copyOf(frame, frame.length / 2);
        ImageException e = assertThrows(ImageException.class,
                () -> Compression.decompress(new ByteArrayInputStream(cut)).readAllBytes());
        assertTrue(e.getMessage().contains("ends in the middle of a frame"), e.getMessage());
        byte[] corrupt = frame.clone();
        for (int i = 20; i < 200; i++) corrupt[i] ^= 0x5a;
        ImageException bad = assertThrows(ImageException.class,
                () -> Compression.decompress(new ByteArrayInputStream(corrupt)).readAllBytes());
        assertTrue(bad.getMessage().startsWith("decompressing zstd: "), bad.getMessage());
    }

    /** What the zstd command writes (a frame with a checksum and content size) is read too. */
    @Test
    void theZstdCommandsOutputUnpacksAsALayer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zstd")), "zstd is not installed (scripts/test.sh installs it)");
        Path tar = Files.write(dir.resolve("layer.tar"), new TarWriter().file("etc/os-release", "ID=zstd\n").bytes());
        Process zstd = new ProcessBuilder("/usr/bin/zstd", "-q", "-19", "--check", tar.toString()).inheritIO().start();
        assertEquals(0, zstd.waitFor());
        Path root = Files.createDirectories(dir.resolve("root"));
        try (InputStream in = Files.newInputStream(dir.resolve("layer.tar.zst"))) {
            new Unpacker(root, Unpacker.Whiteouts.APPLY, false).unpackCompressed(in);
        }
        assertEquals("ID=zstd\n", Files.readString(root.resolve("etc/os-release")));
    }
}
