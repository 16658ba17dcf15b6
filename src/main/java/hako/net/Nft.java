package hako.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Applies nft scripts with Debian's {@code nft} tool: one {@code nft -f -} per change, which nft
 * sends to the kernel as one netlink transaction, so a change is applied whole or not at all.
 */
final class Nft {
    private static final Path[] LOCATIONS = {Path.of("/usr/sbin/nft"), Path.of("/sbin/nft"), Path.of("/usr/bin/nft")};

    private Nft() {}

    /** Applies {@code script} atomically; on failure, the first error nft gave, as one line. */
    static void apply(String script, String what) {
        Result result = run(script, "-f", "-");
        if (result.code != 0) throw new NetworkException(what + ": " + firstError(result.stderr));
    }

    /** nft prints the failing line and a caret under it; people need the reason, in one line. */
    static String firstError(String stderr) {
        for (String line : stderr.lines().toList()) {
            int at = line.indexOf("Error: ");
            if (at >= 0) {
                String reason = line.substring(at + "Error: ".length()).strip();
                return reason.isEmpty() ? "nft failed" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            }
        }
        String first = stderr.strip().lines().findFirst().orElse("");
        return first.isEmpty() ? "nft failed" : first;
    }

    private record Result(int code, String stdout, String stderr) {}

    private static Result run(String stdin, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = executable().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return exec(command, stdin);
    }

    /**
     * Runs a command with {@code stdin} as its input, its two outputs read as one: nft reads all
     * of its script before it writes a word, so writing first and reading after cannot block,
     * and no reader thread is needed.
     */
    static Result exec(String[] command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it exited without reading: its output says why
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), output, output);
        } catch (IOException e) {
            throw new NetworkException("running " + command[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while running " + command[0]);
        }
    }

    /** For the AOT training run: the same path with a harmless command. */
    static void train() {
        exec(new String[] {"/bin/true"}, "add table inet training\n");
    }

    private static Path executable() {
        for (Path candidate : LOCATIONS) {
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new NetworkException("nft is not installed: hako's firewall rules need it (Debian package nftables)");
    }
}
