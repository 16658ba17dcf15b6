package hako.sys;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;

/** {@link Children} of this process: posix_spawn, wait4 and the JVM's signal handlers. */
final class LocalChildren implements Children {
    /** Every signal a process may catch, except the ones that only concern hako itself (CHLD). */
    private static final String[] FORWARDED = {
        "HUP", "INT", "QUIT", "USR1", "USR2", "PIPE", "ALRM", "TERM", "CONT", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    @Override
    public int spawnStage(int binary, int socket, int keepFds, int[] devNull, String what) {
        // The stage's end alone is inherited; the stage closes every other descriptor it finds.
        Libc.fcntl(socket, Libc.F_SETFD, 0, "passing the socket to the stage");
        return Libc.spawn("/proc/self/fd/" + binary,
                new String[] {"hako-stage", Integer.toString(socket), Integer.toString(keepFds)}, devNull, what);
    }

    @Override
    public int spawn(String[] argv, String[] env, int[] stdio, String what) {
        return Libc.spawn(argv[0], argv, env, new int[0], stdio, what);
    }

    @Override
    public int waitpid(int pid, String what) {
        return Libc.waitpid(pid, what);
    }

    @Override
    public Forwarding forwardSignals(int pid) {
        List<Signal> installed = new ArrayList<>();
        List<SignalHandler> previous = new ArrayList<>();
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
        return () -> {
            for (int i = 0; i < installed.size(); i++) Signal.handle(installed.get(i), previous.get(i));
        };
    }

    @Override
    public void followWindowSize(int master) {
        if (master < 0) {
            Signal.handle(new Signal("WINCH"), SignalHandler.SIG_DFL);
            return;
        }
        copyWindowSize(master);
        Signal.handle(new Signal("WINCH"), signal -> copyWindowSize(master));
    }

    private static void copyWindowSize(int master) {
        if (Libc.isatty(0)) {
            try {
                Terminal.copyWindowSize(0, master);
            } catch (RuntimeException e) {
                // the terminal is gone
            }
        }
    }
}
