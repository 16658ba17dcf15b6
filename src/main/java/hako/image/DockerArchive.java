package hako.image;

import hako.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code docker save} archive, unpacked: {@code manifest.json} lists each image's Config, RepoTags
 * and Layers (as {@code HEX/layer.tar}, or {@code blobs/sha256/HEX} since docker 25). Layers are
 * uncompressed tars, so each one's sha256 is its diff_id in the config: that is the digest it is
 * verified against and stored under. There is no manifest blob in such an archive; hako writes
 * the OCI manifest of what it read, as for a rootfs tarball. When docker 25+ wrote an OCI layout
 * beside it (index.json), the layout is read instead, and manifest.json gives only the name.
 */
public final class DockerArchive {
    private static final Pattern HEX_NAME = Pattern.compile("(?:^|/)([0-9a-f]{64})(?:\\.json)?$");

    private DockerArchive() {}

    /** The image tagged {@code wanted} ("name:tag", a tag alone, or null for the only one). */
    public static Image read(Path directory, String wanted) {
        Path manifestFile = directory.resolve("manifest.json");
        Object tree = Manifests.parse(readSmall(manifestFile, "manifest.json"), "manifest.json");
        if (!(tree instanceof List<?> entries) || entries.isEmpty()) throw new ImageException("manifest.json lists no images");
        Map<?, ?> entry = choose(entries, wanted);
        List<String> repoTags = new ArrayList<>();
        if (entry.get("RepoTags") instanceof List<?> tags) for (Object t : tags) if (t instanceof String s) repoTags.add(s);
        String reference = pick(repoTags, wanted);
        if (OciLayout.isLayout(directory) && Files.isRegularFile(directory.resolve("index.json"))) {
            Image image = OciLayout.read(directory, wanted == null ? null : OciLayout.tagOf(wanted));
            return new Image(reference != null ? reference : image.reference(), image.manifestDigest(), image.manifest(),
                    image.configDigest(), image.config(), image.layers());
        }
        return legacy(directory, entry, reference);
    }

    private static Image legacy(Path directory, Map<?, ?> entry, String reference) {
        if (!(entry.get("Config") instanceof String configName)) throw new ImageException("manifest.json: an image has no Config");
        byte[] config = readSmall(inside(directory, configName), configName);
        Digest configDigest = Digest.of(config);
        Matcher named = HEX_NAME.matcher(configName);
        if (named.find() && !named.group(1).equals(configDigest.hex())) {
            throw new ImageException("config " + configName + " does not match its name: its content is " + configDigest);
        }
        Map<?, ?> configTree = Manifests.object(Manifests.parse(config, "config " + configName), "config " + configName);
        List<Digest> diffIds = new ArrayList<>();
        if (configTree.get("rootfs") instanceof Map<?, ?> rootfs && rootfs.get("diff_ids") instanceof List<?> ids) {
            for (Object id : ids) diffIds.add(Digest.parse(id instanceof String s ? s : null));
        }
        if (!(entry.get("Layers") instanceof List<?> layerNames)) throw new ImageException("manifest.json: an image has no Layers");
        if (layerNames.size() != diffIds.size()) {
            throw new ImageException("manifest.json lists " + layerNames.size() + " layers, the config " + diffIds.size() + " diff_ids");
        }
        List<Image.Layer> layers = new ArrayList<>();
        List<Object> descriptors = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            if (!(layerNames.get(i) instanceof String layerName)) throw new ImageException("manifest.json: Layers[" + i + "] is not a path");
            Path file = inside(directory, layerName);
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw new ImageException("layer " + layerName + " is missing from the archive");
            } catch (IOException e) {
                throw new ImageException("reading layer " + layerName + ": " + e.getMessage());
            }
            Digest diffId = diffIds.get(i);
            layers.add(new Image.Layer(diffId, size, diffId, () -> {
                try {
                    return new Sha256Stream(Files.newInputStream(file));
                } catch (IOException e) {
                    throw new ImageException("reading layer " + layerName + ": " + e.getMessage());
                }
            }));
            descriptors.add(RootfsTarball.descriptor("application/vnd.oci.image.layer.v1.tar", diffId, size));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", RootfsTarball.descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length));
        manifest.put("layers", descriptors);
        byte[] manifestBytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        return new Image(reference, Digest.of(manifestBytes), manifestBytes, configDigest, config, List.copyOf(layers));
    }

    /** The entry with the wanted tag; with none wanted, the only entry. */
    private static Map<?, ?> choose(List<?> entries, String wanted) {
        List<String> seen = new ArrayList<>();
        for (Object item : entries) {
            Map<?, ?> entry = Manifests.object(item, "manifest.json: an image");
            if (!(entry.get("RepoTags") instanceof List<?> tags)) continue;
            for (Object tag : tags) {
                if (!(tag instanceof String t)) continue;
                seen.add(t);
                if (wanted != null && matches(t, wanted)) return entry;
            }
        }
        if (entries.size() == 1) return Manifests.object(entries.getFirst(), "manifest.json: an image");
        throw new ImageException("the archive holds " + entries.size() + " images"
                + (wanted == null ? "" : ", none tagged \"" + wanted + "\"") + ": choose one with --name ("
                + String.join(", ", seen) + ")");
    }

    private static String pick(List<String> repoTags, String wanted) {
        if (wanted != null) for (String tag : repoTags) if (matches(tag, wanted)) return tag;
        return repoTags.isEmpty() ? null : repoTags.getFirst();
    }

    /** "busybox:1.36" is wanted as itself, as "1.36", and as "docker.io/library/busybox:1.36" is by "busybox:1.36". */
    private static boolean matches(String repoTag, String wanted) {
        if (repoTag.equals(wanted)) return true;
        if (!wanted.contains(":") && !wanted.contains("/")) return OciLayout.tagOf(repoTag).equals(wanted);
        return repoTag.endsWith("/" + wanted);
    }

    /** A path the archive names, which must stay in it: no absolute name, no "..". */
    private static Path inside(Path directory, String name) {
        for (String part : name.split("/")) {
            if (part.equals("..")) throw new ImageException("manifest.json names \"" + name + "\", outside the archive");
        }
        if (name.startsWith("/")) throw new ImageException("manifest.json names \"" + name + "\", outside the archive");
        return directory.resolve(name);
    }

    private static byte[] readSmall(Path file, String what) {
        try {
            if (Files.size(file) > Blobs.MAX_DOCUMENT) throw new ImageException(what + " is too large");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(what + " is missing from the archive");
        } catch (IOException e) {
            throw new ImageException("reading " + what + ": " + e.getMessage());
        }
    }
}
