package hako.container;

import hako.Invocation;
import hako.sys.Libc;
import hako.sys.Terminal;

import java.io.PrintStream;

/**
 * {@code hako run} of a process with a terminal, in the foreground: the caller's terminal goes
 * raw and is joined to the container's, both ways, with window size changes passed on; it is put
 * back as it was when the process ends.
 */
final class TerminalRelay implements AutoCloseable {
    private final Invocation caller = Invocation.current();
    private final int master;
    private final int stdin = caller.stdin();
    /** stdin's settings before it went raw; null when stdin is no terminal. */
    private final byte[] saved;
    private final Thread output;

    private TerminalRelay(int master) {
        this.master = master;
        this.saved = stdin >= 0 && Libc.isatty(stdin) ? Terminal.makeRaw(stdin) : null;
        caller.children().followWindowSize(master);
        Thread input = Thread.ofPlatform().daemon().name("hako-stdin").unstarted(this::pumpInput);
        output = Thread.ofPlatform().name("hako-stdout").unstarted(this::pumpOutput);
        input.start();
        output.start();
    }

    static TerminalRelay start(int master) {
        return new TerminalRelay(master);
    }

    private void pumpInput() {
        if (stdin < 0) return;
        try {
            byte[] chunk;
            while ((chunk = Libc.read(stdin, 4096, "reading the terminal")) != null && chunk.length > 0) {
                Libc.writeFully(master, chunk, "writing to the container's terminal");
            }
        } catch (RuntimeException e) {
            // stdin closed or the container's terminal went away: nothing more to pass on
        }
    }

    private void pumpOutput() {
        PrintStream out = caller.out();
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
        caller.children().followWindowSize(-1);
        if (saved != null) Terminal.restore(stdin, saved);
        Libc.close(master);
    }
}
