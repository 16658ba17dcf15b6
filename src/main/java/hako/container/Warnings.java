package hako.container;

/** What went wrong without stopping the command: a line on stderr, runc's way. */
final class Warnings {
    private Warnings() {}

    static void print(String message) {
        System.err.println("hako: warning: " + message);
    }
}
