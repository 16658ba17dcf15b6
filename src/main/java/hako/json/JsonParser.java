package hako.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser for RFC 8259 JSON, strict on purpose: no comments, no trailing commas,
 * no leading zeros, no NaN, no unescaped control characters, no unpaired surrogates and no duplicate
 * keys. A config.json that another runtime would read differently is better refused with a position
 * than guessed at.
 *
 * <p>Plain {@code switch} statements and {@code instanceof} are used rather than pattern switches
 * and lambdas: those are bootstrapped through invokedynamic on first use, which costs start-up time
 * in a command that lives for milliseconds.
 */
final class JsonParser {

    /** Deeper nesting than this is refused rather than risking a StackOverflowError. */
    static final int MAX_DEPTH = 512;

    /**
     * Longer number literals are refused before they are converted: BigDecimal's parse is
     * quadratic in the digits, and no field of any spec needs more than 20 (uint64).
     */
    static final int MAX_NUMBER_LENGTH = 100;

    /**
     * Exponents beyond this are refused: 1e999999999 parses as a small BigDecimal, but anything
     * that turns it into digits (toBigInteger, toPlainString) would build a billion of them. A
     * float64, the widest number Go's decoder gives any field, ends near 1e308.
     */
    static final int MAX_EXPONENT = 400;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final String text;
    private final int length;
    private int pos;
    private int depth;

    private JsonParser(String text) {
        this.text = text;
        this.length = text.length();
    }

    static Object parse(String text) {
        JsonParser parser = new JsonParser(text);
        // RFC 8259 §8.1: a parser MAY ignore a byte order mark; editors on some systems add one.
        if (parser.length > 0 && text.charAt(0) == BYTE_ORDER_MARK) {
            parser.pos = 1;
        }
        parser.skipWhitespace();
        Object value = parser.readValue();
        parser.skipWhitespace();
        if (parser.pos < parser.length) {
            throw parser.error(parser.pos, "unexpected " + parser.describe(parser.pos) + " after the JSON value");
        }
        return value;
    }

    private Object readValue() {
        if (pos >= length) {
            throw error(pos, "expected a JSON value, but the input ended");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return readObject();
            case '[':
                return readArray();
            case '"':
                return readString();
            case 't':
                return readLiteral("true", Boolean.TRUE);
            case 'f':
                return readLiteral("false", Boolean.FALSE);
            case 'n':
                return readLiteral("null", null);
            case '-': case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                return readNumber();
            case '/':
                throw error(pos, "comments are not allowed in JSON");
            default:
                throw error(pos, "expected a JSON value, got " + describe(pos));
        }
    }

    private Map<String, Object> readObject() {
        enterNesting();
        pos++; // '{'
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (pos < length && text.charAt(pos) == '}') {
            pos++;
            depth--;
            return object;
        }
        boolean afterComma = false;
        while (true) {
            if (pos >= length || text.charAt(pos) != '"') {
                throw error(pos, missingKeyReason(afterComma));
            }
            int keyStart = pos;
            String key = readString();
            if (object.containsKey(key)) {
                throw error(keyStart, "duplicate key " + quote(key));
            }
            skipWhitespace();
            if (pos >= length || text.charAt(pos) != ':') {
                throw error(pos, withEnd("expected ':' after an object key"));
            }
            pos++;
            skipWhitespace();
            object.put(key, readValue());
            skipWhitespace();
            if (pos < length) {
                char c = text.charAt(pos);
                if (c == ',') {
                    pos++;
                    skipWhitespace();
                    afterComma = true;
                    continue;
                }
                if (c == '}') {
                    pos++;
                    depth--;
                    return object;
                }
            }
            throw error(pos, withEnd("expected ',' or '}'"));
        }
    }

    private String missingKeyReason(boolean afterComma) {
        if (pos < length && afterComma && text.charAt(pos) == '}') {
            return "expected a string key after ',' (trailing commas are not allowed)";
        }
        if (pos < length && text.charAt(pos) == '/') {
            return "comments are not allowed in JSON";
        }
        if (pos < length) {
            return (afterComma ? "expected a string key" : "expected a string key or '}'")
                    + ", got " + describe(pos);
        }
        return withEnd(afterComma ? "expected a string key" : "expected a string key or '}'");
    }

