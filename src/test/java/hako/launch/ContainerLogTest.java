package hako.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ContainerLogTest {
    private static final String LOG = """
            2026-12-03T10:00:00.000000001+00:00 stdout F first
            2026-12-03T10:00:00.000000002+00:00 stderr F a warning
            2026-12-03T10:00:00.000000003+00:00 stdout P no newline yet,\s
            2026-12-03T10:00:00.000000004+00:00 stdout F then the rest ✓
            2026-12-03T10:00:00.000000005+00:00 stdout F\s
            """;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ContainerLog log(Path file, boolean timestamps) {
        return new ContainerLog(file, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                timestamps);
    }

    @Test
    void linesGoToTheirStreamsAndPartsAreJoined(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("log"), LOG);
        log(file, false).print(-1, false, () -> false);
        assertEquals("first\nno newline yet, then the rest ✓\n\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("a warning\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tailKeepsTheLastLinesAndTimestampsLead(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("log"), LOG);
        log(file, true).print(2, false, () -> false);
        assertEquals("2026-12-03T10:00:00.000000004+00:00 then the rest ✓\n2026-12-03T10:00:00.000000005+00:00 \n",
                out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void followReadsWhatIsWrittenUntilTheContainerEnds(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("log"), "2026-12-03T10:00:00Z stdout F one\n");
        int[] looks = {0};
        log(file, false).print(-1, true, () -> {
            if (++looks[0] == 2) {
                try {
                    Files.writeString(file, "2026-12-03T10:00:01Z stdout F two\n", java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return looks[0] < 3;
        });
        assertEquals("one\ntwo\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aContainerThatWroteNothingHasAnEmptyLog(@TempDir Path dir) {
        log(dir.resolve("absent"), false).print(-1, true, () -> false);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
