package hako.image;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PullProgressTest {
    private static final Digest ONE = Digest.of(new byte[] {1}), TWO = Digest.of(new byte[] {2});
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PrintStream printer() {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesSayOneLinePerLayerWhenItIsDone() {
        PullProgress progress = PullProgress.lines(printer());
        PullProgress.Bar bar = progress.start(ONE, 2_100_000);
        bar.resumedAt(100_000);
        bar.advance(2_000_000);
        bar.done();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("layer " + ONE.shortHex() + ": resuming at 100.0 kB of 2.1 MB", lines[0]);
        assertTrue(lines[1].matches("layer " + ONE.shortHex() + ": downloaded 2.0 MB in [0-9.]+ s \\(resumed at 100.0 kB\\)"), lines[1]);
        assertEquals(2, lines.length);
    }

    @Test
    void aTerminalGetsABarPerLayerRedrawnInPlace() {
        PullProgress progress = PullProgress.terminal(printer());
        PullProgress.Bar first = progress.start(ONE, 1000);
        PullProgress.Bar second = progress.start(TWO, 2000);
        first.advance(500);
        first.done();
        second.done();
        progress.finish();
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\033[2A"), "the cursor goes back up over both bars");
        String last = text.substring(text.lastIndexOf("\033[2A"));
        assertTrue(last.matches("(?s)\033\\[2A\r\033\\[Klayer " + ONE.shortHex() + " \\[=+\\] 1.0 kB in [0-9.]+ s\n"
                + "\r\033\\[Klayer " + TWO.shortHex() + " \\[=+\\] 2.0 kB in [0-9.]+ s\n"), last);
    }

    @Test
    void unpackingSaysOneLinePerLayerWithItsBytesTimeAndRate() {
        PullProgress progress = PullProgress.lines(printer());
        PullProgress.Unpacking layer = progress.unpacking(ONE, 2_000_000);
        layer.advance(1_000_000);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing while it unpacks: a log gets one line per layer");
        layer.advance(1_000_000);
        layer.done(5_300_000);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("layer " + ONE.shortHex() + ": unpacked, 5300000 bytes in [0-9]+\\.[0-9] s \\([0-9.]+ [kMG]?B/s\\)\n"), text);
    }

    @Test
    void aTerminalShowsAnUnpackingBarWithBytesRateAndTimeLeft() throws Exception {
        PullProgress progress = PullProgress.terminal(printer());
        PullProgress.Unpacking layer = progress.unpacking(ONE, 4_000_000);
        PullProgress.counting(new java.io.ByteArrayInputStream(new byte[1_000_000]), layer).readAllBytes();
        Thread.sleep(120); // past the redraw interval: the next read draws the bar with all that was read
        PullProgress.counting(new java.io.ByteArrayInputStream(new byte[1]), layer).readAllBytes();
        String drawn = out.toString(StandardCharsets.UTF_8);
        String partial = drawn.substring(drawn.lastIndexOf("\r\033[K") + 4);
        assertTrue(partial.matches("layer " + ONE.shortHex() + " unpacking \\[=======> +\\] 1\\.0 MB / 4\\.0 MB  [0-9.]+ [kMG]?B/s  [0-9]+ s left\n"),
                partial);
        layer.done(9_000_000);
        String done = out.toString(StandardCharsets.UTF_8);
        String last = done.substring(done.lastIndexOf("\r\033[K") + 4);
        assertTrue(last.matches("layer " + ONE.shortHex() + " unpacked  \\[=+\\] 9\\.0 MB in [0-9.]+ s\n"), last);
    }

    @Test
    void aBlobOfUnknownSizeHasNoTotalNorTimeLeft() throws Exception {
        PullProgress progress = PullProgress.terminal(printer());
        PullProgress.Unpacking layer = progress.unpacking(TWO, -1);
        Thread.sleep(120);
        layer.advance(2_500);
        String drawn = out.toString(StandardCharsets.UTF_8);
        String partial = drawn.substring(drawn.lastIndexOf("\r\033[K") + 4);
        assertTrue(partial.matches("layer " + TWO.shortHex() + " unpacking \\[> +\\] 2\\.5 kB / \\?  [0-9.]+ [kMG]?B/s  \n"), partial);
    }
}
