package hako.state;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What hako records about a container in its state.json: enough to find its process again (pid
 * and that process's start time, so a reused pid is never mistaken for it) and to tear it down
 * (hooks to run at delete, its cgroup).
 *
 * @param phase   how far hako got: {@code creating}, {@code created} or {@code running}; the
 *                status a command reports is worked out from this and the process
 * @param created when it was created, RFC 3339 in UTC
 * @param hooks   the spec's hooks, kept for {@code poststop} at delete (the bundle may be gone)
 * @param cgroup  the container's cgroup directory, or null when it has none
 * @param process the spec's {@code process}, as JSON: what {@code exec} starts from
 * @param namespaces the proc names (net, pid, mnt…) of the container's own namespaces, for exec
 * @param network whether hako manages the container's network (hako.net), to release at delete
 * @param execLinux what of {@code linux} exec's processes get too (personality, memoryPolicy, seccomp), as JSON
 * @param sessionKeyring the session keyring exec joins, or null (created with --no-new-keyring)
 * @param systemdUnit the systemd unit the cgroup is (--systemd-cgroup), or null: update and delete go through systemd then
 */
public record ContainerState(
        String id,
        int pid,
        long pidStartTime,
        Path bundle,
        Path rootfs,
        String created,
        Status phase,
        Map<String, String> annotations,
        Map<String, Object> hooks,
        String cgroup,
        Map<String, Object> process,
        List<String> namespaces,
        boolean network,
        Map<String, Object> execLinux,
        String sessionKeyring,
        String systemdUnit) {

    public ContainerState withPhase(Status newPhase) {
        return new ContainerState(id, pid, pidStartTime, bundle, rootfs, created, newPhase, annotations, hooks, cgroup,
                process, namespaces, network, execLinux, sessionKeyring, systemdUnit);
    }

    public ContainerState withProcess(int newPid, long startTime) {
        return new ContainerState(id, newPid, startTime, bundle, rootfs, created, phase, annotations, hooks, cgroup,
                process, namespaces, network, execLinux, sessionKeyring, systemdUnit);
    }

    /** The cgroup as systemd made it (its ControlGroup), where that is not where it was planned. */
    public ContainerState withCgroup(String newCgroup) {
        return new ContainerState(id, pid, pidStartTime, bundle, rootfs, created, phase, annotations, hooks, newCgroup,
                process, namespaces, network, execLinux, sessionKeyring, systemdUnit);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("pid", (long) pid);
        json.put("pidStartTime", pidStartTime);
        json.put("bundle", bundle.toString());
        json.put("rootfs", rootfs.toString());
        json.put("created", created);
        json.put("phase", phase.toString());
        json.put("annotations", annotations);
        if (hooks != null) json.put("hooks", hooks);
        if (cgroup != null) json.put("cgroup", cgroup);
        json.put("process", process);
        json.put("namespaces", namespaces);
        if (network) json.put("network", true);
        if (!execLinux.isEmpty()) json.put("execLinux", execLinux);
        if (sessionKeyring != null) json.put("sessionKeyring", sessionKeyring);
        if (systemdUnit != null) json.put("systemdUnit", systemdUnit);
        return json;
    }

    @SuppressWarnings("unchecked")
    static ContainerState fromJson(Map<String, Object> json) {
        return new ContainerState(
                (String) json.get("id"),
                ((Long) json.get("pid")).intValue(),
                (Long) json.get("pidStartTime"),
                Path.of((String) json.get("bundle")),
                Path.of((String) json.get("rootfs")),
                (String) json.get("created"),
                Status.of((String) json.get("phase")),
                (Map<String, String>) json.getOrDefault("annotations", Map.of()),
                (Map<String, Object>) json.get("hooks"),
                (String) json.get("cgroup"),
                (Map<String, Object>) json.get("process"),
                (List<String>) json.get("namespaces"),
                Boolean.TRUE.equals(json.get("network")),
                (Map<String, Object>) json.getOrDefault("execLinux", Map.of()),
                (String) json.get("sessionKeyring"),
                (String) json.get("systemdUnit"));
    }

    /** The OCI state of a container (runtime-spec "State"), as {@code hako state} prints it. */
    public Map<String, Object> ociState(Status status) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("ociVersion", hako.spec.Spec.OCI_VERSION);
        state.put("id", id);
        state.put("pid", status == Status.STOPPED ? 0L : (long) pid);
        state.put("status", status.toString());
        state.put("bundle", bundle.toString());
        state.put("rootfs", rootfs.toString());
        state.put("created", created);
        state.put("owner", "");
        if (!annotations.isEmpty()) state.put("annotations", annotations);
        return state;
    }
}
