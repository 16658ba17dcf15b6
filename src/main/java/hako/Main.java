package hako;

import hako.cli.Hako;

/** The entry point: everything else is in {@link Hako}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Before hako opens anything: which descriptors are the caller's, not the JVM's own.
        hako.stage.Descriptors.snapshot();
        int code = Hako.main(args);
        System.out.flush();
        System.err.flush();
        // halt, not exit: hako registers no shutdown hooks, and the JVM's orderly exit costs
        // about 10 ms of every command (podman runs five or more per container).
        Runtime.getRuntime().halt(code);
    }
}
