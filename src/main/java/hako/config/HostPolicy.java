package hako.config;

import hako.Invocation;
import hako.toml.Toml;
import hako.toml.TomlTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The machine's policy for hako, from /etc/hako/hako.toml ({@code $HAKO_CONFIG} names another
 * file): the one place for what depends on the host rather than on a container. Clients such as
 * containerd and podman pass runc's flags only, so this is read by every hako the same way.
 * <pre>
 * [cgroup]
 * # a limit in config.json that this host's cgroup v2 tree cannot enforce (its controller bound to
 * # cgroup v1 on a hybrid host): "error" (the default: the container is refused) or "warn"
 * unenforceable-limits = "warn"
 * </pre>
 * Read only when a question comes up (a limit the host cannot enforce), so a command that never
 * asks does not pay for it.
 */
public record HostPolicy(String source, boolean warnOnUnenforceableLimits) {
    public static final Path DEFAULT_FILE = Path.of("/etc/hako/hako.toml");
    private static final Set<String> TABLES = Set.of("cgroup");
    private static final Set<String> CGROUP_KEYS = Set.of("unenforceable-limits");
    /** Per call: a warm runtime reads the file again for each (it may have changed), with the caller's $HAKO_CONFIG. */
    private static final Invocation.Local<HostPolicy> CURRENT = new Invocation.Local<>(HostPolicy::read);

    /** The machine's policy; the defaults when there is no file. */
    public static HostPolicy current() {
        return CURRENT.get();
    }

    private static HostPolicy read() {
        String named = Invocation.current().env("HAKO_CONFIG");
        Path file = named != null && !named.isEmpty() ? Invocation.current().path(named) : DEFAULT_FILE;
        return named == null && !Files.exists(file) ? new HostPolicy(null, false) : parse(Toml.read(file));
    }

    static HostPolicy parse(TomlTable file) {
        for (String key : file.keys()) {
            if (!TABLES.contains(key)) throw file.error(key, "hako.toml has no such setting (it has [cgroup])");
        }
        boolean warn = false;
        if (file.has("cgroup")) {
            TomlTable cgroup = file.table("cgroup");
            for (String key : cgroup.keys()) {
                if (!CGROUP_KEYS.contains(key)) throw cgroup.error(key, "no such setting (there is unenforceable-limits)");
            }
            String limits = cgroup.string("unenforceable-limits");
            if (limits != null) {
                warn = switch (limits) {
                    case "error" -> false;
                    case "warn" -> true;
                    default -> throw cgroup.error("unenforceable-limits", "\"error\" or \"warn\", not \"" + limits + "\"");
                };
            }
        }
        return new HostPolicy(file.source(), warn);
    }
}
