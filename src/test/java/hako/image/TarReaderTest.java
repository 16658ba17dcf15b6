package hako.image;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TarReaderTest {
    private static List<String> read(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<String> seen = new ArrayList<>();
        for (TarEntry e; (e = reader.next()) != null; ) {
            seen.add(e.type() + " " + e.name() + (e.linkName().isEmpty() ? "" : " -> " + e.linkName()) + " "
                    + Integer.toOctalString(e.mode()) + " " + new String(reader.content().readAllBytes(), StandardCharsets.UTF_8));
        }
        return seen;
    }

    @Test
    void readsUstarEntriesOfEveryType() throws IOException {
        byte[] tar = new TarWriter().directory("etc/").file("etc/hostname", "box\n").symlink("bin/sh", "busybox")
                .hardlink("etc/again", "etc/hostname").fifo("run/fifo").device("dev/null", 1, 3).bytes();
        assertEquals(List.of("DIRECTORY etc/ 755 ", "FILE etc/hostname 644 box\n", "SYMLINK bin/sh -> busybox 777 ",
                "HARDLINK etc/again -> etc/hostname 644 ", "FIFO run/fifo 600 ", "CHAR_DEVICE dev/null 666 "), read(tar));
    }

    @Test
    void paxPathAndGnuLongNameReplaceTheShortName() throws IOException {
        String longName = "a/" + "b".repeat(150) + "/file";
        byte[] tar = new TarWriter().paxFile(longName, "pax").gnuLongFile("c/" + "d".repeat(120), "gnu").file("after", "x").bytes();
        List<String> seen = read(tar);
        assertEquals("FILE " + longName + " 644 pax", seen.get(0));
        assertEquals("FILE c/" + "d".repeat(120) + " 644 gnu", seen.get(1));
        assertEquals("FILE after 644 x", seen.get(2), "a pax header applies to one entry only");
    }

    @Test
    void base256NumbersAreRead() {
        byte[] header = new byte[512];
        header[124] = (byte) 0x80;
        header[135] = 0x10;
        header[134] = 0x01;
        assertEquals(0x110, TarReader.number(header, 124, 12, "size"));
    }

    @Test
    void aCorruptHeaderIsRefused() {
        byte[] tar = new TarWriter().file("x", "y").bytes();
        tar[0] = 'z';
        ImageException e = assertThrows(ImageException.class, () -> read(tar));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void aTruncatedStreamIsRefused() {
        byte[] tar = new TarWriter().file("x", "y".repeat(2000)).bytes();
        byte[] cut = java.util.Arrays.copyOf(tar, 1024);
        assertThrows(ImageException.class, () -> read(cut));
    }
}
