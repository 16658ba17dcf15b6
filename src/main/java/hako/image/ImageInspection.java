package hako.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code hako image inspect} shows of a stored image: its names and digests, where and when
 * it was made, the part of its config that a run uses, and its layers with their unpacked sizes.
 */
public final class ImageInspection {
    /** The config fields a run takes from an image (the OCI image spec's config object), in its order. */
    private static final List<String> RUN_CONFIG = List.of("Entrypoint", "Cmd", "Env", "WorkingDir", "User", "ExposedPorts",
            "Labels", "StopSignal");

    private ImageInspection() {}

    public static Map<String, Object> of(ImageRecord record, byte[] configBytes) {
        Map<?, ?> config = Manifests.object(Manifests.parse(configBytes, "config " + record.config()), "config " + record.config());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", record.name());
        json.put("tag", record.tag());
        json.put("digest", record.manifest().toString());
        json.put("configDigest", record.config().toString());
        json.put("created", config.get("created"));
        json.put("architecture", config.get("architecture"));
        json.put("os", config.get("os"));
        if (config.get("variant") != null) json.put("variant", config.get("variant"));
        Map<String, Object> run = new LinkedHashMap<>();
        if (config.get("config") instanceof Map<?, ?> runConfig) {
            for (String key : RUN_CONFIG) if (runConfig.get(key) != null) run.put(key, runConfig.get(key));
        }
        json.put("config", run);
        List<Digest> diffIds = new ArrayList<>();
        if (config.get("rootfs") instanceof Map<?, ?> rootfs && rootfs.get("diff_ids") instanceof List<?> ids) {
            for (Object id : ids) if (id instanceof String s) diffIds.add(Digest.parse(s));
        }
        List<Object> layers = new ArrayList<>();
        for (int i = 0; i < record.layers().size(); i++) {
            ImageRecord.StoredLayer layer = record.layers().get(i);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("digest", layer.digest().toString());
            if (diffIds.size() == record.layers().size()) item.put("diffId", diffIds.get(i).toString());
            item.put("size", layer.size());
            layers.add(item);
        }
        json.put("layers", layers);
        json.put("size", record.size());
        return json;
    }
}
