package hako.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A detached container's output as conmon keeps it, one line per write: {@code TIME STREAM TAG
 * TEXT}, with TIME in RFC 3339 with nanoseconds, STREAM stdout or stderr, TAG F for a full line
 * and P for a part of one (no newline after it). {@code hako logs} prints stdout's lines to
 * standard output and stderr's to standard error, as docker logs does.
 */
public final class ContainerLog {
    private final Path file;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean timestamps;

    public ContainerLog(Path file, PrintStream out, PrintStream err, boolean timestamps) {
        this.file = file;
        this.out = out;
        this.err = err;
        this.timestamps = timestamps;
    }

    /**
     * Prints the log (its last {@code tail} lines when tail ≥ 0); with {@code follow}, goes on with
     * what is written while {@code running} says the container runs, then prints the rest.
     */
    public void print(int tail, boolean follow, BooleanSupplier running) {
        try (InputStream in = open()) {
            if (in == null) return;
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            Deque<String> last = new ArrayDeque<>();
            drain(in, pending, line -> {
                if (tail < 0) show(line);
                else if (tail > 0) {
                    if (last.size() == tail) last.removeFirst();
                    last.addLast(line);
                }
            });
            last.forEach(this::show);
            if (!follow) return;
            while (true) {
                boolean wasRunning = running.getAsBoolean();
                if (!drain(in, pending, this::show)) {
                    if (!wasRunning) return;
                    Thread.sleep(50);
                }
            }
        } catch (IOException e) {
            throw new LaunchException("reading " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private InputStream open() throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            return null; // a container that never wrote, or one run in the foreground
        }
    }

    /** Reads what is there now; whole lines go to {@code sink} (split as bytes: UTF-8 survives any read size). */
    private static boolean drain(InputStream in, ByteArrayOutputStream pending, Consumer<String> sink) throws IOException {
        byte[] buffer = new byte[8192];
        boolean any = false;
        int n;
        while ((n = in.read(buffer)) > 0) {
            any = true;
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] != '\n') continue;
                pending.write(buffer, start, i - start);
                sink.accept(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                start = i + 1;
            }
            pending.write(buffer, start, n - start);
        }
        return any;
    }

    /** One line of the file, printed as the container wrote it. */
    void show(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3) return; // not conmon's; nothing to show
        String text = parts.length == 4 ? parts[3] : "";
        PrintStream stream = parts[1].equals("stderr") ? err : out;
        if (timestamps) stream.print(parts[0] + " ");
        stream.print(parts[2].equals("P") ? text : text + "\n");
        stream.flush();
    }
}
