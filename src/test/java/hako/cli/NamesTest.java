package hako.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NamesTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @Test
    void aPortIsNotATagAndAPullByDigestIsRecordedUnderIt() {
        assertArrayEquals(new String[] {"localhost:5000/busybox", "latest"}, Names.split("localhost:5000/busybox"));
        assertArrayEquals(new String[] {"localhost:5000/busybox", "1.36"}, Names.split("localhost:5000/busybox:1.36"));
        assertArrayEquals(new String[] {"localhost:5000/busybox", DIGEST}, Names.split("localhost:5000/busybox@" + DIGEST));
        assertThrows(UsageException.class, () -> Names.split("busybox@sha256:12"));
        assertEquals("localhost:5000/busybox@" + DIGEST, Names.join("localhost:5000/busybox", DIGEST));
        assertEquals("busybox:1.36", Names.join("busybox", "1.36"));
    }
}
