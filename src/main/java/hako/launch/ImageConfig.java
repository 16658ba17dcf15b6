package hako.launch;

import hako.json.Json;
import hako.json.JsonException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image's config says about how to run it (the OCI image spec's {@code config} object,
 * which Docker's image JSON shares): the fields a one-line run starts from. Absent fields are
 * empty lists, maps or null.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                          List<String> exposedPorts, Map<String, String> labels, String stopSignal) {

    public static ImageConfig parse(byte[] json, String what) {
        Object parsed;
        try {
            parsed = Json.parse(new String(json, StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new LaunchException(what + ": " + e.getMessage());
        }
        Map<?, ?> config = parsed instanceof Map<?, ?> top && top.get("config") instanceof Map<?, ?> c ? c : Map.of();
        return new ImageConfig(strings(config, "Entrypoint", what), strings(config, "Cmd", what), strings(config, "Env", what),
                text(config, "WorkingDir", what), text(config, "User", what),
                List.copyOf(config.get("ExposedPorts") instanceof Map<?, ?> ports ? keys(ports) : List.of()),
                labels(config, what), text(config, "StopSignal", what));
    }

    private static List<String> strings(Map<?, ?> config, String key, String what) {
        Object value = config.get(key);
        if (value == null) return List.of();
        if (!(value instanceof List<?> list)) throw new LaunchException(what + ": config." + key + " is not a list of strings");
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) throw new LaunchException(what + ": config." + key + " is not a list of strings");
            strings.add(s);
        }
        return List.copyOf(strings);
    }

    private static String text(Map<?, ?> config, String key, String what) {
        Object value = config.get(key);
        if (value == null || value instanceof String s && s.isEmpty()) return null;
        if (!(value instanceof String s)) throw new LaunchException(what + ": config." + key + " is not a string");
        return s;
    }

    private static List<String> keys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        for (Object key : map.keySet()) keys.add(String.valueOf(key));
        return keys;
    }

    private static Map<String, String> labels(Map<?, ?> config, String what) {
        Object value = config.get("Labels");
        if (value == null) return Map.of();
        if (!(value instanceof Map<?, ?> map)) throw new LaunchException(what + ": config.Labels is not an object");
        Map<String, String> labels = new LinkedHashMap<>();
        map.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        return labels;
    }
}
