package hako.launch;

import hako.json.Json;
import hako.json.JsonException;
import hako.net.NetworkRequest;
import hako.spec.Capability;
import hako.spec.DefaultSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The config.json of a container made from an image: hako's default spec (runc's, with a seccomp
 * profile) with what the image's config and the flags say, in docker's order of precedence
 * (flags over the image over defaults). Where docker and podman differ, podman's tighter choice
 * is taken: its eleven default capabilities (no NET_RAW, MKNOD, AUDIT_WRITE) and, with
 * --read-only, tmpfs on /run, /tmp and /var/tmp.
 */
final class LaunchSpec {
    static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Where --init's process is bound in the container, as podman's /run/podman-init. */
    static final String INIT_PATH = "/run/hako-init";
    private static final List<String> INITS = List.of("/usr/bin/catatonit", "/usr/libexec/podman/catatonit", "/usr/bin/tini",
            "/usr/bin/tini-static", "/usr/bin/docker-init");

    private LaunchSpec() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> build(LaunchOptions options, ImageConfig image, String name, Users.Resolved user, Map<String, String> hostEnv) {
        Map<String, Object> spec = DefaultSpec.tree();
        Map<String, Object> process = (Map<String, Object>) spec.get("process");
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        List<Object> mounts = (List<Object>) spec.get("mounts");
        String hostname = options.hostname() != null ? options.hostname() : name;

        List<String> args = arguments(options, image);
        process.put("terminal", options.tty());
        process.put("env", new ArrayList<Object>(environment(options, image, hostname, hostEnv)));
        process.put("cwd", options.workdir() != null ? options.workdir() : image.workingDir() != null ? image.workingDir() : "/");
        if (!((String) process.get("cwd")).startsWith("/")) throw new LaunchException("-w " + process.get("cwd") + ": not an absolute path");
        Map<String, Object> userJson = new LinkedHashMap<>();
        userJson.put("uid", user.uid());
        userJson.put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) userJson.put("additionalGids", new ArrayList<Object>(user.additionalGids()));
        process.put("user", userJson);
        List<Object> capabilities = new ArrayList<>(capabilities(options.capAdd(), options.capDrop()));
        process.put("capabilities", ordered("bounding", capabilities, "effective", new ArrayList<>(capabilities),
                "permitted", new ArrayList<>(capabilities)));
        // Docker's containers inherit the daemon's limits; here the caller's, as with runc's default.
        process.remove("rlimits");
        process.put("noNewPrivileges", false);
        spec.put("hostname", hostname);
        ((Map<String, Object>) spec.get("root")).put("readonly", options.readOnly());
        if (options.readOnly()) {
            for (String path : List.of("/run", "/tmp", "/var/tmp")) mounts.add(tmpfs(path, List.of("rw", "nosuid", "nodev")));
        }
        for (String volume : options.volumes()) mounts.add(volume(volume));
        for (String tmpfs : options.tmpfs()) {
            int colon = tmpfs.indexOf(':');
            String destination = colon < 0 ? tmpfs : tmpfs.substring(0, colon);
            List<String> extra = colon < 0 ? List.of() : List.of(tmpfs.substring(colon + 1).split(","));
            List<String> tmpfsOptions = new ArrayList<>(List.of("rw", "noexec", "nosuid", "nodev"));
            tmpfsOptions.addAll(extra);
            mounts.add(tmpfs(absolute(destination, "--tmpfs"), tmpfsOptions));
        }
        if (options.init()) {
            String init = INITS.stream().filter(path -> Files.isExecutable(Path.of(path))).findFirst().orElseThrow(() ->
                    new LaunchException("--init needs catatonit or tini on the host (apt-get install catatonit)"));
            mounts.add(bind(init, INIT_PATH, List.of("ro")));
            List<String> wrapped = new ArrayList<>(List.of(INIT_PATH, "--"));
            wrapped.addAll(args);
            args = wrapped;
        }
        process.put("args", new ArrayList<Object>(args));
        resources(options, (Map<String, Object>) linux.get("resources"));
        for (String option : options.securityOpts()) security(option, process, linux);
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("dev.hako.launch.image", options.image());
        // The network as annotations, not flags: conmon's hako create reads the bundle only.
        // docker's default is a bridge network: hako's is "hako".
        annotations.put(NetworkRequest.ANNOTATION_NETWORK, options.network() != null ? options.network() : "hako");
        if (!options.publish().isEmpty()) annotations.put(NetworkRequest.ANNOTATION_PUBLISH, String.join(",", options.publish()));
        if (!options.allowFrom().isEmpty()) annotations.put(NetworkRequest.ANNOTATION_ALLOW_FROM, String.join(";", options.allowFrom()));
        if (options.egress() != null) annotations.put(NetworkRequest.ANNOTATION_EGRESS, options.egress());
        spec.put("annotations", annotations);
        return spec;
    }

    /** Docker's rule: --entrypoint replaces the image's Entrypoint and drops its Cmd; a command replaces Cmd. */
    static List<String> arguments(LaunchOptions options, ImageConfig image) {
        List<String> args = new ArrayList<>();
        if (options.entrypoint() != null) {
            if (!options.entrypoint().isEmpty()) args.add(options.entrypoint());
            args.addAll(options.command());
        } else {
            args.addAll(image.entrypoint());
            args.addAll(options.command().isEmpty() ? image.cmd() : options.command());
        }
        if (args.isEmpty()) throw new LaunchException("the image " + options.image() + " has no command: give one after the image");
        return args;
    }

    /** PATH (when the image has none), HOSTNAME, TERM with -t, the image's Env, then -e and --env-file: later wins. */
    static List<String> environment(LaunchOptions options, ImageConfig image, String hostname, Map<String, String> hostEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        put(env, DEFAULT_PATH);
        put(env, "HOSTNAME=" + hostname);
        if (options.tty()) put(env, "TERM=xterm");
        for (String variable : image.env()) put(env, variable);
        for (String file : options.envFiles()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file));
            } catch (IOException e) {
                throw new LaunchException("--env-file " + file + ": " + e.getMessage());
            }
            for (String line : lines) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) fromFlag(env, trimmed, hostEnv);
            }
        }
        for (String variable : options.env()) fromFlag(env, variable, hostEnv);
        List<String> list = new ArrayList<>();
        env.forEach((key, value) -> list.add(key + "=" + value));
        return list;
    }

    /** {@code KEY=VALUE}, or {@code KEY} alone: the caller's own value, or nothing when it has none (docker's rule). */
    private static void fromFlag(Map<String, String> env, String variable, Map<String, String> hostEnv) {
        if (variable.startsWith("=")) throw new LaunchException("-e " + variable + ": no variable name");
        if (variable.contains("=")) put(env, variable);
        else if (hostEnv.containsKey(variable)) env.put(variable, hostEnv.get(variable));
    }

    private static void put(Map<String, String> env, String variable) {
        int equals = variable.indexOf('=');
        if (equals <= 0) throw new LaunchException("environment variable \"" + variable + "\" is not KEY=VALUE");
        env.put(variable.substring(0, equals), variable.substring(equals + 1));
    }

    /** podman's defaults, then --cap-drop, then --cap-add ("ALL" for every capability), names with or without CAP_. */
    static List<String> capabilities(List<String> add, List<String> drop) {
        Set<String> set = new LinkedHashSet<>(DEFAULT_CAPABILITIES);
        for (String name : drop) {
            if (name.equalsIgnoreCase("ALL")) set.clear();
            else set.remove(capability(name));
        }
        for (String name : add) {
            if (name.equalsIgnoreCase("ALL")) for (Capability c : Capability.values()) set.add(c.name());
            else set.add(capability(name));
        }
        return List.copyOf(set);
    }

    private static String capability(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        String full = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
        if (Capability.byName(full) == null) throw new LaunchException("\"" + name + "\" is not a capability");
        return full;
    }

    /** The spec fields launch writes from a flag, each with its flag: an error about the field names what the user wrote. */
    private static final Map<String, String> FLAG_OF_FIELD = Map.of(
            "config.json: linux.resources.memory.limit", "--memory",
            "config.json: linux.resources.cpu.quota", "--cpus",
            "config.json: linux.resources.cpu.period", "--cpus",
            "config.json: linux.resources.pids.limit", "--pids-limit");

    /** {@code message} with a spec field that a flag wrote named as that flag. */
    static String inFlagTerms(String message) {
        for (Map.Entry<String, String> field : FLAG_OF_FIELD.entrySet()) message = message.replace(field.getKey(), field.getValue());
        return message;
    }

    /** {@code -v HOST:CONTAINER[:ro|rw|…]}: a bind mount of a host path that must exist. */
    static Map<String, Object> volume(String volume) {
        String[] parts = volume.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new LaunchException("-v " + volume + ": not HOST-PATH:CONTAINER-PATH[:OPTIONS]");
        }
        if (!parts[0].startsWith("/")) {
            throw new LaunchException("-v " + volume + ": named volumes are not supported; give an absolute host path");
        }
        if (!Files.exists(Path.of(parts[0]))) throw new LaunchException("-v " + volume + ": " + parts[0] + " does not exist");
        List<String> bindOptions = new ArrayList<>();
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                switch (option) {
                    case "ro", "rw", "rprivate", "private", "rshared", "shared", "rslave", "slave", "nosuid", "nodev", "noexec" ->
                            bindOptions.add(option);
                    // SELinux relabelling: podman too does nothing when SELinux is off, as it is wherever hako runs today
                    case "z", "Z" -> { }
                    default -> throw new LaunchException("-v " + volume + ": unknown option \"" + option + "\"");
                }
            }
        }
        return bind(parts[0], absolute(parts[1], "-v"), bindOptions);
    }

    private static Map<String, Object> bind(String source, String destination, List<String> extra) {
        List<Object> options = new ArrayList<>(List.of("rbind"));
        options.addAll(extra);
        if (!extra.contains("ro") && !extra.contains("rw")) options.add("rw");
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", "bind");
        mount.put("source", source);
        mount.put("options", options);
        return mount;
    }

    private static Map<String, Object> tmpfs(String destination, List<String> options) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", "tmpfs");
        mount.put("source", "tmpfs");
        mount.put("options", new ArrayList<Object>(options));
        return mount;
    }

    /** An object whose keys keep their order: config.json is the same file for the same flags. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return object;
    }

    private static String absolute(String path, String flag) {
        if (!path.startsWith("/")) throw new LaunchException(flag + " " + path + ": the container path must be absolute");
        return path;
    }

    private static void resources(LaunchOptions options, Map<String, Object> resources) {
        if (options.memory() != null) {
            long limit = Sizes.bytes(options.memory(), "--memory");
            if (limit < 6 << 20) throw new LaunchException("--memory " + options.memory() + ": below the 6 MB that a container needs");
            resources.put("memory", ordered("limit", limit));
        }
        if (options.cpus() != null) {
            double cpus;
            try {
                cpus = Double.parseDouble(options.cpus());
            } catch (NumberFormatException e) {
                cpus = -1;
            }
            if (!(cpus > 0) || cpus > 1024) throw new LaunchException("--cpus " + options.cpus() + ": not a number of CPUs");
            long period = 100_000;
            resources.put("cpu", ordered("quota", Math.max(1000, Math.round(cpus * period)), "period", period));
        }
        if (options.pidsLimit() != null) {
            long limit;
            try {
                limit = Long.parseLong(options.pidsLimit());
            } catch (NumberFormatException e) {
                throw new LaunchException("--pids-limit " + options.pidsLimit() + ": not a number");
            }
            // docker's and podman's rule: 0 or less is no limit
            if (limit > 0) resources.put("pids", ordered("limit", limit));
        }
    }

    /** --security-opt: no-new-privileges, seccomp=unconfined|FILE (an OCI linux.seccomp object), apparmor=PROFILE, label=disable. */
    private static void security(String option, Map<String, Object> process, Map<String, Object> linux) {
        int equals = option.indexOf('=');
        if (equals < 0) equals = option.indexOf(':'); // docker's older spelling, seccomp:unconfined
        String key = equals < 0 ? option : option.substring(0, equals);
        String value = equals < 0 ? "" : option.substring(equals + 1);
        switch (key) {
            case "no-new-privileges" -> process.put("noNewPrivileges", !value.equals("false"));
            case "seccomp" -> {
                if (value.equals("unconfined")) linux.remove("seccomp");
                else linux.put("seccomp", seccompProfile(value));
            }
            case "apparmor" -> {
                if (value.isEmpty()) throw new LaunchException("--security-opt apparmor= needs a profile name");
                if (!value.equals("unconfined")) process.put("apparmorProfile", value);
            }
            case "label" -> {
                if (!value.equals("disable")) throw new LaunchException("--security-opt " + option + ": only label=disable is supported");
            }
            default -> throw new LaunchException("--security-opt " + option
                    + ": not one of no-new-privileges, seccomp=, apparmor=, label=disable");
        }
    }

    private static Object seccompProfile(String file) {
        Object profile;
        try {
            profile = Json.parse(Files.readString(Path.of(file)));
        } catch (IOException | JsonException e) {
            throw new LaunchException("--security-opt seccomp=" + file + ": " + e.getMessage());
        }
        if (!(profile instanceof Map<?, ?> map) || !map.containsKey("defaultAction")) {
            throw new LaunchException("--security-opt seccomp=" + file + ": not a seccomp profile (no defaultAction)");
        }
        if (map.containsKey("archMap")) {
            throw new LaunchException("--security-opt seccomp=" + file + ": Docker's archMap form is not read; give the OCI linux.seccomp object");
        }
        return profile;
    }
}
