package hako.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec's {@code hooks}, by kind, checked when the container is created: a hook that cannot
 * be run is an error before anything exists, not a surprise at delete.
 */
public record Hooks(Map<String, List<Hook>> byKind) {
    public static final String PRESTART = "prestart";
    public static final String CREATE_RUNTIME = "createRuntime";
    public static final String CREATE_CONTAINER = "createContainer";
    public static final String START_CONTAINER = "startContainer";
    public static final String POSTSTART = "poststart";
    public static final String POSTSTOP = "poststop";
    public static final List<String> KINDS =
            List.of(PRESTART, CREATE_RUNTIME, CREATE_CONTAINER, START_CONTAINER, POSTSTART, POSTSTOP);

    public static final Hooks NONE = new Hooks(Map.of());

    public List<Hook> of(String kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    public boolean isEmpty() {
        return byKind.isEmpty();
    }

    /**
     * Reads {@code hooks} as the spec has it (null when absent); errors name the document and the
     * JSON path, as every spec error does: {@code config.json: hooks.prestart[0].path: …}.
     */
    public static Hooks parse(Map<String, Object> hooks, String source) {
        if (hooks == null) return NONE;
        Map<String, List<Hook>> byKind = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : hooks.entrySet()) {
            String at = "hooks." + entry.getKey();
            if (!KINDS.contains(entry.getKey())) continue; // unknown kinds are ignored, as runc does
            if (!(entry.getValue() instanceof List<?> list)) throw invalid(source, at, "expected an array");
            List<Hook> parsed = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) parsed.add(hook(list.get(i), at + "[" + i + "]", source));
            if (!parsed.isEmpty()) byKind.put(entry.getKey(), List.copyOf(parsed));
        }
        return new Hooks(Map.copyOf(byKind));
    }

    private static Hook hook(Object value, String at, String source) {
        if (!(value instanceof Map<?, ?> map)) throw invalid(source, at, "expected an object");
        if (!(map.get("path") instanceof String path) || !path.startsWith("/")) {
            throw invalid(source, at + ".path", "required, and must be an absolute path");
        }
        List<String> args = strings(map.get("args"), at + ".args", source);
        List<String> env = map.containsKey("env") ? strings(map.get("env"), at + ".env", source) : null;
        Integer timeout = null;
        if (map.get("timeout") != null) {
            if (!(map.get("timeout") instanceof Long seconds) || seconds < 1 || seconds > 86_400) {
                throw invalid(source, at + ".timeout", "must be a whole number of seconds, at least 1");
            }
            timeout = seconds.intValue();
        }
        return new Hook(path, args.isEmpty() ? List.of(path) : args, env, timeout);
    }

    private static List<String> strings(Object value, String at, String source) {
        if (value == null) return List.of();
        if (!(value instanceof List<?> list)) throw invalid(source, at, "expected an array of strings");
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) throw invalid(source, at, "expected an array of strings");
            strings.add(s);
        }
        return List.copyOf(strings);
    }

    private static SpecException invalid(String source, String at, String reason) {
        return new SpecException(source + ": " + at + ": " + reason, at, null);
    }
}
