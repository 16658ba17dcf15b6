package hako.cli;

import hako.Invocation;
import hako.json.Json;
import hako.state.Timestamps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors go to stderr and, with {@code --log FILE}, to that file too — in runc's shapes, since
 * podman and containerd read errors from it: {@code {"level":"error","msg":"…","time":"…"}} for
 * json, logrus' {@code time="…" level=error msg="…"} for text.
 */
final class Log {
    private final Path file;
    private final boolean json;

    private Log(Path file, boolean json) {
        this.file = file;
        this.json = json;
    }

    static Log open(String file, String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new UsageException(null, "--log-format must be text or json, not \"" + format + "\"");
        }
        return new Log(file == null || file.isEmpty() ? null : Invocation.current().path(file), format.equals("json"));
    }

    void error(String message) {
        Invocation.current().err().println("hako: " + message);
        if (file != null) write("error", message);
    }

    /**
     * A warning goes to the log when there is one: under podman or containerd, stderr is the
     * container's own, and nothing of hako's may appear in its output. Without a log, stderr.
     */
    void warning(String message) {
        if (file == null) Invocation.current().err().println("hako: warning: " + message);
        else write("warning", message);
    }

    private void write(String level, String message) {
        String time = Timestamps.now();
        String line;
        if (json) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("level", level);
            entry.put("msg", message);
            entry.put("time", time);
            line = Json.write(entry);
        } else {
            line = "time=\"" + time + "\" level=" + level + " msg=" + Json.write(message);
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            Invocation.current().err().println("hako: writing the log " + file + ": " + e.getMessage());
        }
    }
}
