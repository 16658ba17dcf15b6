package hako.launch;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetachKeysTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theSequenceDetachesAndWhatFollowsIsNotPassed() {
        DetachKeys keys = DetachKeys.parse(DetachKeys.DEFAULT);
        assertArrayEquals(bytes("ab"), keys.filter(bytes("ab\u0010\u0011cd")));
        assertTrue(keys.detached());
        assertArrayEquals(new byte[0], keys.filter(bytes("more")));
    }

    @Test
    void aSequenceSplitAcrossReadsStillDetaches() {
        DetachKeys keys = DetachKeys.parse(DetachKeys.DEFAULT);
        assertArrayEquals(bytes("x"), keys.filter(bytes("x\u0010")), "the ctrl-p is held back");
        assertFalse(keys.detached());
        assertArrayEquals(new byte[0], keys.filter(bytes("\u0011")));
        assertTrue(keys.detached());
    }

    @Test
    void aFalseStartPassesTheHeldKeysOn() {
        DetachKeys keys = DetachKeys.parse(DetachKeys.DEFAULT);
        assertArrayEquals(bytes("\u0010y"), keys.filter(bytes("\u0010y")));
        assertArrayEquals(bytes("\u0010"), keys.filter(bytes("\u0010\u0010")), "the first ctrl-p was input, the second may begin it");
        assertArrayEquals(new byte[0], keys.filter(bytes("\u0011")));
        assertTrue(keys.detached());
    }

    @Test
    void dockersNotationAndNone() {
        DetachKeys keys = DetachKeys.parse("ctrl-a,x,ctrl-[");
        assertArrayEquals(bytes("q"), keys.filter(bytes("q\u0001x\u001b")));
        assertTrue(keys.detached());
        DetachKeys none = DetachKeys.parse("");
        assertArrayEquals(bytes("\u0010\u0011"), none.filter(bytes("\u0010\u0011")));
        assertFalse(none.detached());
        assertEquals("--detach-keys: no such key \"ctrl-1\"", assertThrows(LaunchException.class, () -> DetachKeys.parse("ctrl-1")).getMessage());
        assertEquals("--detach-keys: \"alt-x\" is neither one character nor ctrl-X",
                assertThrows(LaunchException.class, () -> DetachKeys.parse("alt-x")).getMessage());
    }
}
