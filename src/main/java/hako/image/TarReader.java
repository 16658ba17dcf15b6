package hako.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a tar stream entry by entry: ustar (with its name prefix), pax extended headers (path,
 * linkpath, size, uid, gid, mtime, xattrs; global ones too) and GNU long names and links. Only
 * what image layers use; sparse files and multi-volume archives are refused by name.
 */
public final class TarReader {
    private static final int BLOCK = 512;
    /** Metadata entries (pax records, long names) are read into memory: this much at most. */
    private static final int MAX_METADATA = 1 << 20;

    private final InputStream in;
    private final Map<String, byte[]> global = new HashMap<>();
    private long remaining;
    private long padding;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Its data is {@link #content()} until the next call. */
    public TarEntry next() throws IOException {
        skip(remaining + padding);
        remaining = padding = 0;
        Map<String, byte[]> pax = new LinkedHashMap<>(global);
        String longName = null, longLink = null;
        while (true) {
            byte[] header = readBlock();
            // the end is two zero blocks; a stream that stops at a block boundary ends it too, as GNU tar allows
            if (header == null || isZero(header)) return null;
            checkSum(header);
            char flag = (char) header[156];
            long size = number(header, 124, 12, "size");
            switch (flag) {
                case 'x' -> pax.putAll(paxRecords(metadata(size)));
                case 'g' -> {
                    Map<String, byte[]> records = paxRecords(metadata(size));
                    global.putAll(records);
                    pax.putAll(records);
                }
                case 'L' -> longName = cString(metadata(size), 0, (int) size);
                case 'K' -> longLink = cString(metadata(size), 0, (int) size);
                default -> {
                    return entry(header, flag, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The data of the entry {@link #next()} returned last (empty for all but regular files). */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (remaining == 0) return -1;
                int n = in.read(buffer, offset, (int) Math.min(length, remaining));
                if (n < 0) throw new ImageException("the tar stream ends in the middle of an entry");
                remaining -= n;
                return n;
            }
        };
    }

    private TarEntry entry(byte[] header, char flag, long size, Map<String, byte[]> pax, String longName, String longLink)
            throws IOException {
        String name = text(pax, "path");
        if (name == null) name = longName;
        if (name == null) {
            name = cString(header, 0, 100);
            // POSIX ustar keeps the start of a long name in the prefix field; GNU's magic uses that space otherwise
            if (cString(header, 257, 6).equals("ustar") && header[262] == 0) {
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
            }
        }
        String link = text(pax, "linkpath");
        if (link == null) link = longLink != null ? longLink : cString(header, 157, 100);
        if (pax.containsKey("size")) size = decimal(pax, "size");
        TarEntry.Type type = switch (flag) {
            case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new ImageException("entry \"" + name + "\" has the tar type '" + flag
                    + "', which hako does not unpack (" + describe(flag) + ")");
        };
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> record : pax.entrySet()) {
            if (record.getKey().startsWith("SCHILY.xattr.")) xattrs.put(record.getKey().substring(13), record.getValue());
        }
        int uid = pax.containsKey("uid") ? (int) decimal(pax, "uid") : (int) number(header, 108, 8, "uid");
        int gid = pax.containsKey("gid") ? (int) decimal(pax, "gid") : (int) number(header, 116, 8, "gid");
        long mtime = pax.containsKey("mtime") ? decimal(pax, "mtime") : number(header, 136, 12, "mtime");
        // a hard link's size may be its target's, with no data after it (POSIX leaves it open; GNU writes 0)
        remaining = type == TarEntry.Type.HARDLINK ? 0 : size;
        padding = (BLOCK - remaining % BLOCK) % BLOCK;
        return new TarEntry(name, type, (int) number(header, 100, 8, "mode") & 07777, uid, gid, size, mtime,
                link, (int) number(header, 329, 8, "devmajor"), (int) number(header, 337, 8, "devminor"), xattrs);
    }

    private static String describe(char flag) {
        return switch (flag) {
            case 'S' -> "a GNU sparse file";
            case 'M', 'V' -> "a multi-volume archive";
            default -> "an unknown type";
        };
    }

    private byte[] readBlock() throws IOException {
        byte[] block = in.readNBytes(BLOCK);
        if (block.length == 0) return null;
        if (block.length < BLOCK) throw new ImageException("the tar stream ends in the middle of a header");
        return block;
    }

    private byte[] metadata(long size) throws IOException {
        if (size > MAX_METADATA) throw new ImageException("a tar metadata entry of " + size + " bytes is too large");
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw new ImageException("the tar stream ends in the middle of an entry");
        skip((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) throw new ImageException("the tar stream ends in the middle of an entry");
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private static void checkSum(byte[] header) {
        long expected = number(header, 148, 8, "checksum");
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += b; // some old tars summed signed bytes
        }
        if (expected != unsigned && expected != signed) {
            throw new ImageException("a tar header's checksum does not match: not a tar stream, or a corrupt one");
        }
    }

    /** A numeric field: octal text, or GNU's base-256 (high bit set) for values that do not fit. */
    static long number(byte[] header, int offset, int length, String field) {
        if ((header[offset] & 0x80) != 0) {
            long value = header[offset] & 0x3f;
            for (int i = 1; i < length; i++) value = (value << 8) | (header[offset + i] & 0xff);
            return value;
        }
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || (b == ' ' && digits)) break;
            if (b == ' ') continue;
            if (b < '0' || b > '7') throw new ImageException("a tar header's " + field + " is not a number");
            value = value * 8 + (b - '0');
            digits = true;
        }
        return value;
    }

    /** pax records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record. Values stay bytes (xattrs are binary). */
    static Map<String, byte[]> paxRecords(byte[] data) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int at = 0;
        while (at < data.length) {
            int space = at;
            while (space < data.length && data[space] != ' ') space++;
            int length;
            try {
                length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new ImageException("a pax extended header is malformed");
            }
            int end = at + length;
            if (length <= 0 || end > data.length || data[end - 1] != '\n') throw new ImageException("a pax extended header is malformed");
            int equals = space + 1;
            while (equals < end && data[equals] != '=') equals++;
            if (equals >= end) throw new ImageException("a pax extended header is malformed");
            String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, equals + 1, end - 1);
            records.put(key, value);
            at = end;
        }
        return records;
    }

    private static String text(Map<String, byte[]> pax, String key) {
        byte[] value = pax.get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** pax numbers are decimal; mtime may have a fraction, which a layer's files do not need. */
    private static long decimal(Map<String, byte[]> pax, String key) {
        String value = text(pax, key);
        int dot = value.indexOf('.');
        try {
            return Long.parseLong(dot < 0 ? value : value.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new ImageException("a pax extended header's " + key + " is not a number: \"" + value + "\"");
        }
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) end++;
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }
}
