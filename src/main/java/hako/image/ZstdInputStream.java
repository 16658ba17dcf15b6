package hako.image;

import hako.sys.Libzstd;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decompresses a zstd stream (one frame or several) as it is read, through libzstd's streaming
 * decoder: a layer is never held whole in memory. A stream that stops in the middle of a frame
 * is an error, not a short layer.
 */
final class ZstdInputStream extends InputStream {
    private final InputStream in;
    private final Libzstd.Decoder decoder = new Libzstd.Decoder();
    private final byte[] compressed = new byte[decoder.inputCapacity()];
    private boolean ended;

    ZstdInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) return 0;
        if (ended) return -1;
        try {
            while (true) {
                if (!decoder.needsInput()) {
                    int produced = decoder.output(buffer, offset, length);
                    if (produced > 0) return produced;
                    continue; // used the input up without output: a frame header, or a block boundary
                }
                int n = in.read(compressed, 0, compressed.length);
                if (n < 0) {
                    if (!decoder.atFrameEnd()) throw new ImageException("the zstd stream ends in the middle of a frame");
                    ended = true;
                    return -1;
                }
                decoder.input(compressed, 0, n);
            }
        } catch (Libzstd.ZstdException e) {
            throw new ImageException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            decoder.close();
        } finally {
            in.close();
        }
    }
}
