package hako.image;

import hako.json.Json;
import hako.json.JsonException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The documents of an image, wherever they come from (an OCI layout, a registry): indexes and
 * manifest lists, manifests, descriptors, a config's diff_ids. One reading, one set of error lines.
 */
final class Manifests {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final List<String> INDEXES = List.of(OCI_INDEX, DOCKER_LIST);
    static final List<String> MANIFESTS = List.of(OCI_MANIFEST, DOCKER_MANIFEST);

    /** A content descriptor: what a blob is, its digest, its size; {@code json} for the rest (platform, annotations). */
    record Descriptor(String mediaType, Digest digest, long size, Map<?, ?> json) {}

    /** A manifest read: its config's descriptor and its layers', lowest first. */
    record Manifest(Descriptor config, List<Descriptor> layers) {}

    private Manifests() {}

    static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(mediaType);
    }

    /** The media type a document says it is (its own mediaType field), for sources that give none beside it. */
    static String mediaTypeOf(byte[] bytes, String what) {
        Map<?, ?> tree = object(parse(bytes, what), what);
        if (tree.get("mediaType") instanceof String type) return type;
        if (tree.get("schemaVersion") instanceof Number n && n.intValue() == 1) return "application/vnd.docker.distribution.manifest.v1+json";
        if (tree.get("manifests") instanceof List<?>) return OCI_INDEX;
        return OCI_MANIFEST;
    }

    /** The descriptors an index lists. */
    static List<Map<?, ?>> entries(byte[] index, String what) {
        Map<?, ?> tree = object(parse(index, what), what);
        if (!(tree.get("manifests") instanceof List<?> list) || list.isEmpty()) throw new ImageException(what + " lists no manifests");
        List<Map<?, ?>> entries = new ArrayList<>();
        for (Object item : list) entries.add(object(item, what + ": manifests[]"));
        return entries;
    }

    static Descriptor descriptor(Object value, String what) {
        Map<?, ?> json = object(value, what);
        Digest digest = Digest.parse(string(json, "digest", what));
        String mediaType = json.get("mediaType") instanceof String s ? s : "";
        if (!(json.get("size") instanceof Number n) || n.longValue() < 0) throw new ImageException("descriptor " + digest + " has no size");
        return new Descriptor(mediaType, digest, n.longValue(), json);
    }

    static Manifest manifest(byte[] bytes, String what) {
        Map<?, ?> tree = object(parse(bytes, what), what);
        Descriptor config = descriptor(tree.get("config"), what + ": config");
        if (!(tree.get("layers") instanceof List<?> list)) throw new ImageException(what + " has no layers");
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) layers.add(descriptor(list.get(i), what + ": layers[" + i + "]"));
        return new Manifest(config, List.copyOf(layers));
    }

    /** The image of a verified manifest and config; each layer opened by {@code opener}. */
    static Image image(String reference, Digest digest, byte[] bytes, Manifest manifest, byte[] config,
                       Function<Descriptor, Image.Opener> opener) {
        String what = "manifest " + digest;
        List<Digest> diffIds = diffIds(config, manifest.config().digest());
        if (!diffIds.isEmpty() && diffIds.size() != manifest.layers().size()) {
            throw new ImageException(what + " has " + manifest.layers().size() + " layers, its config " + diffIds.size() + " diff_ids");
        }
        List<Image.Layer> layers = new ArrayList<>();
        for (int i = 0; i < manifest.layers().size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            layers.add(new Image.Layer(layer.digest(), layer.size(), diffIds.isEmpty() ? null : diffIds.get(i), opener.apply(layer)));
        }
        return new Image(reference, digest, bytes, manifest.config().digest(), config, List.copyOf(layers));
    }

    static List<Digest> diffIds(byte[] config, Digest digest) {
        Map<?, ?> tree = object(parse(config, "config " + digest), "config " + digest);
        List<Digest> ids = new ArrayList<>();
        if (tree.get("rootfs") instanceof Map<?, ?> rootfs && rootfs.get("diff_ids") instanceof List<?> list) {
            for (Object id : list) ids.add(Digest.parse(id instanceof String s ? s : null));
        }
        return ids;
    }

    static String string(Map<?, ?> map, String key, String what) {
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
}
