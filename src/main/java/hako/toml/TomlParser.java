package hako.toml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A recursive-descent reader of {@link Toml}'s subset, line by line: after a header or a key's
 * value only a comment may follow on its line. Tables keep TOML's rules: a table is defined once
 * (by its header, or by the dotted keys that made it), a key is set once, and {@code [[a.b]]}
 * adds to the array of tables {@code a.b} and nothing else.
 */
final class TomlParser {
    private final String text;
    private final String source;
    private int pos;
    private int line = 1;
    private final TomlTable root;
    private TomlTable current;
    /** Tables a [header] defined: a second header for one is an error. */
    private final Set<TomlTable> headed = identitySet();
    /** Tables dotted keys made: no header may define them afterwards, and only dotted keys add to them. */
    private final Set<TomlTable> dotted = identitySet();
    /** The lists [[headers]] made: the only arrays a [[header]] appends to. */
    private final Set<List<Object>> tableArrays = identitySet();

    TomlParser(String text, String source) {
        this.text = text;
        this.source = source;
        this.root = new TomlTable(source, "", 0);
        this.current = root;
        if (text.startsWith("\uFEFF")) pos = 1;
    }

    TomlTable parse() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t') {
                pos++;
            } else if (c == '\n' || c == '\r') {
                newline();
            } else if (c == '#') {
                comment();
            } else {
                if (c == '[') header();
                else keyValue();
                endOfLine();
            }
        }
        return root;
    }

    // ---- lines ----

    private void newline() {
        if (text.charAt(pos) == '\r' && (pos + 1 >= text.length() || text.charAt(pos + 1) != '\n')) {
            throw fail("a carriage return without a line feed");
        }
        pos += text.charAt(pos) == '\r' ? 2 : 1;
        line++;
    }

    private void comment() {
        while (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') pos++;
    }

    private void spaces() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) pos++;
    }

    private void endOfLine() {
        spaces();
        if (pos < text.length() && text.charAt(pos) == '#') comment();
        if (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
            throw fail("expected the end of the line, found " + here());
        }
    }

    // ---- tables ----

    private void header() {
        int at = line;
        pos++;
        boolean array = pos < text.length() && text.charAt(pos) == '[';
        if (array) pos++;
        spaces();
        List<String> keys = key();
        spaces();
        String name = String.join(".", keys);
        if (!take(']') || (array && !take(']'))) {
            throw fail("expected '" + (array ? "]]" : "]") + "' to close the header [" + (array ? "[" : "") + name + ", found " + here());
        }
        TomlTable parent = root;
        for (int i = 0; i < keys.size() - 1; i++) parent = descend(parent, keys.get(i), String.join(".", keys.subList(0, i + 1)), at);
        String last = keys.getLast();
        Object existing = parent.get(last);
        TomlTable table;
        if (array) {
            List<Object> list = existing == null ? newTableArray(parent, last, at) : tableArray(existing);
            if (list == null) throw fail("[[" + name + "]]: " + name + " is already " + TomlTable.kind(existing) + " (line " + parent.line(last) + ")");
            table = new TomlTable(source, name, at);
            list.add(table);
        } else if (existing == null) {
            table = new TomlTable(source, name, at);
            parent.put(last, table, at);
        } else if (existing instanceof TomlTable implicit && !headed.contains(implicit) && !dotted.contains(implicit)) {
            table = implicit; // made by a header below it ([a.b] before [a]): defined only now
        } else {
            throw fail("[" + name + "] is defined twice (first on line " + parent.line(last) + ")");
        }
        headed.add(table);
        current = table;
    }

    private List<Object> newTableArray(TomlTable parent, String key, int at) {
        List<Object> list = new ArrayList<>();
        tableArrays.add(list);
        parent.put(key, list, at);
        return list;
    }

    @SuppressWarnings("unchecked")
    private List<Object> tableArray(Object value) {
        return value instanceof List<?> list && tableArrays.contains(list) ? (List<Object>) list : null;
    }

    /** The table a header's key names below {@code parent}: made when absent, the last one of an array of tables. */
    private TomlTable descend(TomlTable parent, String key, String name, int at) {
        Object existing = parent.get(key);
        if (existing == null) {
            TomlTable table = new TomlTable(source, name, at);
            parent.put(key, table, at);
            return table;
        }
        if (existing instanceof TomlTable table) return table;
        List<Object> array = tableArray(existing);
        if (array != null) return (TomlTable) array.getLast();
        throw fail(name + " is " + TomlTable.kind(existing) + " (line " + parent.line(key) + "), not a table");
    }

    // ---- keys and values ----

    private void keyValue() {
        int at = line;
        List<String> keys = key();
        String name = String.join(".", keys);
        spaces();
        if (!take('=')) throw fail("expected '=' after the key \"" + name + "\", found " + here());
        spaces();
        Object value = value();
        TomlTable table = current;
        for (int i = 0; i < keys.size() - 1; i++) {
            String key = keys.get(i);
            Object existing = table.get(key);
            String prefix = qualified(String.join(".", keys.subList(0, i + 1)));
            if (existing == null) {
                TomlTable made = new TomlTable(source, prefix, at);
                dotted.add(made);
                table.put(key, made, at);
                table = made;
            } else if (existing instanceof TomlTable made && dotted.contains(made)) {
                table = made;
            } else {
                throw fail(prefix + " is " + TomlTable.kind(existing) + " defined on line " + table.line(key) + ": dotted keys cannot add to it");
            }
        }
        String last = keys.getLast();
        if (table.has(last)) throw fail("the key \"" + qualified(name) + "\" is set twice (first on line " + table.line(last) + ")");
        table.put(last, value, at);
    }

    private String qualified(String name) {
        return current.name().isEmpty() ? name : current.name() + "." + name;
    }

    /** A key: bare, "quoted" or 'literal' parts joined by dots. */
    private List<String> key() {
        List<String> keys = new ArrayList<>();
        while (true) {
            keys.add(simpleKey());
            spaces();
            if (!take('.')) return keys;
            spaces();
        }
    }

    private String simpleKey() {
        if (pos < text.length() && text.charAt(pos) == '"') return basicString();
        if (pos < text.length() && text.charAt(pos) == '\'') return literalString();
        int start = pos;
        while (pos < text.length() && bare(text.charAt(pos))) pos++;
        if (pos == start) throw fail("expected a key, found " + here());
        return text.substring(start, pos);
    }

    private static boolean bare(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    private Object value() {
        if (pos >= text.length()) throw fail("expected a value, found the end of the file");
        char c = text.charAt(pos);
        return switch (c) {
            case '"' -> {
                if (text.startsWith("\"\"\"", pos)) throw unsupported("multi-line strings (\"\"\")");
                yield basicString();
            }
            case '\'' -> {
                if (text.startsWith("'''", pos)) throw unsupported("multi-line strings (''')");
                yield literalString();
            }
            case '[' -> array();
            case '{' -> throw unsupported("inline tables ({ … })");
            case 't', 'f' -> bool();
            default -> {
                if (c >= '0' && c <= '9' || c == '+' || c == '-' || text.startsWith("inf", pos) || text.startsWith("nan", pos)) {
                    throw unsupported("numbers and dates");
                }
                throw fail("expected a value (a \"string\", true, false or an [array]), found " + here());
            }
        };
    }

    private Boolean bool() {
        for (String word : List.of("true", "false")) {
            int end = pos + word.length();
            if (text.startsWith(word, pos) && (end >= text.length() || !bare(text.charAt(end)))) {
                pos = end;
                return word.equals("true");
            }
        }
        throw fail("expected a value (a \"string\", true, false or an [array]), found " + here());
    }

    private List<Object> array() {
        int at = line;
        pos++;
        List<Object> items = new ArrayList<>();
        while (true) {
            blanksInArray(at);
            if (take(']')) return Collections.unmodifiableList(items);
            items.add(value());
            blanksInArray(at);
            if (take(']')) return Collections.unmodifiableList(items);
            if (!take(',')) throw fail("expected ',' or ']' in the array, found " + here());
        }
    }

    /** Between an array's values: spaces, line breaks and comments. */
    private void blanksInArray(int opened) {
        while (true) {
            if (pos >= text.length()) throw fail("the array opened on line " + opened + " is not closed with ']'");
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t') pos++;
            else if (c == '\n' || c == '\r') newline();
            else if (c == '#') comment();
            else return;
        }
    }

    private String basicString() {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '\r') {
                throw fail("the string is not closed with '\"' on its line");
            }
            char c = text.charAt(pos++);
            if (c == '"') return out.toString();
            if (c == '\\') escape(out);
            else if (c < 0x20 && c != '\t' || c == 0x7f) throw fail("a control character (U+" + hex4(c) + ") in a string: write it as \\u" + hex4(c));
            else out.append(c);
        }
    }

    private void escape(StringBuilder out) {
        if (pos >= text.length()) throw fail("the string is not closed with '\"' on its line");
        char c = text.charAt(pos++);
        switch (c) {
            case 'b' -> out.append('\b');
            case 't' -> out.append('\t');
            case 'n' -> out.append('\n');
            case 'f' -> out.append('\f');
            case 'r' -> out.append('\r');
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case 'u' -> out.appendCodePoint(codePoint(4));
            case 'U' -> out.appendCodePoint(codePoint(8));
            default -> throw fail("\\" + c + " is not an escape of TOML (\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
        }
    }

    private int codePoint(int digits) {
        if (pos + digits > text.length()) throw fail("\\" + (digits == 4 ? "u" : "U") + " takes " + digits + " hex digits");
        String hex = text.substring(pos, pos + digits);
        int value;
        try {
            value = hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0) ? (int) Long.parseLong(hex, 16) : -1;
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > 0x10FFFF || value >= 0xD800 && value <= 0xDFFF) {
            throw fail("\\" + (digits == 4 ? "u" : "U") + hex + " is not a Unicode scalar value");
        }
        pos += digits;
        return value;
    }

    private String literalString() {
        pos++;
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != '\'') {
            if (text.charAt(pos) == '\n' || text.charAt(pos) == '\r') break;
            pos++;
        }
        if (pos >= text.length() || text.charAt(pos) != '\'') throw fail("the string is not closed with \"'\" on its line");
        return text.substring(start, pos++);
    }

    // ---- errors ----

    private boolean take(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private String here() {
        if (pos >= text.length()) return "the end of the file";
        char c = text.charAt(pos);
        if (c == '\n' || c == '\r') return "the end of the line";
        return c < 0x20 || c == 0x7f ? "U+" + hex4(c) : "'" + Character.toString(text.codePointAt(pos)) + "'";
    }

    private static String hex4(char c) {
        return String.format(java.util.Locale.ROOT, "%04X", (int) c);
    }

    private TomlException unsupported(String what) {
        return fail(what + " are not read by hako's TOML reader (only strings, true/false, arrays and tables)");
    }

    private TomlException fail(String reason) {
        return new TomlException(source, line, reason);
    }

    private static <T> Set<T> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
