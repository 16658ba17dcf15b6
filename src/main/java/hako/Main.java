package hako;

import hako.cli.Hako;

/** The entry point: everything else is in {@link Hako}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = Hako.main(args);
        System.out.flush();
        System.exit(code);
    }
}
