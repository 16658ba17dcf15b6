package hako.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * hako's warm runtimes (docs/warm.md) among the machine's processes: a test that started one in a
 * context of its own (a network namespace, a user) waits for it to end by itself when idle.
 */
final class WarmRuntimes {
    private WarmRuntimes() {}

    /** The /proc entries of the warm runtimes {@code which} selects. */
    static List<Path> find(Predicate<Path> which) {
        List<Path> found = new ArrayList<>();
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path p : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(" warm-serve hako-warm/") && which.test(p)) found.add(p);
                } catch (IOException | UncheckedIOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    static Predicate<Path> named(String name) {
        return p -> read(p.resolve("cmdline")).replace('\0', ' ').contains(" warm-serve " + name + " ");
    }

    static Predicate<Path> ownedBy(long uid) {
        return p -> read(p.resolve("status")).lines().anyMatch(l -> l.matches("Uid:\\s+" + uid + "\\s.*"));
    }

    /** Waits up to 20 s for them to end; asserts that they did (those left are killed, by pid). */
    static void awaitEnded(Predicate<Path> which) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<Path> left;
        while (!(left = find(which)).isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
        for (Path p : left) new ProcessBuilder("kill", "-9", p.getFileName().toString()).start().waitFor();
        if (!left.isEmpty()) throw new AssertionError("a warm runtime did not end when idle: " + left);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
