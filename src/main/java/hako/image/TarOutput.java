package hako.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a tar stream: ustar headers, with a pax extended header before an entry whose name,
 * link, ids or size do not fit ustar's fields, or that has xattrs ({@code SCHILY.xattr.*}, as GNU
 * tar and the OCI tools write them). What {@link TarReader} reads back.
 */
final class TarOutput implements AutoCloseable {
    private static final int BLOCK = 512;
    private final OutputStream out;

    TarOutput(OutputStream out) {
        this.out = out;
    }

    /** An entry; {@code content} is read for a regular file, exactly {@code entry.size()} bytes of it. */
    void write(TarEntry entry, InputStream content) throws IOException {
        byte[] pax = pax(entry);
        if (pax.length > 0) {
            header("PaxHeaders/" + shorten(entry.name()), 'x', 0644, 0, 0, pax.length, entry.mtime(), "", 0, 0);
            out.write(pax);
            pad(pax.length);
        }
        char flag = switch (entry.type()) {
            case FILE -> '0';
            case HARDLINK -> '1';
            case SYMLINK -> '2';
            case CHAR_DEVICE -> '3';
            case BLOCK_DEVICE -> '4';
            case DIRECTORY -> '5';
            case FIFO -> '6';
        };
        long size = entry.type() == TarEntry.Type.FILE ? entry.size() : 0;
        header(shorten(entry.name()), flag, entry.mode(), entry.uid(), entry.gid(), size, entry.mtime(),
                shorten(entry.linkName()), entry.devMajor(), entry.devMinor());
        if (size > 0) {
            long copied = 0;
            byte[] buffer = new byte[1 << 16];
            for (int n; copied < size && (n = content.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0; ) {
                out.write(buffer, 0, n);
                copied += n;
            }
            if (copied != size) throw new ImageException("\"" + entry.name() + "\" changed size while it was read");
            pad(size);
        }
    }

    /** The two zero blocks that end an archive. */
    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private static byte[] pax(TarEntry entry) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        if (!fits(entry.name())) record(bytes, "path", entry.name().getBytes(StandardCharsets.UTF_8));
        if (!fits(entry.linkName())) record(bytes, "linkpath", entry.linkName().getBytes(StandardCharsets.UTF_8));
        if (entry.uid() > 07777777 || entry.uid() < 0) record(bytes, "uid", Integer.toUnsignedString(entry.uid()).getBytes());
        if (entry.gid() > 07777777 || entry.gid() < 0) record(bytes, "gid", Integer.toUnsignedString(entry.gid()).getBytes());
        if (entry.size() > 077777777777L) record(bytes, "size", Long.toString(entry.size()).getBytes());
        for (Map.Entry<String, byte[]> xattr : entry.xattrs().entrySet()) record(bytes, "SCHILY.xattr." + xattr.getKey(), xattr.getValue());
        return bytes.toByteArray();
    }

    private static boolean fits(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length < 100 && StandardCharsets.US_ASCII.newEncoder().canEncode(name);
    }

    /** A placeholder for a name that a pax record carries: readers that know pax ignore it. */
    private static String shorten(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 100) return name;
        return new String(bytes, 0, 99, StandardCharsets.US_ASCII).replaceAll("[^ -~]", "_");
    }

    /** "LENGTH KEY=VALUE\n", LENGTH counting itself. */
    private static void record(java.io.ByteArrayOutputStream out, String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int rest = 1 + keyBytes.length + 1 + value.length + 1; // space, key, '=', value, newline
        int length = rest + 1;
        while (Integer.toString(length).length() + rest != length) length = Integer.toString(length).length() + rest;
        out.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(keyBytes);
        out.write('=');
        out.writeBytes(value);
        out.write('\n');
    }

    private void header(String name, char flag, int mode, int uid, int gid, long size, long mtime, String link, int major, int minor)
            throws IOException {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name);
        octal(header, 100, 8, mode & 07777);
        octal(header, 108, 8, uid < 0 || uid > 07777777 ? 0 : uid);
        octal(header, 116, 8, gid < 0 || gid > 07777777 ? 0 : gid);
        octal(header, 124, 12, size > 077777777777L ? 0 : size);
        octal(header, 136, 12, Math.max(0, Math.min(mtime, 077777777777L)));
        header[156] = (byte) flag;
        put(header, 157, 100, link);
        put(header, 257, 6, "ustar");
        put(header, 263, 2, "00");
        octal(header, 329, 8, major);
        octal(header, 337, 8, minor);
        for (int i = 148; i < 156; i++) header[i] = ' ';
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        octal(header, 148, 7, sum);
        out.write(header);
    }

    private void pad(long size) throws IOException {
        int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (padding > 0) out.write(new byte[padding]);
    }

    private static void put(byte[] header, int offset, int length, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }

    /** Octal digits, zero-padded, then a NUL: {@code length - 1} digits. */
    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        while (digits.length() < length - 1) digits = "0" + digits;
        put(header, offset, length - 1, digits);
    }
}
