package hako.spec;

import hako.json.JsonException;
import hako.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Mutates real bundles' config.json (src/test/resources/bundles: what podman, containerd, Docker,
 * buildah, runc and crun write) for the fuzz tests: byte-level damage (flips, cuts, copies,
 * hostile tokens) and tree-level substitutions (a node replaced by a hostile value), each
 * reproducible from its seed. Public for the integration test's use.
 */
public final class Mutator {
    /** Where the captured bundles are, from the project's directory. */
    public static final Path BUNDLES = Path.of("src/test/resources/bundles");

    private static final String[] TOKENS = {
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "-", "0", "-0", "1e999999999", "1E-999999999",
        "18446744073709551616", "-9223372036854775809", "1.5", "\\u0000", "\\ud800", "\\", "\u0000", "\t", "\n",
        "\"ociVersion\": \"1.0.0\", ", "9".repeat(3000), "[".repeat(600), "{\"a\":".repeat(300), "\u00e9", "\uFEFF",
    };

    private static final Object[] VALUES = {
        null, true, false, 0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, "", "/", "..", "../../../etc", "a\u0000b",
        "x".repeat(70_000), "\n", "/proc/sys/kernel/core_pattern", "web\n10.0.0.1 evil", List.of(), Map.of(),
        List.of("a", 1L, Map.of()), Map.of("type", "bind"), new java.math.BigDecimal("1e300"),
        new java.math.BigDecimal("18446744073709551615"), new java.math.BigDecimal("-0.5"),
    };

    private Mutator() {}

    /** Every config.json-shaped file of the captured bundles (not process.json, not calls.txt). */
    public static List<Path> configs(Path basedir) {
        try (Stream<Path> files = Files.walk(basedir.resolve(BUNDLES))) {
            return files.filter(f -> f.toString().endsWith(".json") && !f.toString().endsWith(".process.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One mutation of {@code original}, chosen by {@code random}; {@code described} gets its name. */
    public static byte[] mutate(byte[] original, Random random, StringBuilder described) {
        int kind = random.nextInt(8);
        byte[] out = switch (kind) {
            case 0 -> flip(original, random, described);
            case 1 -> cut(original, random, described);
            case 2 -> copy(original, random, described);
            case 3, 4 -> token(original, random, described);
            default -> tree(original, random, described);
        };
        // Sometimes twice: combined damage finds what a single change does not.
        return random.nextInt(5) == 0 ? mutate(out, random, described.append(" then ")) : out;
    }

    private static byte[] flip(byte[] in, Random random, StringBuilder described) {
        byte[] out = in.clone();
        int at = random.nextInt(out.length);
        out[at] = (byte) random.nextInt(256);
        described.append("byte ").append(at).append(" set to ").append(out[at] & 0xff);
        return out;
    }

    private static byte[] cut(byte[] in, Random random, StringBuilder described) {
        int from = random.nextInt(in.length);
        int to = Math.min(in.length, from + 1 + random.nextInt(random.nextBoolean() ? 8 : in.length));
        described.append("bytes ").append(from).append("..").append(to).append(" cut");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, from);
        out.write(in, to, in.length - to);
        return out.toByteArray();
    }

    private static byte[] copy(byte[] in, Random random, StringBuilder described) {
        int from = random.nextInt(in.length);
        int to = Math.min(in.length, from + 1 + random.nextInt(64));
        int at = random.nextInt(in.length);
        described.append("bytes ").append(from).append("..").append(to).append(" copied to ").append(at);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, at);
        out.write(in, from, to - from);
        out.write(in, at, in.length - at);
        return out.toByteArray();
    }

    private static byte[] token(byte[] in, Random random, StringBuilder described) {
        String token = TOKENS[random.nextInt(TOKENS.length)];
        int at = random.nextInt(in.length + 1);
        boolean replace = random.nextBoolean() && at < in.length;
        described.append(replace ? "byte " + at + " replaced by " : "inserted at " + at + ": ")
                .append(token.length() > 20 ? token.substring(0, 20) + "…(" + token.length() + ")" : token);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, at);
        out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
        int rest = replace ? at + 1 : at;
        out.write(in, rest, in.length - rest);
        return out.toByteArray();
    }

    /** A random node of the parsed tree replaced by a hostile value, written back as JSON. */
    private static byte[] tree(byte[] in, Random random, StringBuilder described) {
        Object tree;
        try {
            tree = Json.parse(in);
        } catch (JsonException e) {
            return token(in, random, described); // already damaged: damage it some more
        }
        List<Object[]> slots = new ArrayList<>();
        collect(tree, "", slots);
        if (slots.isEmpty()) return token(in, random, described);
        Object[] slot = slots.get(random.nextInt(slots.size()));
        Object value = VALUES[random.nextInt(VALUES.length)];
        described.append(slot[2]).append(" = ").append(value instanceof String s && s.length() > 20 ? "\"x…\"" : Json.write(value));
        set(slot, value);
        return Json.write(tree).getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, String path, List<Object[]> slots) {
        if (node instanceof Map<?, ?> map) {
            for (Object key : new ArrayList<>(map.keySet())) {
                slots.add(new Object[] {map, key, path + "." + key});
                collect(map.get(key), path + "." + key, slots);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                slots.add(new Object[] {list, i, path + "[" + i + "]"});
                collect(list.get(i), path + "[" + i + "]", slots);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void set(Object[] slot, Object value) {
        if (slot[0] instanceof Map<?, ?> map) ((Map<Object, Object>) map).put(slot[1], value);
        else ((List<Object>) slot[0]).set((Integer) slot[1], value);
    }
}
