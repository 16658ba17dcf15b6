package hako.cli;

import hako.container.Exec;
import hako.json.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.state.ContainerId;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hako exec [flags] ID [COMMAND [ARG…]]} or {@code --process FILE}: runc's exec. Without
 * --process, the new process starts from the container's own (environment, capabilities,
 * rlimits, user) with the flags' changes, as runc does.
 */
final class ExecCommand {
    private ExecCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("exec")
                .value("process", "p").value("console-socket").value("pidfd-socket").value("cwd").value("env", "e").value("user", "u")
                .value("additional-gids", "g").value("pid-file").value("cap", "c").value("preserve-fds")
                .value("process-label").value("apparmor").value("cgroup")
                .flag("tty", "t").flag("detach", "d").flag("no-new-privs").flag("ignore-paused")
                .parse(argv, 1);
        if (args.positional().isEmpty()) throw new UsageException("exec", "a container id is required");
        String id = ContainerId.check(args.positional().getFirst());
        globals.context = "exec in container \"" + id + "\"";
        globals.failureCode = 255;
        List<String> command = args.positional().subList(1, args.positional().size());
        Spec.Process process;
        if (args.get("process") != null) {
            if (!command.isEmpty()) throw new UsageException("exec", "give either --process or a command, not both");
            process = SpecReader.readProcess(hako.Invocation.current().pathOrNull(args.get("process")));
        } else {
            if (command.isEmpty()) throw new UsageException("exec", "a command to run is required (or --process FILE)");
            process = fromFlags(Exec.containerProcess(globals.root, id), command, args);
        }
        Exec.Options options = new Exec.Options(args.has("detach"), args.has("ignore-paused"), subCgroup(args.all("cgroup")));
        return Exec.exec(globals.root, id, process, CreateCommand.handover(args), options);
    }

    /** The container's process with the command and the flags' changes, validated as process.json is. */
    @SuppressWarnings("unchecked")
    private static Spec.Process fromFlags(Map<String, Object> base, List<String> command, Args args) {
        Map<String, Object> process = (Map<String, Object>) Json.copy(base);
        process.put("args", new ArrayList<>(command));
        process.put("terminal", args.has("tty"));
        process.remove("consoleSize");
        List<Object> env = new ArrayList<>((List<Object>) process.getOrDefault("env", List.of()));
        env.addAll(args.all("env"));
        process.put("env", env);
        if (args.get("cwd") != null) process.put("cwd", args.get("cwd"));
        if (args.get("apparmor") != null) process.put("apparmorProfile", args.get("apparmor"));
        if (args.get("process-label") != null) process.put("selinuxLabel", args.get("process-label"));
        Map<String, Object> user = new LinkedHashMap<>((Map<String, Object>) process.getOrDefault("user", Map.of()));
        if (args.get("user") != null) user(args.get("user"), user);
        if (!args.all("additional-gids").isEmpty()) {
            List<Object> all = new ArrayList<>((List<Object>) user.getOrDefault("additionalGids", List.of()));
            all.addAll(gids(args.all("additional-gids")));
            user.put("additionalGids", all);
        }
        process.put("user", user);
        if (args.get("no-new-privs") != null) process.put("noNewPrivileges", args.has("no-new-privs"));
        if (!args.all("cap").isEmpty() && process.get("capabilities") instanceof Map<?, ?> caps) {
            Map<String, Object> added = new LinkedHashMap<>((Map<String, Object>) caps);
            // As runc: ambient too only when the spec has an inheritable set (ambient needs it).
            List<String> sets = new ArrayList<>(List.of("bounding", "effective", "permitted"));
            if (added.get("inheritable") != null) sets.add("ambient");
            for (String set : sets) {
                List<Object> list = new ArrayList<>((List<Object>) added.getOrDefault(set, List.of()));
                list.addAll(args.all("cap"));
                added.put(set, list);
            }
            process.put("capabilities", added);
        }
        return SpecReader.process(process, "exec");
    }

    /** {@code -u uid[:gid]}, numeric as runc takes it: what is not given stays the container's. */
    private static void user(String text, Map<String, Object> user) {
        String[] parts = text.split(":", 2);
        try {
            user.put("uid", Long.parseLong(parts[0]));
            if (parts.length == 2) user.put("gid", Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            throw new UsageException("exec", "--user takes numeric uid[:gid], not \"" + text + "\"");
        }
    }

    /**
     * {@code --cgroup PATH}, or runc's cgroup v1 form {@code CONTROLLER[,…]:PATH} where every
     * controller names the same path: a sub-cgroup of the container's that must exist.
     */
    private static String subCgroup(List<String> values) {
        String path = null;
        for (String value : values) {
            int colon = value.indexOf(':');
            if (colon == 0) throw new UsageException("exec", "invalid --cgroup argument: " + value + " (empty <controller> prefix)");
            String sub = colon < 0 ? value : value.substring(colon + 1);
            if (path != null && !path.equals(sub)) {
                throw new UsageException("exec", "--cgroup: cgroup v2 has one tree: every controller must name the same path");
            }
            path = sub;
        }
        return path;
    }

    private static List<Object> gids(List<String> values) {
        List<Object> gids = new ArrayList<>();
        for (String value : values) {
            for (String gid : value.split(",")) {
                try {
                    gids.add(Long.parseLong(gid.trim()));
                } catch (NumberFormatException e) {
                    throw new UsageException("exec", "--additional-gids takes numbers, not \"" + gid + "\"");
                }
            }
        }
        return gids;
    }
}
