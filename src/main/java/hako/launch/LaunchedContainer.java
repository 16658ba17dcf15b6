package hako.launch;

import hako.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container made from an image: its directory, which is also its OCI bundle.
 * <pre>
 * DIR/config.json   the bundle's spec, written once
 * DIR/rootfs/       where the overlayfs of the image's layers is mounted while the container lives
 * DIR/upper/        the container's own changes; DIR/work/ overlayfs's scratch directory
 * DIR/launch.json   what it was made from: image, command, flags that outlive create (--rm, StopSignal)
 * DIR/exits/NAME    its process's exit code, once it has ended (conmon writes it there, so does launch)
 * DIR/log           a detached container's output, in conmon's k8s-file lines
 * DIR/pid, conmon.pid, conmon.log, runtime.log   the init's and conmon's pids, and what they said on failing
 * DIR/run           the token of the monitor whose cleanup (conmon's exit command) counts; any
 *                   other monitor's cleanup is a no-op (one whose create failed, one a restart replaced)
 * DIR/attach, ctl   conmon's attach socket and its control fifo (window sizes)
 * </pre>
 * The container's runtime state is hako's as for any other: the name is its id.
 */
public record LaunchedContainer(String name, Path directory) {
    public Path rootfs() {
        return directory.resolve("rootfs");
    }

    Path upper() {
        return directory.resolve("upper");
    }

    Path work() {
        return directory.resolve("work");
    }

    public Path log() {
        return directory.resolve("log");
    }

    Path exitDirectory() {
        return directory.resolve("exits");
    }

    public Path exitFile() {
        return exitDirectory().resolve(name);
    }

    Path pidFile() {
        return directory.resolve("pid");
    }

    Path runtimeLog() {
        return directory.resolve("runtime.log");
    }

    Path attachSocket() {
        return directory.resolve("attach");
    }

    Path controlFifo() {
        return directory.resolve("ctl");
    }

    Path conmonPidFile() {
        return directory.resolve("conmon.pid");
    }

    /** The pid conmon wrote when it daemonized, or 0 when there is none. */
    int conmonPid() {
        try {
            return Integer.parseInt(Files.readString(conmonPidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The token of the monitor that cleans up, or "" while there is none. */
    String run() {
        try {
            return Files.readString(directory.resolve("run")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    static String newToken() {
        return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** From now on only the monitor given {@code token} cleans up. */
    void writeRun(String token) {
        write(directory.resolve("run"), token + "\n");
    }

    /** What launch.json says, or an empty map for a directory whose launch did not get that far. */
    public Map<String, Object> record() {
        try {
            Object parsed = Json.parse(Files.readString(directory.resolve("launch.json")));
            @SuppressWarnings("unchecked")
            Map<String, Object> record = parsed instanceof Map<?, ?> ? (Map<String, Object>) parsed : Map.of();
            return record;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    void writeRecord(Map<String, Object> record) {
        write(directory.resolve("launch.json"), Json.writePretty(record) + "\n");
    }

    void writeSpec(Map<String, Object> spec) {
        write(directory.resolve("config.json"), Json.writePretty(spec) + "\n");
    }

    /** The exit code recorded when the process ended, or null while it has not (or nobody saw it end). */
    public Integer exitCode() {
        try {
            return Integer.parseInt(Files.readString(exitFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Before a restart: the last run's exit code is no longer the container's. */
    void forgetExit() {
        try {
            Files.deleteIfExists(exitFile());
        } catch (IOException e) {
            throw new LaunchException("removing " + exitFile() + ": " + e.getMessage());
        }
    }

    public void recordExit(int code) {
        try {
            Files.createDirectories(exitDirectory());
        } catch (IOException e) {
            throw new LaunchException("making " + exitDirectory() + ": " + e.getMessage());
        }
        write(exitFile(), code + "\n");
    }

    /** The store's layer directories the root filesystem is made of, lowest first, as launch.json keeps them. */
    List<Path> layers() {
        Object layers = record().get("layers");
        if (!(layers instanceof List<?> list) || list.isEmpty()) {
            throw new LaunchException("container \"" + name + "\" does not name its layers: remove it and launch it again");
        }
        return list.stream().map(layer -> Path.of(String.valueOf(layer))).toList();
    }

    /** A flag launch.json keeps (remove, detach, tty, interactive); false when it does not say. */
    boolean flag(String key) {
        return Boolean.TRUE.equals(record().get(key));
    }

    static Map<String, Object> newRecord(String name, String image, String imageDigest, List<Path> layers, List<String> command,
                                         LaunchOptions options, ImageConfig config) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", name);
        record.put("image", image);
        record.put("imageDigest", imageDigest);
        record.put("created", java.time.Instant.now().toString());
        record.put("command", List.copyOf(command));
        record.put("stopSignal", config.stopSignal() == null ? "SIGTERM" : config.stopSignal());
        record.put("layers", layers.stream().map(Path::toString).toList());
        record.put("remove", options.remove());
        record.put("detach", options.detach());
        record.put("tty", options.tty());
        record.put("interactive", options.interactive());
        record.put("labels", new LinkedHashMap<>(config.labels()));
        record.put("exposedPorts", config.exposedPorts());
        return record;
    }

    /** Written beside, then renamed: a reader never sees half a file. */
    private void write(Path file, String text) {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LaunchException("writing " + file + ": " + e.getMessage());
        }
    }
}
