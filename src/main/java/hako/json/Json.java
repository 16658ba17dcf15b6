package hako.json;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON (RFC 8259) to and from plain Java values, with no library and no reflection: the
 * runtime is a short-lived command and a JSON library would cost more start-up time than reading
 * config.json does.
 *
 * <p>The value model, both ways:
 * <ul>
 *   <li>object: {@code Map<String, Object>} (a {@link java.util.LinkedHashMap}, so the order of the
 *       text is kept; duplicate keys are an error)</li>
 *   <li>array: {@code List<Object>}</li>
 *   <li>string: {@code String}</li>
 *   <li>number: {@code Long} when it is written without fraction or exponent and fits in a long;
 *       otherwise {@code java.math.BigDecimal}, which keeps the exact value (uint64 limits such as
 *       18446744073709551615 are BigDecimal with scale 0). Never Double, so nothing is rounded.</li>
 *   <li>true/false: {@code Boolean}</li>
 *   <li>null: Java {@code null} ({@code Map.containsKey} tells "null" from "absent")</li>
 * </ul>
 * The writer also takes Integer, Short, Byte, BigInteger and finite Double/Float, and any
 * {@code Map} with String keys or {@code Collection}.
 */
public final class Json {

    private Json() {
    }

    /** Parses one JSON text. Throws {@link JsonException} naming the line and column on bad input. */
    public static Object parse(String text) {
        return JsonParser.parse(text);
    }

    /**
     * Parses JSON from UTF-8 bytes. Invalid UTF-8 is an error with a position, like a syntax error,
     * rather than being replaced silently.
     */
    public static Object parse(byte[] utf8) {
        return JsonParser.parse(decodeUtf8(utf8));
    }

    /** Compact JSON, no whitespace: for state files and the wire. */
    public static String write(Object value) {
        return JsonWriter.write(value, false);
    }

    /** Pretty JSON with a two-space indent, as {@code hako spec} writes config.json. No final newline. */
    public static String writePretty(Object value) {
        return JsonWriter.write(value, true);
    }

    private static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            String before = out.flip().toString();
            int bad = bytes[in.position()] & 0xff;
            throw JsonParser.errorAt(before, before.length(),
                    "invalid UTF-8 (byte 0x" + Integer.toHexString(bad) + "); JSON text must be UTF-8");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** A deep copy of a JSON value whose objects and arrays may be changed (the parsed ones may not). */
    @SuppressWarnings("unchecked")
    public static Object copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) copy.put((String) entry.getKey(), copy(entry.getValue()));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new java.util.ArrayList<>(list.size());
            for (Object item : list) copy.add(copy(item));
            return copy;
        }
        return value;
    }

    /** A string as JSON writes it, quotes and escapes included: for quoting a value in an error. */
    public static String quote(String s) {
        return JsonParser.quote(s);
    }
}
