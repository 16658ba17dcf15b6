package hako.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The content-addressed blobs of an OCI layout or of the store: {@code blobs/sha256/HEX}, read verified. */
final class Blobs {
    /** Manifests, indexes and configs are read into memory: this much at most. */
    static final int MAX_DOCUMENT = 4 << 20;

    private final Path directory;

    Blobs(Path layout) {
        this.directory = layout.resolve("blobs");
    }

    Path path(Digest digest) {
        return directory.resolve("sha256").resolve(digest.hex());
    }

    /** A small blob (a manifest, an index, a config), verified against its digest and size. */
    byte[] read(Digest digest, long size, String what) {
        if (size > MAX_DOCUMENT) throw new ImageException(what + " " + digest + " is " + size + " bytes: too large");
        try (Sha256Stream in = open(digest, what)) {
            byte[] bytes = in.readNBytes(MAX_DOCUMENT + 1);
            if (bytes.length > MAX_DOCUMENT) throw new ImageException(what + " " + digest + " is too large");
            in.verify(what, digest, size);
            return bytes;
        } catch (IOException e) {
            throw new ImageException("reading " + what + " " + digest + ": " + e.getMessage(), e);
        }
    }

    /** A blob as a stream that hashes what passes; the caller calls {@link Sha256Stream#verify}. */
    Sha256Stream open(Digest digest, String what) {
        try {
            InputStream in = Files.newInputStream(path(digest));
            return new Sha256Stream(in);
        } catch (NoSuchFileException e) {
            throw new ImageException(what + " " + digest + " is missing from " + directory);
        } catch (IOException e) {
            throw new ImageException("reading " + what + " " + digest + ": " + e.getMessage(), e);
        }
    }
}
