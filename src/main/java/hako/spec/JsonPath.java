package hako.spec;

import hako.json.Json;

/**
 * Where a value sits in a JSON document, for error messages: {@code process.args[1]},
 * {@code annotations["io.kubernetes.cri.sandbox-id"]}. A linked list from leaf to root, rendered
 * only when an error is reported, so reading a valid document builds no strings.
 */
final class JsonPath {

    static final JsonPath ROOT = new JsonPath(null, null, -1);

    private final JsonPath parent;
    private final String key;   // set for an object member
    private final int index;    // set (>= 0) for an array element
    private final boolean quoted; // a key of a map (a device, a file name): always ["..."], never .name

    private JsonPath(JsonPath parent, String key, int index) {
        this(parent, key, index, false);
    }

    private JsonPath(JsonPath parent, String key, int index, boolean quoted) {
        this.parent = parent;
        this.key = key;
        this.index = index;
        this.quoted = quoted;
    }

    JsonPath field(String name) {
        return new JsonPath(this, name, -1);
    }

    /** A key of an object used as a map ({@code unified["memory.high"]}, {@code rdma["mlx5_1"]}). */
    JsonPath key(String name) {
        return new JsonPath(this, name, -1, true);
    }

    JsonPath index(int i) {
        return new JsonPath(this, null, i);
    }

    boolean isRoot() {
        return parent == null;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        render(out);
        return out.toString();
    }

    private void render(StringBuilder out) {
        if (parent == null) {
            return;
        }
        parent.render(out);
        if (key == null) {
            out.append('[').append(index).append(']');
        } else if (!quoted && isIdentifier(key)) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(key);
        } else {
            out.append('[').append(Json.quote(key)).append(']');
        }
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }
}
