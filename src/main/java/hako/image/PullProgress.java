package hako.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a pull or a load tells while it downloads and unpacks: one line per layer and step. On a
 * terminal each layer has a bar redrawn in place (bytes, total, rate, time left); elsewhere (a
 * log, a pipe) one plain line when a layer is downloaded and one when it is unpacked; quiet says
 * nothing.
 */
public abstract sealed class PullProgress {
    /** The progress of one blob. */
    public interface Bar {
        void resumedAt(long bytes);

        void advance(long bytes);

        void restarted();

        void done();
    }

    /** A layer being unpacked: the blob's bytes as they are read, then the bytes of the files it made. */
    public interface Unpacking {
        void advance(long blobBytes);

        void done(long fileBytes);
    }

    public static PullProgress quiet() {
        return new Quiet();
    }

    public static PullProgress lines(PrintStream out) {
        return new Lines(out);
    }

    public static PullProgress terminal(PrintStream out) {
        return new Terminal(out);
    }

    abstract Bar start(Digest digest, long size);

    /** A layer's blob of {@code size} bytes (-1: unknown) about to be unpacked. */
    abstract Unpacking unpacking(Digest digest, long size);

    /** A line about something else (a layer already in the store). */
    abstract void say(String line);

    /** The bars are finished: a terminal's last redraw; bars started later draw below them. */
    void finish() {}

    /** {@code in}, telling {@code bar} what is read through it. */
    static InputStream counting(InputStream in, Unpacking bar) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) bar.advance(1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = in.read(buffer, offset, length);
                if (n > 0) bar.advance(n);
                return n;
            }
        };
    }

    static String bytes(double n) {
        if (n < 1000) return (long) n + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        int unit = -1;
        while (n >= 1000 && unit < units.length - 1) {
            n /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", n, units[unit]);
    }

    private static final class Quiet extends PullProgress {
        @Override
        Bar start(Digest digest, long size) {
            return new Bar() {
                @Override public void resumedAt(long bytes) {}
                @Override public void advance(long bytes) {}
                @Override public void restarted() {}
                @Override public void done() {}
            };
        }

        @Override
        Unpacking unpacking(Digest digest, long size) {
            return new Unpacking() {
                @Override public void advance(long blobBytes) {}
                @Override public void done(long fileBytes) {}
            };
        }

        @Override
        void say(String line) {}
    }

    private static final class Lines extends PullProgress {
        private final PrintStream out;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        Bar start(Digest digest, long size) {
            long begun = System.nanoTime();
            return new Bar() {
                long resumed, got;

                @Override public void resumedAt(long bytes) {
                    resumed = bytes;
                    got = bytes;
                    say("layer " + digest.shortHex() + ": resuming at " + bytes(bytes) + " of " + bytes(size));
                }

                @Override public void advance(long bytes) {
                    got += bytes;
                }

                @Override public void restarted() {
                    got = 0;
                    say("layer " + digest.shortHex() + ": the registry does not resume downloads, starting again");
                }

                @Override public void done() {
                    double seconds = (System.nanoTime() - begun) / 1e9;
                    say(String.format(Locale.ROOT, "layer %s: downloaded %s in %.1f s%s", digest.shortHex(), bytes(got - resumed), seconds,
                            resumed > 0 ? " (resumed at " + bytes(resumed) + ")" : ""));
                }
            };
        }

        @Override
        Unpacking unpacking(Digest digest, long size) {
            long begun = System.nanoTime();
            return new Unpacking() {
                @Override public void advance(long blobBytes) {}

                @Override public void done(long fileBytes) {
                    double seconds = Math.max(1e-3, (System.nanoTime() - begun) / 1e9);
                    say(String.format(Locale.ROOT, "layer %s: unpacked, %d bytes in %.1f s (%s/s)", digest.shortHex(), fileBytes, seconds,
                            bytes(fileBytes / seconds)));
                }
            };
        }

        @Override
        synchronized void say(String line) {
            out.println(line);
        }
    }

    /** Bars kept in order and redrawn together (cursor up, clear line), at most ten times a second. */
    private static final class Terminal extends PullProgress {
        private final PrintStream out;
        private final List<TerminalBar> bars = new ArrayList<>();
        private int drawn;
        private long lastDraw;

        Terminal(PrintStream out) {
            this.out = out;
        }

        @Override
        synchronized Bar start(Digest digest, long size) {
            return add(new TerminalBar(digest, size, false));
        }

        @Override
        synchronized Unpacking unpacking(Digest digest, long size) {
            return add(new TerminalBar(digest, size, true));
        }

        private TerminalBar add(TerminalBar bar) {
            bars.add(bar);
            draw(true);
            return bar;
        }

        @Override
        synchronized void say(String line) {
            out.println(line);
            drawn = 0; // the bars above stay as they were; new ones draw below
            bars.clear();
        }

        @Override
        synchronized void finish() {
            draw(true);
            drawn = 0;
            bars.clear();
        }

        private synchronized void draw(boolean now) {
            long time = System.nanoTime();
            if (!now && time - lastDraw < 100_000_000L) return;
            lastDraw = time;
            StringBuilder text = new StringBuilder();
            if (drawn > 0) text.append("\033[").append(drawn).append('A');
            for (TerminalBar bar : bars) text.append('\r').append("\033[K").append(bar.line(time)).append('\n');
            drawn = bars.size();
            out.print(text);
            out.flush();
        }

        /** A download's bar, or an unpacking's: its blob read so far, then the files' bytes it made. */
        private final class TerminalBar implements Bar, Unpacking {
            private final Digest digest;
            private final long size;
            private final boolean unpacking;
            private final long begun = System.nanoTime();
            private volatile long got, resumed, fileBytes;
            private volatile boolean finished;

            TerminalBar(Digest digest, long size, boolean unpacking) {
                this.digest = digest;
                this.size = size;
                this.unpacking = unpacking;
            }

            String line(long now) {
                double seconds = Math.max(1e-3, (now - begun) / 1e9);
                double rate = (got - resumed) / seconds;
                int width = 30;
                int filled = size > 0 ? (int) Math.min(width, got * width / size) : finished ? width : 0;
                String bar = "[" + "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "") + "]";
                String step = unpacking ? (finished ? " unpacked " : " unpacking") : "";
                if (finished) {
                    return String.format(Locale.ROOT, "layer %s%s %s %s in %.1f s", digest.shortHex(), step, bar,
                            bytes(unpacking ? fileBytes : size), seconds);
                }
                String eta = rate > 0 && size > 0 ? String.format(Locale.ROOT, "%.0f s left", Math.max(0, size - got) / rate) : "";
                return String.format(Locale.ROOT, "layer %s%s %s %s / %s  %s/s  %s", digest.shortHex(), step, bar, bytes(got),
                        size >= 0 ? bytes(size) : "?", bytes(rate), eta);
            }

            @Override public void resumedAt(long bytes) {
                got = bytes;
                resumed = bytes;
                draw(true);
            }

            @Override public void advance(long bytes) {
                got += bytes;
                draw(false);
            }

            @Override public void restarted() {
                got = 0;
                resumed = 0;
                draw(true);
            }

            @Override public void done() {
                got = size;
                finished = true;
                draw(true);
            }

            @Override public void done(long fileBytes) {
                this.fileBytes = fileBytes;
                done();
            }
        }
    }
}
