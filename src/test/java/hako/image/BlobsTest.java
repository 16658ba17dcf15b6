package hako.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlobsTest {
    @TempDir
    Path layout;

    @Test
    void aBlobIsReadOnlyWhenItMatchesItsDigest() throws IOException {
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(config);
        Blobs blobs = new Blobs(layout);
        Files.createDirectories(blobs.path(digest).getParent());
        Files.write(blobs.path(digest), config);
        assertArrayEquals(config, blobs.read(digest, config.length, "config"));
        Files.write(blobs.path(digest), "{\"os\":\"plan9\"}".getBytes(StandardCharsets.UTF_8));
        ImageException e = assertThrows(ImageException.class, () -> blobs.read(digest, config.length, "config"));
        assertEquals("config " + digest + " does not match its digest: its content is "
                + Digest.of("{\"os\":\"plan9\"}".getBytes(StandardCharsets.UTF_8)), e.getMessage());
    }

    @Test
    void aDigestThatIsNotOneNamesNoFile() {
        assertThrows(ImageException.class, () -> Digest.parse("sha256:../../../etc/passwd"));
        ImageException e = assertThrows(ImageException.class, () -> Digest.parse("sha512:" + "a".repeat(128)));
        assertEquals("the digest \"sha512:" + "a".repeat(128) + "\" is not sha256, the only algorithm hako verifies yet", e.getMessage());
    }
}
