package hako.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes what is read through it, so that a blob is verified as it is unpacked, not read twice.
 * {@link #verify} reads what is left and compares: until then nothing read is trusted, which is
 * why layers are unpacked into a temporary directory that only a verified layer leaves.
 */
final class Sha256Stream extends FilterInputStream {
    private final MessageDigest digest = sha256();
    private long count;

    Sha256Stream(InputStream in) {
        super(in);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            digest.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) break;
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end and returns the digest of everything that passed. */
    Digest finish() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // drained into the digest
        }
        return new Digest(hex(digest.digest()));
    }

    long count() {
        return count;
    }

    /** Reads to the end; a digest or size that differs from the expected is an error naming the blob. */
    void verify(String what, Digest expected, long expectedSize) throws IOException {
        Digest actual = finish();
        if (!actual.equals(expected)) {
            throw new ImageException(what + " " + expected + " does not match its digest: its content is " + actual);
        }
        if (expectedSize >= 0 && count != expectedSize) {
            throw new ImageException(what + " " + expected + " is " + count + " bytes, its descriptor says " + expectedSize);
        }
    }
}
