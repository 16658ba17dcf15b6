package hako.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** The {@code status} of {@code hako state ID}. */
    static String status(Path root, String id) {
        Result result = run(root, "", "state", id);
        if (result.code() != 0) throw new AssertionError("state " + id + ": " + result);
        return (String) ((java.util.Map<?, ?>) hako.json.Json.parse(result.stdout())).get("status");
    }

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

    /**
     * Runs a command with its output in files, not pipes: a container the command leaves running
     * (create, run -d) keeps the command's stdio, and a pipe would never reach end of file.
     */
    static Result exec(List<String> command, String stdin) {
        return exec(command, stdin, java.util.Map.of());
    }

    /** As {@link #exec(List, String)}, with {@code env} added to the environment. */
    static Result exec(List<String> command, String stdin, java.util.Map<String, String> env) {
        try {
            Path dir = Files.createTempDirectory("hako-call");
            try {
                Path in = Files.writeString(dir.resolve("in"), stdin);
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().putAll(env);
                Process process = builder.redirectInput(in.toFile())
                        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("timed out after 60 s: " + command);
                }
                return new Result(process.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
            } finally {
                for (String name : new String[] {"in", "out", "err"}) Files.deleteIfExists(dir.resolve(name));
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
