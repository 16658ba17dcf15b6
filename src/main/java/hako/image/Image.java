package hako.image;

import java.util.List;

/**
 * An image read from a source, before it is in the store: its manifest and config (verified),
 * the name its source gives it (or null), and its layers, lowest first.
 */
public record Image(String reference, Digest manifestDigest, byte[] manifest, Digest configDigest, byte[] config,
                    List<Layer> layers) {
    /** A layer: the digest of its blob (compressed), the blob's size (-1: unknown), its diff_id when the config has one. */
    public record Layer(Digest digest, long size, Digest diffId, Opener opener) {}

    /** Opens a layer's blob as it is stored (compressed or not), hashing what is read. */
    public interface Opener {
        Sha256Stream open();
    }
}
