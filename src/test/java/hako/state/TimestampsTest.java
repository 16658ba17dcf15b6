package hako.state;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimestampsTest {
    @Test
    void rfc3339NanoAsGoWritesIt() {
        assertEquals("2026-11-29T08:02:20.286104345Z", Timestamps.format(Instant.parse("2026-11-29T08:02:20.286104345Z")));
        assertEquals("2026-01-02T03:04:05.5Z", Timestamps.format(Instant.parse("2026-01-02T03:04:05.500Z")));
        assertEquals("1999-12-31T23:59:59Z", Timestamps.format(Instant.parse("1999-12-31T23:59:59Z")));
        assertEquals("2026-03-01T00:00:00.000000001Z", Timestamps.format(Instant.parse("2026-03-01T00:00:00.000000001Z")));
    }
}
