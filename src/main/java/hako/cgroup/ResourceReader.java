package hako.cgroup;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Reads fields of the parsed {@code linux.resources} tree (hako.json.Json's value model: Long,
 * BigDecimal, String, Boolean, Map, List, null) and turns a wrong one into one line naming the
 * file and the JSON path: {@code config.json: linux.resources.pids.limit: must be ...}.
 */
final class ResourceReader {
    static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** The document, for errors: {@code config.json}. */
    private final String source;

    ResourceReader(String source) {
        this.source = source;
    }

    CgroupException error(String path, String reason) {
        return new CgroupException(source + ": " + path + ": " + reason);
    }

    /** Says that a field is passed over, as runc passes it over on cgroup v2, and why. */
    void ignored(Map<String, Object> object, String name, String path, String why) {
        if (object.get(name) != null) hako.Warnings.print(source + ": " + field(path, name) + ": ignored: " + why);
    }

    static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** A JSON object member, or null when it is absent or null (as runc reads it). */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof Map<?, ?>)) throw error(field(path, name), "expected an object, got " + kind(value));
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    List<Object> list(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) return List.of();
        if (!(value instanceof List<?>)) throw error(field(path, name), "expected an array, got " + kind(value));
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> element(Object value, String path) {
        if (!(value instanceof Map<?, ?>)) throw error(path, "expected an object, got " + kind(value));
        return (Map<String, Object>) value;
    }

    String string(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof String s)) throw error(field(path, name), "expected a string, got " + kind(value));
        return s;
    }

    Boolean bool(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof Boolean b)) throw error(field(path, name), "expected true or false, got " + kind(value));
        return b;
    }

    /** A signed 64-bit integer (the spec's int64 fields), or null. */
    Long signed(Map<String, Object> parent, String name, String path) {
        BigInteger value = integer(parent, name, path);
        if (value == null) return null;
        if (value.bitLength() > 63) throw error(field(path, name), value + " does not fit in a signed 64-bit number");
        return value.longValue();
    }

    /**
     * An unsigned 64-bit integer (the spec's uint64 fields), or null. Returned as a long holding
     * the unsigned bits: values above Long.MAX_VALUE come back negative; see {@link #saturated}.
     */
    Long unsigned(Map<String, Object> parent, String name, String path) {
        BigInteger value = integer(parent, name, path);
        if (value == null) return null;
        if (value.signum() < 0) throw error(field(path, name), "must not be negative, got " + value);
        if (value.compareTo(UINT64_MAX) > 0) throw error(field(path, name), value + " does not fit in an unsigned 64-bit number");
        return value.longValue();
    }

    /** An unsigned value held in a long, capped at Long.MAX_VALUE: for comparisons. */
    static long saturated(long unsignedBits) {
        return unsignedBits < 0 ? Long.MAX_VALUE : unsignedBits;
    }

    private BigInteger integer(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (value instanceof Long l) return BigInteger.valueOf(l);
        if (value instanceof BigDecimal d) {
            try {
                return d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw error(field(path, name), "expected a whole number, got " + d.toPlainString());
            }
        }
        throw error(field(path, name), "expected a number, got " + kind(value));
    }

    static String kind(Object value) {
        if (value == null) return "null";
        if (value instanceof String s) return "the string \"" + s + "\"";
        if (value instanceof Boolean) return value.toString();
        if (value instanceof Map<?, ?>) return "an object";
        if (value instanceof List<?>) return "an array";
        return value.toString();
    }
}
