package hako.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flag forms podman, containerd and people use with runc. */
class ArgsTest {
    static Args runArgs(String... argv) {
        return new Args("run").value("bundle", "b").value("pid-file").flag("detach", "d").parse(List.of(argv));
    }

    @Test
    void longShortSingleDashAndEqualsForms() {
        assertEquals("/x", runArgs("--bundle", "/x", "id").get("bundle"));
        assertEquals("/x", runArgs("--bundle=/x", "id").get("bundle"));
        assertEquals("/x", runArgs("-bundle", "/x", "id").get("bundle"));
        assertEquals("/x", runArgs("-b", "/x", "id").get("bundle"));
        assertEquals("id", runArgs("-b", "/x", "id").one("id"));
    }

    @Test
    void flagsMayFollowTheId() {
        Args args = runArgs("id", "--pid-file", "/p", "-d");
        assertEquals("id", args.one("id"));
        assertEquals("/p", args.get("pid-file"));
        assertTrue(args.has("detach"));
        assertFalse(runArgs("id", "--detach=false").has("detach"));
    }

    @Test
    void globalFlagsStopAtTheCommand() {
        Args globals = new Args(null).value("root").value("log").value("log-format").flag("debug")
                .parse(List.of("--root", "/r", "--log-format=json", "--log", "/l", "create", "--bundle", "b", "id"), 1);
        assertEquals("/r", globals.get("root"));
        assertEquals("json", globals.get("log-format"));
        assertEquals(List.of("create", "--bundle", "b", "id"), globals.positional());
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("run: unknown flag --bogus", assertThrows(UsageException.class, () -> runArgs("--bogus", "id")).getMessage());
        assertEquals("run: flag --bundle needs a value", assertThrows(UsageException.class, () -> runArgs("--bundle")).getMessage());
        assertEquals("run: an id is required", assertThrows(UsageException.class, () -> runArgs().one("an id")).getMessage());
        assertEquals("run: unexpected argument \"b\"", assertThrows(UsageException.class, () -> runArgs("a", "b").one("id")).getMessage());
    }

    @Test
    void booleanOneLetterFlagsMayBeWrittenTogether() {
        Args args = new Args("launch").flag("interactive", "i").flag("tty", "t").value("name").parse(java.util.List.of("-it", "image"));
        org.junit.jupiter.api.Assertions.assertTrue(args.has("interactive") && args.has("tty"));
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Args("launch").flag("interactive", "i").value("name", "n").parse(java.util.List.of("-in", "x")));
    }
}
