package hako.container;

import hako.sys.Libc;
import hako.sys.Terminal;
import sun.misc.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * {@code hako run} of a process with a terminal, in the foreground: hako's own terminal goes raw
 * and is joined to the container's, both ways, with window size changes passed on; it is put
 * back as it was when the process ends.
 */
final class TerminalRelay implements AutoCloseable {
    private final int master;
    /** stdin's settings before it went raw; null when stdin is no terminal. */
    private final byte[] saved;
    private final Thread output;

    private TerminalRelay(int master) {
        this.master = master;
        this.saved = Libc.isatty(0) ? Terminal.makeRaw(0) : null;
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

    private void copyWindowSize() {
        if (Libc.isatty(0)) Terminal.copyWindowSize(0, master);
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
        if (saved != null) Terminal.restore(0, saved);
        Libc.close(master);
    }
}
