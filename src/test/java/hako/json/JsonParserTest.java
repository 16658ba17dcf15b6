package hako.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonParserTest {

    // ------------------------------------------------------------ values

    @Test
    void parsesEveryKindOfValue() {
        Object value = Json.parse("{\"s\": \"x\", \"n\": 42, \"d\": 1.5, \"t\": true, \"f\": false,"
                + " \"z\": null, \"a\": [1, \"two\", [], {}], \"o\": {\"k\": \"v\"}}");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "x");
        expected.put("n", 42L);
        expected.put("d", new BigDecimal("1.5"));
        expected.put("t", true);
        expected.put("f", false);
        expected.put("z", null);
        expected.put("a", Arrays.asList(1L, "two", List.of(), Map.of()));
        expected.put("o", Map.of("k", "v"));
        assertEquals(expected, value);
    }

    @Test
    void objectsKeepTheOrderOfTheText() {
        Map<?, ?> object = (Map<?, ?>) Json.parse("{\"zebra\": 1, \"apple\": 2, \"mango\": 3, \"banana\": 4}");
        assertInstanceOf(LinkedHashMap.class, object);
        assertEquals(List.of("zebra", "apple", "mango", "banana"), new ArrayList<>(object.keySet()));
    }

    @Test
    void nullIsJavaNullAndDistinguishableFromAbsent() {
        Map<?, ?> object = (Map<?, ?>) Json.parse("{\"present\": null}");
        assertTrue(object.containsKey("present"));
        assertNull(object.get("present"));
        assertEquals(1, object.size());
    }

    @Test
    void scalarsAtTheTopLevelAreValidJson() {
        assertEquals("hi", Json.parse("\"hi\""));
        assertEquals(7L, Json.parse(" 7 "));
        assertEquals(true, Json.parse("true"));
        assertNull(Json.parse("null"));
    }

    @Test
    void allowsTheFourWhitespaceCharactersEverywhere() {
        assertEquals(List.of(1L, 2L), Json.parse("\t\r\n [ \t1\r\n,\n2 ]\r\n\t "));
    }

    @Test
    void ignoresALeadingByteOrderMark() {
        assertEquals(Map.of("a", 1L), Json.parse("\uFEFF{\"a\": 1}"));
    }

    // ------------------------------------------------------------ strings

    @Test
    void decodesEveryEscape() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
    }

    @Test
    void decodesUnicodeEscapes() {
        assertEquals("A\u00e9\u4e2d\u0000", Json.parse("\"\\u0041\\u00E9\\u4e2d\\u0000\""));
    }

    @Test
    void decodesASurrogatePairEscapeIntoOneCodePoint() {
        String value = (String) Json.parse("\"\\ud83d\\ude00\"");
        assertEquals("\uD83D\uDE00", value);
        assertEquals(1, value.codePointCount(0, value.length()));
        assertEquals(0x1F600, value.codePointAt(0));
    }

    @Test
    void keepsUnescapedNonAsciiText() {
        assertEquals("箱 😀 é", Json.parse("\"箱 😀 é\""));
        assertEquals("箱 😀 é", Json.parse("\"箱 😀 é\"".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mixesEscapedAndPlainText() {
        assertEquals("path=/a b\tc\"d\"", Json.parse("\"path=/a b\\tc\\\"d\\\"\""));
    }

    // ------------------------------------------------------------ numbers

    @Test
    void integersThatFitAreLongs() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(-17L, Json.parse("-17"));
        assertEquals(999_999_999_999_999_999L, Json.parse("999999999999999999"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
    }

    @Test
    void integersTooLargeForALongAreExactBigDecimalsWithScaleZero() {
        Object beyondLong = Json.parse("9223372036854775808");
        assertEquals(new BigDecimal("9223372036854775808"), beyondLong);
        Object uint64Max = Json.parse("18446744073709551615");
        assertEquals(new BigDecimal("18446744073709551615"), uint64Max);
        assertEquals(0, ((BigDecimal) uint64Max).scale());
        assertEquals(new BigDecimal("-9223372036854775809"), Json.parse("-9223372036854775809"));
    }

    @Test
    void fractionsAndExponentsAreExactBigDecimals() {
        assertEquals(new BigDecimal("1.5"), Json.parse("1.5"));
        assertEquals(new BigDecimal("-0.0"), Json.parse("-0.0"));
        assertEquals(new BigDecimal("1e3"), Json.parse("1e3"));
        assertEquals(new BigDecimal("1E+3"), Json.parse("1E+3"));
        assertEquals(new BigDecimal("2.5e-3"), Json.parse("2.5e-3"));
        // Exact, where a double would round.
        assertEquals(new BigDecimal("0.1000000000000000000000001"), Json.parse("0.1000000000000000000000001"));
    }

    @Test
    void anExponentBeyondWhatCanBeRepresentedIsAnError() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1e99999999999]"));
        assertEquals("line 1, column 2: number out of range: an exponent beyond 400", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-01", "00", "1.", ".5", "-", "1e", "1e+", "+1", "1.e3", "0x10", "NaN",
        "Infinity", "-Infinity", "1_000", "- 1"})
    void refusesNumbersOutsideTheJsonGrammar(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    // ------------------------------------------------------------ errors and their positions

    @ParameterizedTest(name = "[{index}] {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        # input (\\n is a newline)          | line | column | reason
        ``                                  | 1    | 1      | expected a JSON value, but the input ended
        `   `                               | 1    | 4      | expected a JSON value, but the input ended
        `{`                                 | 1    | 2      | expected a string key or '}', but the input ended
        `{"a" 1}`                           | 1    | 6      | expected ':' after an object key, got '1'
        `{"a": 1 "b": 2}`                   | 1    | 9      | expected ',' or '}', got '"'
        `{"a": 1,}`                         | 1    | 9      | expected a string key after ',' (trailing commas are not allowed)
        `{a: 1}`                            | 1    | 2      | expected a string key or '}', got 'a'
        `{"a": 1, 2}`                       | 1    | 10     | expected a string key, got '2'
        `[1, 2,]`                           | 1    | 7      | expected a value after ',' (trailing commas are not allowed)
        `[1 2]`                             | 1    | 4      | expected ',' or ']', got '2'
        `[1,`                               | 1    | 4      | expected a JSON value, but the input ended
        `[`                                 | 1    | 2      | expected a JSON value, but the input ended
        `]`                                 | 1    | 1      | expected a JSON value, got ']'
        `{"a": tru}`                        | 1    | 7      | invalid literal, expected true
        `{"a": True}`                       | 1    | 7      | expected a JSON value, got 'T'
        `nul`                               | 1    | 1      | invalid literal, expected null
        `{"a": 'x'}`                        | 1    | 7      | expected a JSON value, got '''
        `{"a": 1} x`                        | 1    | 10     | unexpected 'x' after the JSON value
        `{} {}`                             | 1    | 4      | unexpected '{' after the JSON value
        `// hi\\n{}`                        | 1    | 1      | comments are not allowed in JSON
        `{"a": 1, /* c */ "b": 2}`          | 1    | 10     | comments are not allowed in JSON
        `"abc`                              | 1    | 1      | unterminated string
        `"ab\\`                             | 1    | 1      | unterminated string
        `"a\\qb"`                           | 1    | 3      | invalid escape '\\q' (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)
        `"\\u12G4"`                         | 1    | 2      | invalid \\u escape: expected 4 hex digits
        `"\\u12"`                           | 1    | 2      | invalid \\u escape: expected 4 hex digits
        `"\\uDC00"`                         | 1    | 2      | unpaired surrogate \\uDC00 (a low surrogate must follow a high surrogate)
        `"\\uD800x"`                        | 1    | 2      | unpaired surrogate \\uD800 (a high surrogate must be followed by a \\u escape of a low surrogate)
        `"\\uD800\\u0041"`                  | 1    | 2      | unpaired surrogate \\uD800 (a high surrogate must be followed by a \\u escape of a low surrogate)
        `{"a": 1, "a": 2}`                  | 1    | 10     | duplicate key "a"
        `01`                                | 1    | 1      | numbers must not have leading zeros
        `-x`                                | 1    | 2      | expected a digit after '-', got 'x'
        `1.x`                               | 1    | 3      | expected a digit after the decimal point, got 'x'
        `1e`                                | 1    | 3      | expected a digit in the exponent, but the input ended
        `{\\n  "a": 1,\\n  "b" 2\\n}`       | 3    | 7      | expected ':' after an object key, got '2'
        `[\\n  1,\\n  2\\n  3\\n]`          | 4    | 3      | expected ',' or ']', got '3'
        `\\n\\n\\n`                         | 4    | 1      | expected a JSON value, but the input ended
        `{\\n"ok": true,\\n"x": [1,\\n`     | 4    | 1      | expected a JSON value, but the input ended
        """)
    void reportsWhereAndWhatIsWrong(String input, int line, int column, String reason) {
        String text = input.replace("\\n", "\n");
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertEquals(reason, e.reason());
        assertEquals(line, e.line(), "line");
        assertEquals(column, e.column(), "column");
        assertEquals("line " + line + ", column " + column + ": " + e.reason(), e.getMessage());
    }

    @Test
    void columnsCountCharactersNotBytesOrUtf16Units() {
        // "😀" is 4 bytes in UTF-8 and 2 UTF-16 units, but one column in an editor.
        JsonException e = assertThrows(JsonException.class,
                () -> Json.parse("{\"😀é\": 1 2}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, e.line());
        assertEquals(10, e.column());
    }

    @Test
    void theByteOrderMarkIsNotAColumn() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\uFEFF[1 2]"));
        assertEquals(4, e.column());
    }

    @Test
    void unescapedControlCharactersInStringsAreRefused() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[\"a\nb\"]"));
        assertEquals("line 1, column 4: control character U+000A in a string must be escaped", e.getMessage());
        JsonException tab = assertThrows(JsonException.class, () -> Json.parse("\"a\tb\""));
        assertEquals("control character U+0009 in a string must be escaped", tab.reason());
    }

    @Test
    void whitespaceOtherThanTheFourJsonOnesIsRefused() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1,\u00a02]"));
        assertEquals("expected a JSON value, got U+00A0", e.reason());
        assertThrows(JsonException.class, () -> Json.parse("[1,\f2]"));
    }

    @Test
    void anUnpairedSurrogateInTheTextItselfIsRefused() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"a\uD800b\""));
        assertEquals("line 1, column 3: unpaired surrogate U+D800 in a string", e.getMessage());
    }

    @Test
    void invalidUtf8IsAnErrorWithAPosition() {
        byte[] bytes = {'{', '\n', '"', 'a', '"', ':', ' ', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(bytes));
        assertEquals(2, e.line());
        assertEquals(7, e.column());
        assertEquals("invalid UTF-8 (byte 0xc3); JSON text must be UTF-8", e.reason());
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackRunsOut() {
        String deep = "[".repeat(JsonParser.MAX_DEPTH + 1) + "]".repeat(JsonParser.MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertEquals("nested deeper than 512 levels", e.reason());
        assertEquals(JsonParser.MAX_DEPTH + 1, e.column());

        String deepest = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertInstanceOf(List.class, Json.parse(deepest));
    }

    @Test
    void duplicateKeysAreCheckedPerObject() {
        assertEquals(Map.of("a", Map.of("a", 1L)), Json.parse("{\"a\": {\"a\": 1}}"));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\"a\": null, \"a\": null}"));
        assertEquals("duplicate key \"a\"", e.reason());
    }
}
