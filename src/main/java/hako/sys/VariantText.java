package hako.sys;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A D-Bus value from GLib's GVariant text format, the form runc's {@code org.systemd.property.}
 * annotations are written in: {@code uint64 10000000}, {@code 'inactive-or-failed'},
 * {@code true}, {@code ['crio.service']}, {@code @as []}, {@code [('/dev/sda', uint64 1000)]}.
 *
 * <p>What D-Bus can carry is read: booleans, numbers (an untyped integer is an int32, one with
 * a point or an exponent a double, as GVariant has it), strings in either quotes with their
 * escapes, the type keywords ({@code byte}, {@code int16} … {@code double}, {@code string},
 * {@code objectpath}), {@code @TYPE} annotations, arrays and tuples. Dictionaries, variants,
 * maybes and bytestrings are refused by name: no systemd property a container would set needs
 * them.
 */
public final class VariantText {
    private static final Map<String, String> KEYWORDS = Map.ofEntries(
            Map.entry("boolean", "b"), Map.entry("byte", "y"), Map.entry("int16", "n"), Map.entry("uint16", "q"),
            Map.entry("int32", "i"), Map.entry("uint32", "u"), Map.entry("int64", "x"), Map.entry("uint64", "t"),
            Map.entry("double", "d"), Map.entry("string", "s"), Map.entry("objectpath", "o"));

    private final String text;
    private int at;

    private VariantText(String text) {
        this.text = text;
    }

    /** The value {@code text} spells; IllegalArgumentException says where it stops making sense. */
    public static BusValue parse(String text) {
        VariantText parser = new VariantText(text);
        BusValue value = parser.value(null);
        parser.space();
        if (parser.at < text.length()) throw parser.error("unexpected text after the value");
        return value;
    }

    /** One value; {@code type}: the signature it must have, or null when the text decides. */
    private BusValue value(String type) {
        space();
        if (at >= text.length()) throw error("a value is missing");
        int start = at;
        char c = text.charAt(at);
        if (c == '@') {
            at++;
            String annotated = signature();
            if (type != null && !type.equals(annotated)) throw error("@" + annotated + " where " + type + " belongs");
            return value(annotated);
        }
        if (c == '[') return array(type);
        if (c == '(') return tuple(type);
        if (c == '\'' || c == '"') return typed(new BusValue.Str(string()), type, start);
        if (c == '-' || c == '+' || Character.isDigit(c)) return number(type);
        if (c == '{' || c == '<') throw error(c == '{' ? "dictionaries are not supported" : "variants are not supported");
        String word = word();
        if (word.equals("true") || word.equals("false")) return typed(new BusValue.Bool(word.equals("true")), type, start);
        if (word.equals("just") || word.equals("nothing")) throw error("maybes are not supported", start);
        if (word.equals("b") && (peek() == '\'' || peek() == '"')) throw error("bytestrings are not supported", start);
        String keyword = KEYWORDS.get(word);
        if (keyword == null) throw error(word.isEmpty() ? "not a value" : "\"" + word + "\" is not a value", start);
        if (type != null && !type.equals(keyword)) throw error(word + " where " + type + " belongs", start);
        return value(keyword);
    }

