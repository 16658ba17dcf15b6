package hako.container;

import hako.sys.Libc;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Passes the signals that reach {@code hako run} on to the container's process, as runc does, so
 * that Ctrl-C or a {@code kill} of hako reaches the container.
 */
final class SignalForwarder implements AutoCloseable {
    /** Every signal a process may catch, except the ones that only concern hako itself (CHLD). */
    private static final String[] FORWARDED = {
        "HUP", "INT", "QUIT", "USR1", "USR2", "PIPE", "ALRM", "TERM", "CONT", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    SignalForwarder(int pid) {
        SignalHandler forward = signal -> Libc.kill(pid, signal.getNumber());
        for (String name : FORWARDED) {
            try {
                Signal signal = new Signal(name);
                previous.add(Signal.handle(signal, forward));
                installed.add(signal);
            } catch (IllegalArgumentException e) {
                // The JVM keeps this one for itself; it cannot be forwarded.
            }
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
    }
}
