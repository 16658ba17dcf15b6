package hako.toml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TomlTest {
    @TempDir
    Path dir;

    /** A registries.conf as podman's documentation writes one, with everything the reader takes. */
    private static final String REGISTRIES = """
            # comments, blank lines and trailing commas are fine
            unqualified-search-registries = ["registry.fedoraproject.org", 'quay.io',
                "docker.io", # Docker Hub last
            ]
            short-name-mode = "permissive"

            [[registry]]
            prefix = "example.com/foo"
            insecure = false
            blocked = true
            location = "internal-registry-for-example.com/bar"

            [[registry.mirror]]
            location = "example-mirror-0.local/mirror-for-foo"
            [[registry.mirror]]
            location = "example-mirror-1.local/mirrors/foo"
            insecure = true

            [[registry]]
            location = "docker.io"   # a second registry: mirrors below are its own
              [[registry.mirror]]
              location = "mirror.gcr.io"

            [aliases]
            "fedora" = "registry.fedoraproject.org/fedora"
            'a.b' = "keys with dots are quoted"
            """;

    @Test
    void aRegistriesConfReadsAsTablesArraysAndStrings() {
        TomlTable root = Toml.parse(REGISTRIES, "registries.conf");
        assertEquals(List.of("registry.fedoraproject.org", "quay.io", "docker.io"), root.strings("unqualified-search-registries"));
        assertEquals("permissive", root.string("short-name-mode"));
        List<TomlTable> registries = root.tables("registry");
        assertEquals(2, registries.size());
        TomlTable first = registries.getFirst();
        assertEquals("example.com/foo", first.string("prefix"));
        assertEquals(Boolean.TRUE, first.bool("blocked"));
        assertFalse(first.bool("insecure", true));
        assertEquals(8, first.line("prefix"));
        assertEquals(List.of("example-mirror-0.local/mirror-for-foo", "example-mirror-1.local/mirrors/foo"),
                first.tables("mirror").stream().map(m -> m.string("location")).toList());
        assertTrue(first.tables("mirror").get(1).bool("insecure"));
        TomlTable second = registries.get(1);
        assertEquals("docker.io", second.string("location"));
        assertEquals("mirror.gcr.io", second.tables("mirror").getFirst().string("location"));
        assertNull(second.string("prefix"));
        assertEquals(List.of(), second.tables("nothing"));
        TomlTable aliases = root.table("aliases");
        assertEquals("registry.fedoraproject.org/fedora", aliases.string("fedora"));
        assertEquals("keys with dots are quoted", aliases.string("a.b"));
    }

    @Test
    void escapesDottedKeysAndImplicitTables() {
        TomlTable root = Toml.parse("""
                a.b.c = "tab\\there \\"quoted\\" \\u00e9 \\U0001F600 back\\\\slash"
                literal = 'C:\\no\\escapes'
                [x.y]
                z = true
                [x]
                w = [[true, false], ["s"], []]
                """, "t.toml");
        assertEquals("tab\there \"quoted\" é \uD83D\uDE00 back\\slash", root.table("a").table("b").string("c"));
        assertEquals("C:\\no\\escapes", root.string("literal"));
        assertTrue(root.table("x").table("y").bool("z"));
        assertEquals(List.of(List.of(true, false), List.of("s"), List.of()), root.table("x").value("w"));
        assertEquals("a.b", root.table("a").table("b").name());
    }

    @Test
    void crlfLineEndsAndAnEmptyFile() {
        assertEquals("v", Toml.parse("# c\r\nk = \"v\"\r\n", "t").string("k"));
        assertTrue(Toml.parse("", "t").keys().isEmpty());
        assertTrue(Toml.parse("\n  # only a comment\n", "t").keys().isEmpty());
    }

    /** Each malformed input is one line naming the file and the line. */
    @Test
    void malformedInputIsOneLineWithFileAndLine() {
        assertError("f.conf:2: expected '=' after the key \"location\", found '\"'", "[[registry]]\nlocation \"x\"\n");
        assertError("f.conf:1: the string is not closed with '\"' on its line", "k = \"open\nnext = 1\n");
        assertError("f.conf:3: the array opened on line 1 is not closed with ']'", "k = [\"a\",\n\"b\"\n");
        assertError("f.conf:1: expected ',' or ']' in the array, found '\"'", "k = [\"a\" \"b\"]\n");
        assertError("f.conf:2: the key \"k\" is set twice (first on line 1)", "k = true\nk = false\n");
        assertError("f.conf:3: [t] is defined twice (first on line 1)", "[t]\na = true\n[t]\n");
        assertError("f.conf:2: [[t]]: t is already a string (line 1)", "t = \"s\"\n[[t]]\n");
        assertError("f.conf:2: [t] is defined twice (first on line 1)", "[[t]]\n[t]\n");
        assertError("f.conf:1: expected the end of the line, found 'y'", "k = \"x\" y\n");
        assertError("f.conf:1: expected ']' to close the header [t, found the end of the line", "[t\n");
        assertError("f.conf:1: expected a key, found '='", "= \"x\"\n");
        assertError("f.conf:1: numbers and dates are not read by hako's TOML reader (only strings, true/false, arrays and tables)", "n = 3\n");
        assertError("f.conf:1: inline tables ({ … }) are not read by hako's TOML reader (only strings, true/false, arrays and tables)", "t = {a = 1}\n");
        assertError("f.conf:1: multi-line strings (\"\"\") are not read by hako's TOML reader (only strings, true/false, arrays and tables)", "s = \"\"\"x\"\"\"\n");
        assertError("f.conf:1: expected a value (a \"string\", true, false or an [array]), found 'y'", "b = yes\n");
        assertError("f.conf:1: expected a value (a \"string\", true, false or an [array]), found 't'", "b = truely\n");
        assertError("f.conf:1: \\q is not an escape of TOML (\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", "s = \"\\q\"\n");
        assertError("f.conf:1: \\uD800 is not a Unicode scalar value", "s = \"\\uD800\"\n");
        assertError("f.conf:1: a control character (U+0001) in a string: write it as \\u0001", "s = \"\u0001\"\n");
        assertError("f.conf:2: a.b is a string defined on line 1: dotted keys cannot add to it", "a.b = \"s\"\na.b.c = true\n");
        assertError("f.conf:1: a carriage return without a line feed", "k = true\r");
    }

    private static void assertError(String expected, String text) {
        TomlException e = assertThrows(TomlException.class, () -> Toml.parse(text, "f.conf"));
        assertEquals(expected, e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aValueOfTheWrongKindIsRefusedAtItsLine() {
        TomlTable registry = Toml.parse("\n[[registry]]\nlocation = true\nmirror = \"m\"\n", "r.conf").tables("registry").getFirst();
        assertEquals("r.conf:3: registry.location: expected a string, found a boolean",
                assertThrows(TomlException.class, () -> registry.string("location")).getMessage());
        assertEquals("r.conf:4: registry.mirror: expected an array of tables ([[registry.mirror]]), found a string",
                assertThrows(TomlException.class, () -> registry.tables("mirror")).getMessage());
        TomlTable root = Toml.parse("s = [\"a\", true]\n", "r.conf");
        assertEquals("r.conf:1: s: expected an array of strings, found a boolean in it",
                assertThrows(TomlException.class, () -> root.strings("s")).getMessage());
    }

    @Test
    void aFileIsReadAsUtf8AndNamedInItsErrors() throws IOException {
        Path file = Files.writeString(dir.resolve("r.conf"), "k = \"ok\"\nbad\n");
        assertEquals(file + ":2: expected '=' after the key \"bad\", found the end of the line",
                assertThrows(TomlException.class, () -> Toml.read(file)).getMessage());
        Path latin1 = Files.write(dir.resolve("latin1.conf"), new byte[] {'k', '=', '"', (byte) 0xe9, '"', '\n'});
        assertEquals(latin1 + ": not UTF-8 text", assertThrows(TomlException.class, () -> Toml.read(latin1)).getMessage());
        assertEquals(dir.resolve("none") + ": no such file", assertThrows(TomlException.class, () -> Toml.read(dir.resolve("none"))).getMessage());
    }
}