    private List<Object> readArray() {
        enterNesting();
        pos++; // '['
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (pos < length && text.charAt(pos) == ']') {
            pos++;
            depth--;
            return array;
        }
        while (true) {
            array.add(readValue());
            skipWhitespace();
            if (pos < length) {
                char c = text.charAt(pos);
                if (c == ',') {
                    pos++;
                    skipWhitespace();
                    if (pos < length && text.charAt(pos) == ']') {
                        throw error(pos, "expected a value after ',' (trailing commas are not allowed)");
                    }
                    continue;
                }
                if (c == ']') {
                    pos++;
                    depth--;
                    return array;
                }
            }
            throw error(pos, withEnd("expected ',' or ']'"));
        }
    }

    private void enterNesting() {
        if (++depth > MAX_DEPTH) {
            throw error(pos, "nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Reads a string starting at the opening quote; the common case has no escapes and is one substring. */
    private String readString() {
        int quote = pos;
        int i = pos + 1;
        while (i < length) {
            char c = text.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return text.substring(quote + 1, i);
            }
            if (c == '\\') {
                return readEscapedString(quote, i);
            }
            i = checkPlainChar(c, i);
        }
        throw error(quote, "unterminated string");
    }

    /** Continues a string from its first backslash, building it char by char. */
    private String readEscapedString(int quote, int firstEscape) {
        StringBuilder value = new StringBuilder(firstEscape - quote + 16);
        value.append(text, quote + 1, firstEscape);
        int i = firstEscape;
        while (i < length) {
            char c = text.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return value.toString();
            }
            if (c != '\\') {
                int next = checkPlainChar(c, i);
                value.append(text, i, next);
                i = next;
                continue;
            }
            if (i + 1 >= length) {
                break;
            }
            char escaped = text.charAt(i + 1);
            switch (escaped) {
                case '"': value.append('"'); i += 2; break;
                case '\\': value.append('\\'); i += 2; break;
                case '/': value.append('/'); i += 2; break;
                case 'b': value.append('\b'); i += 2; break;
                case 'f': value.append('\f'); i += 2; break;
                case 'n': value.append('\n'); i += 2; break;
                case 'r': value.append('\r'); i += 2; break;
                case 't': value.append('\t'); i += 2; break;
                case 'u': i = readUnicodeEscape(i, value); break;
                default:
                    throw error(i, "invalid escape '\\" + printable(escaped)
                            + "' (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
        }
        throw error(quote, "unterminated string");
    }

    /**
     * Checks one unescaped character inside a string and returns the index after it (after both
     * halves of a surrogate pair).
     */
    private int checkPlainChar(char c, int i) {
        if (c < 0x20) {
            throw error(i, "control character " + codePoint(c) + " in a string must be escaped");
        }
        if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                return i + 2;
            }
            throw error(i, "unpaired surrogate " + codePoint(c) + " in a string");
        }
        return i + 1;
    }

    /** Reads {@code \}{@code uXXXX} at {@code i} (and its low-surrogate partner if needed); returns the next index. */
    private int readUnicodeEscape(int i, StringBuilder value) {
        char unit = hex4(i);
        if (Character.isHighSurrogate(unit)) {
            if (text.startsWith("\\u", i + 6)) {
                char low = hex4(i + 6);
                if (Character.isLowSurrogate(low)) {
                    value.append(unit).append(low);
                    return i + 12;
                }
            }
            throw error(i, "unpaired surrogate \\u" + hexDigits(unit) + " (a high surrogate must be followed by a \\u escape of a low surrogate)");
        }
        if (Character.isLowSurrogate(unit)) {
            throw error(i, "unpaired surrogate \\u" + hexDigits(unit) + " (a low surrogate must follow a high surrogate)");
        }
        value.append(unit);
        return i + 6;
    }

    /** The code unit of the four hex digits after the backslash-u at {@code i}. */
    private char hex4(int i) {
        if (i + 6 > length) {
            throw error(i, "invalid \\u escape: expected 4 hex digits");
        }
        int unit = 0;
        for (int k = i + 2; k < i + 6; k++) {
            int digit = hexValue(text.charAt(k));
            if (digit < 0) {
                throw error(i, "invalid \\u escape: expected 4 hex digits");
            }
            unit = (unit << 4) | digit;
        }
        return (char) unit;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private Object readLiteral(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error(pos, "invalid literal, expected " + word);
        }
        pos += word.length();
        return value;
    }

    /** Reads a number following the RFC 8259 grammar exactly: {@code -? (0|[1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?}. */
    private Object readNumber() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
            if (pos >= length || !isDigit(text.charAt(pos))) {
                throw error(pos, withEnd("expected a digit after '-'"));
            }
        }
        if (text.charAt(pos) == '0') {
            pos++;
            if (pos < length && isDigit(text.charAt(pos))) {
                throw error(start, "numbers must not have leading zeros");
            }
        } else {
            skipDigits();
        }
        boolean integral = true;
        if (pos < length && text.charAt(pos) == '.') {
            pos++;
            if (pos >= length || !isDigit(text.charAt(pos))) {
                throw error(pos, withEnd("expected a digit after the decimal point"));
            }
            skipDigits();
            integral = false;
        }
        if (pos < length && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < length && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= length || !isDigit(text.charAt(pos))) {
                throw error(pos, withEnd("expected a digit in the exponent"));
            }
            int exponentStart = pos;
            skipDigits();
            integral = false;
            checkExponent(start, exponentStart);
        }
        if (pos - start > MAX_NUMBER_LENGTH) {
            throw error(start, "number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        // 18 digits always fit in a long; the sign is not a digit.
        int digits = pos - start - (text.charAt(start) == '-' ? 1 : 0);
        if (integral && digits <= 18) {
            return Long.parseLong(text, start, pos, 10);
        }
        BigDecimal number;
        try {
            number = new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(start, "number out of range");
        }
        if (integral && number.unscaledValue().bitLength() < 64) {
            return number.longValueExact();
        }
        return number;
    }

    /** The exponent's digits (sign before exponentStart) must stay within MAX_EXPONENT. */
    private void checkExponent(int start, int exponentStart) {
        int i = exponentStart;
        while (i < pos - 1 && text.charAt(i) == '0') i++; // leading zeros are allowed in an exponent
        if (pos - i > 3 || Integer.parseInt(text, i, pos, 10) > MAX_EXPONENT) {
            throw error(start, "number out of range: an exponent beyond " + MAX_EXPONENT);
        }
    }

    private void skipDigits() {
        while (pos < length && isDigit(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < length) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** Adds "but the input ended" when the problem is that there is nothing more to read. */
    private String withEnd(String expected) {
        if (pos >= length) {
            return expected + ", but the input ended";
        }
        return expected + ", got " + describe(pos);
    }

    /** The character at {@code i} as a person reads it: {@code 'x'}, or U+XXXX when it is invisible. */
    private String describe(int i) {
        if (i >= length) {
            return "end of input";
        }
        int cp = text.codePointAt(i);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0xD800 && cp <= 0xDFFF)
                || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || cp == BYTE_ORDER_MARK) {
            return codePoint(cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    private static String printable(char c) {
        return (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) ? codePoint(c) : String.valueOf(c);
    }

    private static String codePoint(int cp) {
        return "U+" + hexDigits(cp);
    }

    private static String hexDigits(int value) {
        String hex = Integer.toHexString(value).toUpperCase(java.util.Locale.ROOT);
        return "0000".substring(Math.min(4, hex.length())) + hex;
    }

    static String quote(String s) {
        return JsonWriter.write(s, false);
    }

    private JsonException error(int at, String reason) {
        return errorAt(text, at, reason);
    }

    /** Turns an index into the text into a line and column (only computed when there is an error). */
    static JsonException errorAt(String text, int at, String reason) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(at, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = text.codePointCount(lineStart, end) + 1;
        if (lineStart == 0 && end > 0 && text.charAt(0) == BYTE_ORDER_MARK) {
            column--; // an editor does not show the byte order mark
        }
        return new JsonException(line, column, reason);
    }
}
