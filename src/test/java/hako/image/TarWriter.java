package hako.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes small tar streams for tests (the integration tests' too): ustar headers, and pax headers for what does not fit. */
public final class TarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TarWriter file(String name, String content) {
        return entry(name, '0', 0644, content.getBytes(StandardCharsets.UTF_8), "", 0, 0);
    }

    public TarWriter directory(String name) {
        return entry(name, '5', 0755, new byte[0], "", 0, 0);
    }

    public TarWriter symlink(String name, String target) {
        return entry(name, '2', 0777, new byte[0], target, 0, 0);
    }

    public TarWriter hardlink(String name, String target) {
        return entry(name, '1', 0644, new byte[0], target, 0, 0);
    }

    public TarWriter fifo(String name) {
        return entry(name, '6', 0600, new byte[0], "", 0, 0);
    }

    public TarWriter device(String name, int major, int minor) {
        return entry(name, '3', 0666, new byte[0], "", major, minor);
    }

    /** A pax header with a path record, then the entry under a short placeholder name. */
    public TarWriter paxFile(String name, String content) {
        String record = " path=" + name + "\n";
        int length = record.length() + 1;
        while ((length + record).length() != length) length = (length + record).length();
        byte[] pax = (length + record).getBytes(StandardCharsets.UTF_8);
        entry("PaxHeaders/x", 'x', 0644, pax, "", 0, 0);
        return entry("placeholder", '0', 0644, content.getBytes(StandardCharsets.UTF_8), "", 0, 0);
    }

    /** A GNU long name ('L') entry, then the entry. */
    public TarWriter gnuLongFile(String name, String content) {
        byte[] bytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        entry("././@LongLink", 'L', 0644, bytes, "", 0, 0);
        return entry(name.substring(0, 99), '0', 0644, content.getBytes(StandardCharsets.UTF_8), "", 0, 0);
    }

    public TarWriter entry(String name, char type, int mode, byte[] data, String link, int major, int minor) {
        byte[] header = new byte[512];
        put(header, 0, 100, name);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 1000);
        octal(header, 116, 8, 1000);
        octal(header, 124, 12, data.length);
        octal(header, 136, 12, 1700000000L);
        header[156] = (byte) type;
        put(header, 157, 100, link);
        put(header, 257, 6, "ustar");
        header[263] = '0';
        header[264] = '0';
        octal(header, 329, 8, major);
        octal(header, 337, 8, minor);
        for (int i = 148; i < 156; i++) header[i] = ' ';
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        octal(header, 148, 7, sum);
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(length, bytes.length));
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String text = Long.toOctalString(value);
        text = "0".repeat(Math.max(0, length - 1 - text.length())) + text;
        put(header, offset, length - 1, text);
    }
}
