package hako.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An image in the store: its name and tag, its manifest and config, and its layers (lowest first) with their unpacked sizes. */
public record ImageRecord(String name, String tag, Digest manifest, Digest config, List<StoredLayer> layers) {
    public record StoredLayer(Digest digest, long size) {}

    public long size() {
        return layers.stream().mapToLong(StoredLayer::size).sum();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("tag", tag);
        json.put("manifest", manifest.toString());
        json.put("config", config.toString());
        List<Object> list = new ArrayList<>();
        for (StoredLayer layer : layers) list.add(Map.of("digest", layer.digest().toString(), "size", layer.size()));
        json.put("layers", list);
        return json;
    }

    static ImageRecord fromJson(Object value) {
        Map<?, ?> json = Manifests.object(value, "an image record");
        List<StoredLayer> layers = new ArrayList<>();
        for (Object item : (List<?>) json.get("layers")) {
            Map<?, ?> layer = Manifests.object(item, "an image record's layer");
            layers.add(new StoredLayer(Digest.parse((String) layer.get("digest")), ((Number) layer.get("size")).longValue()));
        }
        return new ImageRecord((String) json.get("name"), (String) json.get("tag"), Digest.parse((String) json.get("manifest")),
                Digest.parse((String) json.get("config")), List.copyOf(layers));
    }
}