    private BusValue array(String type) {
        if (type != null && !type.startsWith("a")) throw error("an array where " + type + " belongs");
        int start = at++; // [
        String element = type == null ? null : type.substring(1);
        List<BusValue> items = new ArrayList<>();
        space();
        if (peek() == ']') {
            at++;
        } else {
            while (true) {
                BusValue item = value(element);
                if (element == null) element = item.signature();
                items.add(item);
                space();
                if (peek() == ',') {
                    at++;
                } else if (peek() == ']') {
                    at++;
                    break;
                } else {
                    throw error("',' or ']' expected");
                }
            }
        }
        if (element == null) throw error("an empty array needs its type, as @as []", start);
        if (element.equals("y")) {
            byte[] bytes = new byte[items.size()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = ((BusValue.Byte) items.get(i)).value();
            return new BusValue.Bytes(bytes);
        }
        return new BusValue.Array(element, items);
    }

    private BusValue tuple(String type) {
        if (type != null && !type.startsWith("(")) throw error("a tuple where " + type + " belongs");
        at++; // (
        List<String> fieldTypes = type == null ? null : fields(type);
        List<BusValue> fields = new ArrayList<>();
        while (true) {
            space();
            if (peek() == ')') {
                at++;
                break;
            }
            if (fieldTypes != null && fields.size() == fieldTypes.size()) throw error("more fields than " + type + " has");
            fields.add(value(fieldTypes == null ? null : fieldTypes.get(fields.size())));
            space();
            if (peek() == ',') {
                at++;
            } else if (peek() != ')') {
                throw error("',' or ')' expected");
            }
        }
        if (fields.isEmpty()) throw error("D-Bus has no empty tuple");
        if (fieldTypes != null && fields.size() != fieldTypes.size()) throw error("fewer fields than " + type + " has");
        return new BusValue.Struct(fields);
    }

    private BusValue number(String type) {
        int start = at;
        if (peek() == '-' || peek() == '+') at++;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '.'
                || ((text.charAt(at) == '-' || text.charAt(at) == '+') && Character.toLowerCase(text.charAt(at - 1)) == 'e'))) at++;
        String literal = text.substring(start, at);
        boolean hex = literal.matches("[-+]?0[xX][0-9a-fA-F]+");
        boolean fraction = !hex && literal.matches("[-+]?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?") && literal.matches(".*[.eE].*");
        if (!hex && !fraction && !literal.matches("[-+]?[0-9]+")) throw error("\"" + literal + "\" is not a number", start);
        String kind = type != null ? type : fraction ? "d" : "i";
        if (kind.equals("d")) return new BusValue.Double(hex ? integer(literal, start).doubleValue() : Double.parseDouble(literal));
        if (fraction) throw error(literal + " is not a whole number, as " + kind + " needs", start);
        BigInteger n = integer(literal, start);
        return switch (kind) {
            case "y" -> new BusValue.Byte((byte) ranged(n, 0, 0xff, literal, start));
            case "n" -> new BusValue.Int16((short) ranged(n, Short.MIN_VALUE, Short.MAX_VALUE, literal, start));
            case "q" -> new BusValue.UInt16((short) ranged(n, 0, 0xffff, literal, start));
            case "i" -> new BusValue.Int32((int) ranged(n, Integer.MIN_VALUE, Integer.MAX_VALUE, literal, start));
            case "u" -> new BusValue.UInt32((int) ranged(n, 0, 0xffff_ffffL, literal, start));
            case "x" -> new BusValue.Int64(ranged(n, Long.MIN_VALUE, Long.MAX_VALUE, literal, start));
            case "t" -> {
                if (n.signum() < 0 || n.bitLength() > 64) throw error(literal + " is out of the range of uint64", start);
                yield new BusValue.UInt64(n.longValue());
            }
            default -> throw error("a number where " + kind + " belongs", start);
        };
    }

    private BigInteger integer(String literal, int start) {
        boolean negative = literal.startsWith("-");
        String digits = literal.replaceFirst("^[-+]", "");
        BigInteger n = digits.toLowerCase().startsWith("0x")
                ? new BigInteger(digits.substring(2), 16) : new BigInteger(digits);
        return negative ? n.negate() : n;
    }

    private long ranged(BigInteger n, long min, long max, String literal, int start) {
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0)
            throw error(literal + " is out of the range of " + min + " to " + max, start);
        return n.longValue();
    }

    /** A string or boolean where {@code type} belongs: a string may be an object path. */
    private BusValue typed(BusValue value, String type, int start) {
        if (type == null || type.equals(value.signature())) return value;
        if (type.equals("o") && value instanceof BusValue.Str(String path)) return new BusValue.ObjectPath(path);
        throw error("a " + (value instanceof BusValue.Str ? "string" : "boolean") + " where " + type + " belongs", start);
    }

    private String string() {
        char quote = text.charAt(at++);
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) throw error("the string has no closing " + quote);
            char c = text.charAt(at++);
            if (c == quote) return out.toString();
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) throw error("the string has no closing " + quote);
            char e = text.charAt(at++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'a' -> out.append('\u0007');
                case 'u', 'U' -> {
                    int length = e == 'u' ? 4 : 8;
                    if (at + length > text.length() || !text.substring(at, at + length).matches("[0-9a-fA-F]+"))
                        throw error("\\" + e + " needs " + length + " hex digits");
                    out.appendCodePoint(Integer.parseInt(text.substring(at, at + length), 16));
                    at += length;
                }
                default -> out.append(e); // \\ \' \" and any other character as itself, as GVariant
            }
        }
    }

    /** A complete D-Bus type after '@': "as", "t", "a(st)". */
    private String signature() {
        int start = at;
        at = completeType(text, at, true);
        return text.substring(start, at);
    }

    /** The end of the complete type that starts at {@code from}. */
    private int completeType(String s, int from, boolean fromText) {
        if (from >= s.length()) throw fromText ? error("a type is missing after @") : new IllegalArgumentException("bad type " + s);
        char c = s.charAt(from);
        if ("bynqiuxtdsog".indexOf(c) >= 0) return from + 1;
        if (c == 'a') return completeType(s, from + 1, fromText);
        if (c == '(') {
            int i = from + 1;
            while (i < s.length() && s.charAt(i) != ')') i = completeType(s, i, fromText);
            if (i >= s.length() || i == from + 1) throw fromText ? error("not a D-Bus type") : new IllegalArgumentException("bad type " + s);
            return i + 1;
        }
        throw fromText ? error("'" + c + "' is not a D-Bus type this reads") : new IllegalArgumentException("bad type " + s);
    }

    /** The field types of a struct type: "(st)" is s and t. */
    private List<String> fields(String type) {
        List<String> fields = new ArrayList<>();
        for (int i = 1; i < type.length() - 1; ) {
            int end = completeType(type, i, false);
            fields.add(type.substring(i, end));
            i = end;
        }
        return fields;
    }

    private String word() {
        int start = at;
        while (at < text.length() && Character.isLetterOrDigit(text.charAt(at))) at++;
        return text.substring(start, at);
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void space() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    private IllegalArgumentException error(String what) {
        return error(what, at);
    }

    private IllegalArgumentException error(String what, int where) {
        return new IllegalArgumentException(what + " (at character " + (where + 1) + " of \"" + text + "\")");
    }
}
