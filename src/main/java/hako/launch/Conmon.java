package hako.launch;

import hako.Invocation;
import hako.json.Json;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What stays with a detached container: conmon, podman's monitor (a Debian package, a few hundred
 * KiB resident). It daemonizes itself, runs {@code hako create} as its child so that it is the
 * init's parent and reaper, keeps the container's output in a log (Kubernetes' "k8s-file" lines),
 * writes the exit code when the process ends, and then runs {@code hako cleanup NAME}.
 */
final class Conmon {
    private static final List<String> PATHS = List.of("/usr/bin/conmon", "/usr/libexec/podman/conmon", "/usr/local/bin/conmon");

    private Conmon() {}

    static String find() {
        return PATHS.stream().filter(path -> Files.isExecutable(Path.of(path))).findFirst()
                .orElseThrow(() -> new LaunchException("a detached container needs conmon to watch it (apt-get install conmon)"));
    }

    /**
     * The command that starts conmon for {@code container}; {@code run} the token its cleanup
     * shows, {@code hako} the launcher and {@code globals} the global flags (--root…) that every
     * hako it runs must get.
     */
    static List<String> command(String conmon, LaunchedContainer container, String run, String hako, List<String> globals,
                                boolean tty, boolean stdin) {
        String name = container.name();
        List<String> command = new ArrayList<>(List.of(conmon, "--api-version", "1", "-c", name, "-u", name, "-n", name,
                "-r", hako, "-b", container.directory().toString(), "-p", container.pidFile().toString(),
                "-P", container.conmonPidFile().toString(),
                "--exit-dir", container.exitDirectory().toString(), "-l", "k8s-file:" + container.log(),
                // conmon's short-named link to the directory, where the attach socket is found
                "--socket-dir-path", container.directory().getParent().resolve(".attach").toString()));
        for (String flag : globals) command.addAll(List.of("--runtime-arg", flag));
        // create's error, if it fails, for launch to show: conmon itself has nowhere to say it
        command.addAll(List.of("--runtime-arg", "--log", "--runtime-arg", container.runtimeLog().toString(),
                "--runtime-arg", "--log-format", "--runtime-arg", "json"));
        command.addAll(List.of("--exit-command", hako));
        for (String flag : globals) command.addAll(List.of("--exit-command-arg", flag));
        command.addAll(List.of("--exit-command-arg", "cleanup", "--exit-command-arg", "--run", "--exit-command-arg", run,
                "--exit-command-arg", name));
        if (tty) command.add("-t");
        if (stdin) command.addAll(List.of("-i", "--leave-stdin-open"));
        return command;
    }

    /**
     * Runs conmon, which returns as soon as it has daemonized; its own errors go to DIR/conmon.log.
     * The caller's child (hako.Invocation): on the warm path too, conmon has the caller's cgroup,
     * session, rlimits and environment.
     */
    static void start(List<String> command, LaunchedContainer container) {
        Path log = container.directory().resolve("conmon.log");
        Invocation caller = Invocation.current();
        int in = -1, out = -1;
        try {
            Files.deleteIfExists(container.conmonPidFile()); // a restart's: that conmon has gone
            if (!Files.exists(log)) Files.createFile(log);
            in = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, "opening /dev/null for conmon");
            out = Libc.open(log.toString(), Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC, "opening " + log);
            Map<String, String> variables = new java.util.TreeMap<>(caller.env());
            // In the C locale glib converts its strings through iconv's modules, ~0.5 MiB more of
            // conmon resident per container (measured: 2.56 against 2.08 MiB); C.UTF-8 is glibc's own
            if (Files.isDirectory(Path.of("/usr/lib/locale/C.utf8"))) variables.put("LC_ALL", "C.UTF-8");
            List<String> env = new ArrayList<>();
            variables.forEach((key, value) -> env.add(key + "=" + value));
            int pid = caller.children().spawn(command.toArray(String[]::new), env.toArray(String[]::new),
                    new int[] {in, out, out}, "starting conmon");
            int code = Libc.exitCode(caller.children().waitpid(pid, "waiting for conmon"));
            if (code != 0) throw new LaunchException("conmon failed (exit " + code + "): " + lastLine(log));
        } catch (IOException e) {
            throw new LaunchException("starting conmon: " + e.getMessage());
        } finally {
            Libc.close(in);
            Libc.close(out);
        }
    }

    /**
     * Until conmon {@code pid} has ended (it has then written the exit code), at most
     * {@code millis}. A zombie has ended (its parent, often init, may reap it late), and a pid
     * that is no longer conmon's is gone too.
     */
    static void awaitGone(int pid, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                throw new LaunchException("conmon (pid " + pid + ") did not end within " + millis / 1000 + " s of its container");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether conmon {@code pid} still runs: not a zombie, and not a pid some other program has now. */
    static boolean alive(int pid) {
        if (pid <= 0) return false;
        try {
            String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = line.lastIndexOf(')');
            char state = line.charAt(close + 2);
            return line.substring(line.indexOf('(') + 1, close).equals("conmon") && state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The error hako create wrote to runtime.log (its --log, in JSON lines), as the person would have read it. */
    static String lastError(Path runtimeLog) {
        String line = lastLine(runtimeLog);
        try {
            if (Json.parse(line) instanceof Map<?, ?> entry && entry.get("msg") instanceof String message) return message;
        } catch (RuntimeException e) {
            // not a line hako wrote: shown as it is
        }
        return line;
    }

    static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--) if (!lines.get(i).isBlank()) return lines.get(i).strip();
        } catch (IOException e) {
            // nothing written
        }
        return "(no message)";
    }
}
