package hako.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real launcher (bin/hako) the way a person or podman would, with a private state root. */
final class Hako {
    static final Path LAUNCHER = Path.of(System.getProperty("hako.launcher", "bin/hako"));

    record Result(int code, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    private Hako() {}

    /** {@code hako --root ROOT ARGS…} with {@code stdin} as its input. */
    static Result run(Path root, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.add("--root");
        command.add(root.toString());
        command.addAll(List.of(args));
        return exec(command, stdin);
    }

    /** Starts {@code hako --root ROOT ARGS…} without waiting; its input is empty. */
    static Process start(Path root, String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result exec(List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).start();
            return finish(process, stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result finish(Process process, String stdin) {
        try {
            CompletableFuture<String> out = read(process.getInputStream());
            CompletableFuture<String> err = read(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process did not read its input: fine
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out after 60 s: " + process.info().commandLine().orElse("?"));
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
