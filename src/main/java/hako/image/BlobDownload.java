package hako.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;

/**
 * One layer's blob from the registry into a file of the store's tmp area, verified while it is
 * written. The file is named by the digest and outlives an interrupted pull: the next download
 * hashes what is there and asks only for the rest ({@code Range: bytes=N-}); a registry that
 * answers 200 instead of 206 sends the whole blob again, and the file starts over. A dropped or
 * stalled connection is resumed the same way, a few times, within one pull. A blob whose content
 * does not match its digest is removed: nothing of it is kept or unpacked.
 */
final class BlobDownload {
    static final int ATTEMPTS = 4;

    private final RegistryClient client;
    private final Manifests.Descriptor blob;
    private final Path file;
    private final PullProgress.Bar bar;

    BlobDownload(RegistryClient client, Manifests.Descriptor blob, Path file, PullProgress.Bar bar) {
        this.client = client;
        this.blob = blob;
        this.file = file;
        this.bar = bar;
    }

    /**
     * Downloads (or finishes downloading) the blob; returns its file, complete and verified, or
     * null when another pull that held the file meanwhile has finished with it (the layer is in
     * the store then).
     */
    Path run() throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
             FileLock lock = out.lock()) { // another pull of the same layer waits, then finds it done
            // that other pull unpacked the blob and removed the file while this one waited
            if (!Files.exists(file)) {
                bar.done();
                return null;
            }
            IOException last = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted");
                try {
                    if (fetch(out, attempt)) {
                        bar.done();
                        return file;
                    }
                } catch (StallGuard.Stalled | java.net.http.HttpTimeoutException e) {
                    last = e;
                } catch (IOException e) {
                    if (e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) throw e;
                    last = e;
                }
                if (last == null) last = new IOException("the connection closed early");
                sleep(attempt);
            }
            throw new ImageException("downloading layer " + blob.digest() + ": " + client.describe(last) + " (tried " + ATTEMPTS + " times; "
                    + Files.size(file) + " of " + blob.size() + " bytes kept for the next pull)");
        }
    }

    /** One request; true when the blob is complete and verified, false when the connection ended early. */
    private boolean fetch(FileChannel out, int attempt) throws IOException {
        long have = out.size();
        if (have > blob.size()) {
            out.truncate(0);
            have = 0;
        }
        MessageDigest digest = Sha256Stream.sha256();
        hashPrefix(out, have, digest);
        if (have == blob.size()) return verify(out, digest);
        if (have > 0 && attempt == 1) bar.resumedAt(have);
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        try (RegistryClient.Response response = client.get("blobs/" + blob.digest(), headers)) {
            int status = response.status();
            if (status == 206 && have > 0 && String.valueOf(response.header("Content-Range")).startsWith("bytes " + have + "-")) {
                // the rest follows what is there
            } else if (status == 200 || status == 206 && have == 0) {
                if (have > 0) {
                    out.truncate(0);
                    have = 0;
                    digest.reset();
                    bar.restarted();
                }
            } else if (status == 416) {
                out.truncate(0);
                return false;
            } else {
                throw Registry.failure("layer " + blob.digest(), response);
            }
            out.position(have);
            InputStream body = response.body();
            byte[] buffer = new byte[1 << 16];
            long limit = blob.size() + 1; // one byte more than the descriptor says is enough to know it lies
            for (int n; have < limit && (n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - have))) > 0; ) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                try {
                    while (chunk.hasRemaining()) out.write(chunk);
                } catch (IOException e) {
                    // the disk, not the network: trying again cannot help, and what is kept fills it
                    out.truncate(0);
                    throw new ImageException("downloading layer " + blob.digest() + ": writing " + file.getParent() + ": "
                            + e.getMessage() + " (the partial download is removed)");
                }
                digest.update(buffer, 0, n);
                have += n;
                bar.advance(n);
            }
        }
        if (have < blob.size()) return false;
        return verify(out, digest);
    }

    private boolean verify(FileChannel out, MessageDigest digest) throws IOException {
        Digest actual = new Digest(Sha256Stream.hex(digest.digest()));
        long size = out.size();
        if (!actual.equals(blob.digest()) || size != blob.size()) {
            Files.deleteIfExists(file);
            throw new ImageException(size != blob.size() ? "layer " + blob.digest() + " is more than the " + blob.size() + " bytes its descriptor says"
                    : "layer " + blob.digest() + " does not match its digest: its content is " + actual);
        }
        return true;
    }

    private static void hashPrefix(FileChannel in, long length, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
            int n = in.read(buffer, position);
            if (n < 0) break;
            digest.update(buffer.array(), 0, n);
            position += n;
        }
    }

    private static void sleep(int attempt) throws InterruptedIOException {
        try {
            Thread.sleep(200L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
