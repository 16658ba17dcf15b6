package hako.launch;

import hako.json.Json;
import hako.net.NetworkRequest;
import hako.state.ContainerState;
import hako.state.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code hako inspect} shows of a launched container: what it was made from and with, its
 * state now (the runtime's status and pid while it has state; the recorded exit code after), the
 * process, mounts and network its bundle gives, and where its log and bundle are. The keys are
 * hako's (as {@code hako image inspect}'s); a --format template may write them docker's way.
 */
final class ContainerInspection {
    private ContainerInspection() {}

    /** {@code state} is null when the container has no runtime state (never started, or cleaned up after it ended). */
    static Map<String, Object> of(LaunchedContainer container, ContainerState state, Status status) {
        Map<String, Object> record = container.record();
        Map<?, ?> spec = spec(container);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", container.name());
        json.put("image", record.get("image"));
        json.put("imageDigest", record.get("imageDigest"));
        json.put("created", record.get("created"));
        json.put("command", record.get("command"));
        Map<String, Object> now = new LinkedHashMap<>();
        Integer exitCode = container.exitCode();
        boolean alive = status != null && status != Status.STOPPED;
        now.put("status", alive ? status.toString() : exitCode != null ? "exited" : "created");
        now.put("running", alive);
        now.put("pid", alive ? state.pid() : 0);
        now.put("exitCode", alive ? null : exitCode);
        if (state != null) now.put("startedAt", state.created());
        json.put("state", now);
        Map<String, Object> config = new LinkedHashMap<>();
        if (spec.get("process") instanceof Map<?, ?> process) {
            config.put("user", process.get("user"));
            config.put("env", process.get("env"));
            config.put("workingDir", process.get("cwd"));
            config.put("tty", Boolean.TRUE.equals(process.get("terminal")));
        }
        config.put("hostname", spec.get("hostname"));
        config.put("openStdin", Boolean.TRUE.equals(record.get("interactive")));
        config.put("stopSignal", record.get("stopSignal"));
        config.put("labels", record.get("labels"));
        config.put("exposedPorts", record.getOrDefault("exposedPorts", List.of()));
        json.put("config", config);
        json.put("mounts", binds(spec));
        Map<String, Object> network = new LinkedHashMap<>();
        if (spec.get("annotations") instanceof Map<?, ?> annotations) {
            network.put("network", annotations.get(NetworkRequest.ANNOTATION_NETWORK));
            if (annotations.get(NetworkRequest.ANNOTATION_PUBLISH) instanceof String publish) network.put("ports", List.of(publish.split(",")));
        }
        json.put("networkSettings", network);
        json.put("autoRemove", Boolean.TRUE.equals(record.get("remove")));
        json.put("detached", Boolean.TRUE.equals(record.get("detach")));
        json.put("logPath", container.log().toString());
        json.put("bundle", container.directory().toString());
        return json;
    }

    /** The volumes: bind mounts of the bundle, as docker lists them (source, destination, read-only). */
    private static List<Object> binds(Map<?, ?> spec) {
        List<Object> binds = new ArrayList<>();
        if (!(spec.get("mounts") instanceof List<?> mounts)) return binds;
        for (Object item : mounts) {
            if (!(item instanceof Map<?, ?> mount) || !"bind".equals(mount.get("type"))) continue;
            List<?> options = mount.get("options") instanceof List<?> list ? list : List.of();
            Map<String, Object> bind = new LinkedHashMap<>();
            bind.put("source", mount.get("source"));
            bind.put("destination", mount.get("destination"));
            bind.put("readOnly", options.contains("ro"));
            binds.add(bind);
        }
        return binds;
    }

    private static Map<?, ?> spec(LaunchedContainer container) {
        try {
            return Json.parse(Files.readString(container.directory().resolve("config.json"))) instanceof Map<?, ?> map ? map : Map.of();
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }
}
