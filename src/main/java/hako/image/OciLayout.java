package hako.image;

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

    private OciLayout() {}

    public static boolean isLayout(Path directory) {
        return Files.isRegularFile(directory.resolve("oci-layout"));
    }

    /** The image of the layout; {@code tag} (may be null) picks among several by their ref.name annotation. */
    public static Image read(Path directory, String tag) {
        Object layout = Manifests.parse(readSmall(directory.resolve("oci-layout")), "oci-layout");
        Object version = layout instanceof Map<?, ?> m ? m.get("imageLayoutVersion") : null;
        if (!(version instanceof String v) || !v.startsWith("1.")) {
            throw new ImageException(directory + "/oci-layout: imageLayoutVersion " + version + " is not 1.x");
        }
        Blobs blobs = new Blobs(directory);
        Map<?, ?> chosen = choose(Manifests.entries(readSmall(directory.resolve("index.json")), "index.json"), tag, "index.json");
        String reference = chosen.get("annotations") instanceof Map<?, ?> a && a.get(REF_NAME) instanceof String r ? r : null;
        for (int depth = 0; depth < 4; depth++) {
            Manifests.Descriptor descriptor = Manifests.descriptor(chosen, "a descriptor");
            Digest digest = descriptor.digest();
            if (Manifests.isIndex(descriptor.mediaType())) {
                String what = "index " + digest;
                chosen = Platform.host().choose(Manifests.entries(blobs.read(digest, descriptor.size(), "index"), what), what);
            } else if (Manifests.isManifest(descriptor.mediaType())) {
                byte[] bytes = blobs.read(digest, descriptor.size(), "manifest");
                Manifests.Manifest manifest = Manifests.manifest(bytes, "manifest " + digest);
                Manifests.Descriptor config = manifest.config();
                byte[] configBytes = blobs.read(config.digest(), config.size(), "config");
                return Manifests.image(reference, digest, bytes, manifest, configBytes,
                        layer -> () -> blobs.open(layer.digest(), "layer"));
            } else {
                throw new ImageException("descriptor " + digest + " has the media type \"" + descriptor.mediaType()
                        + "\", which is neither a manifest nor an index");
            }
        }
        throw new ImageException(directory + ": indexes nested more than 4 deep");
    }

    /** The manifest of index.json for {@code tag}, or for this machine's platform. */
    private static Map<?, ?> choose(List<Map<?, ?>> candidates, String tag, String what) {
        if (tag != null) {
            List<Map<?, ?>> tagged = new ArrayList<>(candidates);
            tagged.removeIf(m -> !(m.get("annotations") instanceof Map<?, ?> a && tagOf(a.get(REF_NAME)).equals(tag)));
            // a layout of one image takes any name; among several, the tag chooses
            if (!tagged.isEmpty()) candidates = tagged;
            else if (candidates.size() > 1) throw new ImageException(what + " has no image tagged \"" + tag + "\"");
        }
        return Platform.host().choose(candidates, what);
    }

    /** The tag of a ref.name annotation: "latest", or the tag of "docker.io/library/busybox:latest". */
    static String tagOf(Object refName) {
        if (!(refName instanceof String ref)) return "";
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : ref;
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
