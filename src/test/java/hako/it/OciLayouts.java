package hako.it;

import hako.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OCI image layouts written by the tests themselves, as skopeo and umoci write them: blobs by digest, descriptors, an index. */
final class OciLayouts {
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String LAYER = "application/vnd.oci.image.layer.v1.tar";

    private OciLayouts() {}

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores {@code bytes} as a blob of the layout and returns its digest. */
    static String blob(Path layout, byte[] bytes) throws IOException {
        String digest = sha256(bytes);
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.write(blobs.resolve(digest.substring("sha256:".length())), bytes);
        return digest;
    }

    static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest);
        descriptor.put("size", size);
        return descriptor;
    }

    /** A manifest of the image config {@code image} and {@code layers}, both stored: the manifest's descriptor. */
    static Map<String, Object> manifest(Path layout, Map<String, Object> image, List<Map<String, Object>> layers) throws IOException {
        byte[] config = Json.write(image).getBytes(StandardCharsets.UTF_8);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("config", descriptor(CONFIG, blob(layout, config), config.length));
        manifest.put("layers", layers);
        byte[] bytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        return descriptor(MANIFEST, blob(layout, bytes), bytes.length);
    }

    /** index.json listing {@code manifests}, and the oci-layout marker. */
    static void index(Path layout, List<Map<String, Object>> manifests) throws IOException {
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), Json.write(Map.of("schemaVersion", 2, "manifests", manifests)));
    }
}
