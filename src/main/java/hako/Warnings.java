package hako;

import java.util.function.Consumer;

/**
 * What went wrong without stopping the command. The command line decides where it goes (the
 * --log file, or stderr): {@link #sendTo}.
 */
public final class Warnings {
    private static Consumer<String> sink = message -> System.err.println("hako: warning: " + message);

    private Warnings() {}

    public static void sendTo(Consumer<String> destination) {
        sink = destination;
    }

    public static void print(String message) {
        sink.accept(message);
    }
}
