package hako.container;

import hako.sys.Libc;
import sun.misc.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code hako run} of a process with a terminal, in the foreground: hako's own terminal goes raw
 * and is joined to the container's, both ways, with window size changes passed on; it is put
 * back as it was when the process ends.
 */
final class TerminalRelay implements AutoCloseable {
    private static final long TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
    private static final int TERMIOS_SIZE = 60, WINSIZE_SIZE = 8;

    private final int master;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved;
    private final Thread output;

    private TerminalRelay(int master) {
        this.master = master;
        this.saved = Libc.isatty(0) ? makeRaw() : null;
        copyWindowSize();
        Signal.handle(new Signal("WINCH"), signal -> copyWindowSize());
        Thread input = Thread.ofPlatform().daemon().name("hako-stdin").unstarted(this::pumpInput);
        output = Thread.ofPlatform().name("hako-stdout").unstarted(this::pumpOutput);
        input.start();
        output.start();
    }

    static TerminalRelay start(int master) {
        return new TerminalRelay(master);
    }

    /** cfmakeraw(3) on stdin: keys go to the container as typed, its output comes back untouched. */
    private MemorySegment makeRaw() {
        MemorySegment original = arena.allocate(TERMIOS_SIZE, 4);
        Libc.ioctl(0, TCGETS, original, "reading the terminal's settings");
        MemorySegment raw = arena.allocate(TERMIOS_SIZE, 4);
        raw.copyFrom(original);
        int iflag = raw.get(ValueLayout.JAVA_INT, 0) & ~(01 | 02 | 010 | 040 | 0100 | 0200 | 0400 | 02000);
        int oflag = raw.get(ValueLayout.JAVA_INT, 4) & ~01;
        int cflag = (raw.get(ValueLayout.JAVA_INT, 8) & ~(060 | 0400)) | 060;
        int lflag = raw.get(ValueLayout.JAVA_INT, 12) & ~(010 | 0100 | 02 | 01 | 0100000);
        raw.set(ValueLayout.JAVA_INT, 0, iflag);
        raw.set(ValueLayout.JAVA_INT, 4, oflag);
        raw.set(ValueLayout.JAVA_INT, 8, cflag);
        raw.set(ValueLayout.JAVA_INT, 12, lflag);
        raw.set(ValueLayout.JAVA_BYTE, 17 + 6, (byte) 1); // VMIN
        raw.set(ValueLayout.JAVA_BYTE, 17 + 5, (byte) 0); // VTIME
        Libc.ioctl(0, TCSETS, raw, "setting the terminal raw");
        return original;
    }

    private void copyWindowSize() {
        if (!Libc.isatty(0)) return;
        MemorySegment size = arena.allocate(WINSIZE_SIZE, 2);
        Libc.ioctl(0, TIOCGWINSZ, size, "reading the window size");
        Libc.ioctl(master, TIOCSWINSZ, size, "setting the container's window size");
    }

    private void pumpInput() {
        byte[] buffer = new byte[4096];
        InputStream in = System.in;
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                byte[] chunk = n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n);
                Libc.writeFully(master, chunk, "writing to the container's terminal");
            }
        } catch (IOException | RuntimeException e) {
            // stdin closed or the container's terminal went away: nothing more to pass on
        }
    }

    private void pumpOutput() {
        PrintStream out = System.out;
        try {
            byte[] data;
            // EIO, once the container's last process holding the terminal has ended
            while ((data = Libc.read(master, 4096, "reading the container's terminal")) != null && data.length > 0) {
                out.write(data, 0, data.length);
                out.flush();
            }
        } catch (RuntimeException e) {
            // the terminal is gone
        }
    }

    @Override
    public void close() {
        try {
            output.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (saved != null) Libc.ioctl(0, TCSETS, saved, "restoring the terminal");
        Libc.close(master);
    }
}
