package hako.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * What a layer or tarball is compressed with, told by its first bytes, not by its media type or
 * name (a layer's media type may say +gzip of a blob that is plain, and a file name says nothing):
 * plain tar, gzip and zstd (through libzstd) are read; xz and bzip2 are named and refused.
 */
final class Compression {
    private Compression() {}

    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (starts(magic, 0x1f, 0x8b)) return new GZIPInputStream(in, 1 << 16);
        if (starts(magic, 0x28, 0xb5, 0x2f, 0xfd)) return new ZstdInputStream(in);
        if (starts(magic, 0xfd, '7', 'z', 'X', 'Z', 0)) throw unsupported("xz");
        if (starts(magic, 'B', 'Z', 'h')) throw unsupported("bzip2");
        return in;
    }

    private static ImageException unsupported(String what) {
        return new ImageException("the layer is " + what + "-compressed, which hako does not read (only plain, gzip'd and zstd'd tar)");
    }

    private static boolean starts(byte[] bytes, int... magic) {
        if (bytes.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((bytes[i] & 0xff) != magic[i]) return false;
        return true;
    }
}
