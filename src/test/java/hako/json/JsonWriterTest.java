package hako.json;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonWriterTest {

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    @Test
    void writesCompactJsonInMapOrder() {
        Map<String, Object> value = object(
                "z", 1L, "a", Arrays.asList("x", null, true, false), "m", object(), "e", List.of(),
                "d", new BigDecimal("-2.50"));
        assertEquals("{\"z\":1,\"a\":[\"x\",null,true,false],\"m\":{},\"e\":[],\"d\":-2.50}", Json.write(value));
    }

    @Test
    void writesPrettyJsonWithTwoSpaceIndent() {
        Map<String, Object> value = object(
                "ociVersion", "1.2.0",
                "process", object("args", List.of("sh", "-c"), "env", List.of(), "user", object("uid", 0L)),
                "empty", object());
        String expected = """
                {
                  "ociVersion": "1.2.0",
                  "process": {
                    "args": [
                      "sh",
                      "-c"
                    ],
                    "env": [],
                    "user": {
                      "uid": 0
                    }
                  },
                  "empty": {}
                }""";
        assertEquals(expected, Json.writePretty(value));
    }

    @Test
    void writesScalarsAtTheTopLevel() {
        assertEquals("null", Json.write(null));
        assertEquals("\"x\"", Json.writePretty("x"));
        assertEquals("true", Json.write(true));
        assertEquals("-9223372036854775808", Json.write(Long.MIN_VALUE));
    }

    @Test
    void escapesWhatJsonRequiresAndNothingElse() {
        assertEquals("\"q\\\" b\\\\ s/ n\\n t\\t r\\r b\\b f\\f nul\\u0000 us\\u001f del\u007f é 😀\"",
                Json.write("q\" b\\ s/ n\n t\t r\r b\b f\f nul\u0000 us\u001f del\u007f é 😀"));
    }

    @Test
    void writesEveryJavaNumberTypeItAccepts() {
        assertEquals("[1,2,3,4,18446744073709551615,1.5,0.25,1E+3]", Json.write(List.of(
                1, (short) 2, (byte) 3, 4L, new BigInteger("18446744073709551615"), 1.5d, 0.25f,
                new BigDecimal("1E+3"))));
    }

    @Test
    void refusesWhatCannotBeReadBackEqual() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "x")));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.write("half \uD800 pair"));
        assertThrows(IllegalArgumentException.class, () -> Json.write("\uDC00"));
    }

    @Test
    void refusesAValueThatContainsItself() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
    }

    @Test
    void roundTripsEveryKindOfValue() {
        Map<String, Object> value = object(
                "string", "tab\there \"quoted\" \\ 箱 😀 \u0001",
                "long", Long.MAX_VALUE,
                "negative", -42L,
                "huge", new BigDecimal("18446744073709551615"),
                "fraction", new BigDecimal("-0.000001"),
                "exponent", new BigDecimal("6.02E+23"),
                "bool", true,
                "nothing", null,
                "list", Arrays.asList(1L, "two", null, List.of(), object()),
                "nested", object("a", object("b", object("c", List.of(List.of(List.of("deep")))))),
                "", "empty key");
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value)));
    }

    @Test
    void roundTripsTextThroughParseWriteParse() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/spec/podman-config.json")) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Object tree = Json.parse(text);
        String compact = Json.write(tree);
        assertEquals(tree, Json.parse(compact));
        // Writing is deterministic: what was read back writes the same text again.
        assertEquals(compact, Json.write(Json.parse(compact)));
        assertEquals(Json.writePretty(tree), Json.writePretty(Json.parse(Json.writePretty(tree))));
    }

    @Test
    void acceptsAnyMapAndCollectionImplementation() {
        Map<String, Object> map = new HashMap<>();
        map.put("only", java.util.Set.of("one"));
        assertEquals("{\"only\":[\"one\"]}", Json.write(map));
    }
}
