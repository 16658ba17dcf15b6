package hako;

import java.util.function.Consumer;

/**
 * What went wrong without stopping the command. The command line decides where it goes (the
 * --log file, or stderr): {@link #sendTo}, for its invocation.
 */
public final class Warnings {
    private Warnings() {}

    public static void sendTo(Consumer<String> destination) {
        Invocation.WARNINGS.set(destination);
    }

    public static void print(String message) {
        Consumer<String> sink = Invocation.WARNINGS.get();
        if (sink != null) sink.accept(message);
        else Invocation.current().err().println("hako: warning: " + message);
    }
}
