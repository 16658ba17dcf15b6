package hako.image;

import hako.json.Json;
import hako.json.JsonException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an OCI image layout directory (as {@code skopeo copy … oci:DIR:TAG} and {@code umoci}
 * write it): {@code oci-layout}, {@code index.json}, then manifest, config and layers from
 * {@code blobs/sha256}, every blob verified against its digest. An index of several manifests
 * gives the one for this machine's platform (linux and its architecture).
 */
public final class OciLayout {
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final List<String> INDEXES = List.of("application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final List<String> MANIFESTS = List.of("application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private OciLayout() {}

    public static boolean isLayout(Path directory) {
        return Files.isRegularFile(directory.resolve("oci-layout"));
    }

    /** The image of the layout; {@code tag} (may be null) picks among several by their ref.name annotation. */
    public static Image read(Path directory, String tag) {
        Object layout = parse(readSmall(directory.resolve("oci-layout")), "oci-layout");
        Object version = layout instanceof Map<?, ?> m ? m.get("imageLayoutVersion") : null;
        if (!(version instanceof String v) || !v.startsWith("1.")) {
            throw new ImageException(directory + "/oci-layout: imageLayoutVersion " + version + " is not 1.x");
        }
        Blobs blobs = new Blobs(directory);
        Map<?, ?> index = object(parse(readSmall(directory.resolve("index.json")), "index.json"), "index.json");
        Map<?, ?> chosen = choose(index, tag, "index.json");
        String reference = chosen.get("annotations") instanceof Map<?, ?> a && a.get(REF_NAME) instanceof String r ? r : null;
        for (int depth = 0; depth < 4; depth++) {
            Digest digest = Digest.parse(string(chosen, "digest", "a descriptor"));
            String mediaType = string(chosen, "mediaType", "descriptor " + digest);
            long size = size(chosen, digest);
            if (INDEXES.contains(mediaType)) {
                Map<?, ?> nested = object(parse(blobs.read(digest, size, "index"), "index " + digest), "index " + digest);
                chosen = choose(nested, null, "index " + digest);
            } else if (MANIFESTS.contains(mediaType)) {
                return manifest(blobs, digest, blobs.read(digest, size, "manifest"), reference);
            } else {
                throw new ImageException("descriptor " + digest + " has the media type \"" + mediaType
                        + "\", which is neither a manifest nor an index");
            }
        }
        throw new ImageException(directory + ": indexes nested more than 4 deep");
    }

    private static Image manifest(Blobs blobs, Digest digest, byte[] bytes, String reference) {
        String what = "manifest " + digest;
        Map<?, ?> manifest = object(parse(bytes, what), what);
        Map<?, ?> configDescriptor = object(manifest.get("config"), what + ": config");
        Digest configDigest = Digest.parse(string(configDescriptor, "digest", what + ": config"));
        byte[] config = blobs.read(configDigest, size(configDescriptor, configDigest), "config");
        List<Digest> diffIds = diffIds(config, configDigest);
        if (!(manifest.get("layers") instanceof List<?> layerList)) throw new ImageException(what + " has no layers");
        if (!diffIds.isEmpty() && diffIds.size() != layerList.size()) {
            throw new ImageException(what + " has " + layerList.size() + " layers, its config " + diffIds.size() + " diff_ids");
        }
        List<Image.Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerList.size(); i++) {
            Map<?, ?> layer = object(layerList.get(i), what + ": layers[" + i + "]");
            Digest layerDigest = Digest.parse(string(layer, "digest", what + ": layers[" + i + "]"));
            layers.add(new Image.Layer(layerDigest, size(layer, layerDigest), diffIds.isEmpty() ? null : diffIds.get(i),
                    () -> blobs.open(layerDigest, "layer")));
        }
        return new Image(reference, digest, bytes, configDigest, config, List.copyOf(layers));
    }

    private static List<Digest> diffIds(byte[] config, Digest digest) {
        Map<?, ?> tree = object(parse(config, "config " + digest), "config " + digest);
        List<Digest> ids = new ArrayList<>();
        if (tree.get("rootfs") instanceof Map<?, ?> rootfs && rootfs.get("diff_ids") instanceof List<?> list) {
            for (Object id : list) ids.add(Digest.parse(id instanceof String s ? s : null));
        }
        return ids;
    }

    /** The manifest of an index for {@code tag}, or for this machine's platform. */
    private static Map<?, ?> choose(Map<?, ?> index, String tag, String what) {
        if (!(index.get("manifests") instanceof List<?> list) || list.isEmpty()) throw new ImageException(what + " lists no manifests");
        List<Map<?, ?>> candidates = new ArrayList<>();
        for (Object item : list) candidates.add(object(item, what + ": manifests[]"));
        if (tag != null) {
            List<Map<?, ?>> tagged = new ArrayList<>(candidates);
            tagged.removeIf(m -> !(m.get("annotations") instanceof Map<?, ?> a && tagOf(a.get(REF_NAME)).equals(tag)));
            // a layout of one image takes any name; among several, the tag chooses
            if (!tagged.isEmpty()) candidates = tagged;
            else if (candidates.size() > 1) throw new ImageException(what + " has no image tagged \"" + tag + "\"");
        }
        if (candidates.size() == 1) return candidates.getFirst();
        String arch = hostArchitecture();
        List<String> seen = new ArrayList<>();
        for (Map<?, ?> candidate : candidates) {
            if (candidate.get("platform") instanceof Map<?, ?> p) {
                seen.add(p.get("os") + "/" + p.get("architecture"));
                if ("linux".equals(p.get("os")) && arch.equals(p.get("architecture"))) return candidate;
            }
        }
        if (seen.isEmpty()) return candidates.getFirst();
        throw new ImageException(what + " has no manifest for linux/" + arch + " (it has " + String.join(", ", seen) + ")");
    }

    /** The tag of a ref.name annotation: "latest", or the tag of "docker.io/library/busybox:latest". */
    static String tagOf(Object refName) {
        if (!(refName instanceof String ref)) return "";
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : ref;
    }

    /** GOARCH's names, which images use: amd64, arm64. */
    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    private static long size(Map<?, ?> descriptor, Digest digest) {
        if (!(descriptor.get("size") instanceof Number n) || n.longValue() < 0) {
            throw new ImageException("descriptor " + digest + " has no size");
        }
        return n.longValue();
    }

    private static String string(Map<?, ?> map, String key, String what) {
        if (!(map.get(key) instanceof String s)) throw new ImageException(what + " has no " + key);
        return s;
    }

    static Map<?, ?> object(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) throw new ImageException(what + " is not a JSON object");
        return map;
    }

    static Object parse(byte[] bytes, String what) {
        try {
            return Json.parse(bytes);
        } catch (JsonException e) {
            throw new ImageException(what + ": " + e.getMessage());
        }
    }

    private static byte[] readSmall(Path file) {
        try {
            if (Files.size(file) > Blobs.MAX_DOCUMENT) throw new ImageException(file + " is too large");
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageException(file.getParent() + " is not an OCI image layout: it has no " + file.getFileName());
        } catch (java.io.IOException e) {
            throw new ImageException("reading " + file + ": " + e.getMessage());
        }
    }
}
