package hako.image;

import hako.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain root filesystem tarball (.tar, .tar.gz) as an image of one layer. It has no config of
 * its own: hako writes the least one (os, architecture, the layer's diff_id unknown) and a
 * manifest, so that it is stored and named like any other image.
 */
public final class RootfsTarball {
    private RootfsTarball() {}

    public static Image read(Path tarball) {
        Digest digest;
        long size;
        try (InputStream in = Files.newInputStream(tarball); Sha256Stream hashed = new Sha256Stream(in)) {
            digest = hashed.finish();
            size = hashed.count();
        } catch (IOException e) {
            throw new ImageException("reading " + tarball + ": " + e.getMessage());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", Platform.hostArchitecture());
        config.put("os", "linux");
        // insertion-ordered maps only: the same tarball must give the same config and manifest digests
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of());
        config.put("rootfs", rootfs);
        byte[] configBytes = Json.write(config).getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.of(configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBytes.length));
        manifest.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar", digest, size)));
        byte[] manifestBytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        Image.Opener opener = () -> {
            try {
                return new Sha256Stream(Files.newInputStream(tarball));
            } catch (IOException e) {
                throw new ImageException("reading " + tarball + ": " + e.getMessage());
            }
        };
        return new Image(null, Digest.of(manifestBytes), manifestBytes, configDigest, configBytes,
                List.of(new Image.Layer(digest, size, null, opener)));
    }

    static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest.toString());
        descriptor.put("size", size);
        return descriptor;
    }
}
