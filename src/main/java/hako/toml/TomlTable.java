package hako.toml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A table of a TOML file: its keys in file order, each value a String, a Boolean, a List (an
 * array: strings, booleans, arrays), a TomlTable, or a list of TomlTables (an array of tables).
 * The typed getters return null for a key that is absent and refuse a value of another kind
 * with the file and line of the key, so a reader of the file needs no checks of its own.
 */
public final class TomlTable {
    private final String source;
    private final String name;
    private final int line;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    TomlTable(String source, String name, int line) {
        this.source = source;
        this.name = name;
        this.line = line;
    }

    /** The file it was read from, as given to the parser. */
    public String source() {
        return source;
    }

    /** Its dotted name ({@code registry.mirror}); empty for the file's root table. */
    public String name() {
        return name;
    }

    /** The line of its header; 0 for the root table. */
    public int line() {
        return line;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The line a key was set on; the table's own line for one it does not have. */
    public int line(String key) {
        return lines.getOrDefault(key, line);
    }

    public Object value(String key) {
        return values.get(key);
    }

    public String string(String key) {
        return typed(key, String.class, "a string");
    }

    public Boolean bool(String key) {
        return typed(key, Boolean.class, "true or false");
    }

    public boolean bool(String key, boolean absent) {
        Boolean value = bool(key);
        return value == null ? absent : value;
    }

    /** An array of strings. */
    public List<String> strings(String key) {
        List<?> list = typed(key, List.class, "an array of strings");
        if (list == null) return null;
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) throw error(key, "expected an array of strings, found " + kind(item) + " in it");
            strings.add(s);
        }
        return List.copyOf(strings);
    }

    /** A table ({@code [name.key]}, or {@code key.x = …} in this one). */
    public TomlTable table(String key) {
        return typed(key, TomlTable.class, "a table");
    }

    /** An array of tables ({@code [[name.key]]}); empty when absent. */
    public List<TomlTable> tables(String key) {
        Object value = values.get(key);
        if (value == null) return List.of();
        if (value instanceof List<?> list && !list.isEmpty() && list.getFirst() instanceof TomlTable) {
            List<TomlTable> tables = new ArrayList<>();
            for (Object item : list) tables.add((TomlTable) item);
            return List.copyOf(tables);
        }
        throw error(key, "expected an array of tables ([[" + qualified(key) + "]]), found " + kind(value));
    }

    /** A failure about one key's value, at its line: {@code FILE:LINE: registry.location: REASON}. */
    public TomlException error(String key, String reason) {
        return new TomlException(source, line(key), qualified(key) + ": " + reason);
    }

    private String qualified(String key) {
        return name.isEmpty() ? key : name + "." + key;
    }

    private <T> T typed(String key, Class<T> type, String expected) {
        Object value = values.get(key);
        if (value == null) return null;
        if (!type.isInstance(value) || (type == List.class && !((List<?>) value).isEmpty() && ((List<?>) value).getFirst() instanceof TomlTable)) {
            throw error(key, "expected " + expected + ", found " + kind(value));
        }
        return type.cast(value);
    }

    static String kind(Object value) {
        return switch (value) {
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case TomlTable t -> "a table";
            case List<?> list when !list.isEmpty() && list.getFirst() instanceof TomlTable -> "an array of tables";
            case List<?> list -> "an array";
            default -> value.getClass().getSimpleName();
        };
    }

    // ---- for the parser ----

    Object get(String key) {
        return values.get(key);
    }

    void put(String key, Object value, int at) {
        values.put(key, value);
        lines.put(key, at);
    }
}
