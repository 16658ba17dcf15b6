package hako.cli;

import hako.container.Exec;
import hako.spec.Json;
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
                .value("process", "p").value("console-socket").value("cwd").value("env", "e").value("user", "u")
                .value("additional-gids", "g").value("pid-file").value("cap", "c").value("preserve-fds")
                .value("process-label").value("apparmor").value("cgroup")
                .flag("tty", "t").flag("detach", "d").flag("no-new-privs").flag("ignore-paused")
                .parse(argv, 1);
        if (args.positional().isEmpty()) throw new UsageException("exec", "a container id is required");
        String id = ContainerId.check(args.positional().getFirst());
        globals.context = "exec in container \"" + id + "\"";
        List<String> command = args.positional().subList(1, args.positional().size());
        Spec.Process process;
        if (args.get("process") != null) {
            if (!command.isEmpty()) throw new UsageException("exec", "give either --process or a command, not both");
            process = SpecReader.readProcess(Path.of(args.get("process")));
        } else {
            if (command.isEmpty()) throw new UsageException("exec", "a command to run is required (or --process FILE)");
            process = fromFlags(Exec.containerProcess(globals.root, id), command, args);
        }
        return Exec.exec(globals.root, id, process, CreateCommand.handover(args), args.has("detach"));
    }

    /** The container's process with the command and the flags' changes, validated as process.json is. */
    @SuppressWarnings("unchecked")
    private static Spec.Process fromFlags(Map<String, Object> base, List<String> command, Args args) {
        Map<String, Object> process = (Map<String, Object>) Json.parse(Json.write(base));
        process.put("args", new ArrayList<>(command));
        process.put("terminal", args.has("tty"));
        process.remove("consoleSize");
        List<Object> env = new ArrayList<>((List<Object>) process.getOrDefault("env", List.of()));
        env.addAll(args.all("env"));
        process.put("env", env);
        if (args.get("cwd") != null) process.put("cwd", args.get("cwd"));
        if (args.get("user") != null) process.put("user", user(args.get("user"), args.all("additional-gids")));
        else if (!args.all("additional-gids").isEmpty()) {
            Map<String, Object> user = new LinkedHashMap<>((Map<String, Object>) process.getOrDefault("user", Map.of()));
            user.put("additionalGids", gids(args.all("additional-gids")));
            process.put("user", user);
        }
        if (args.has("no-new-privs")) process.put("noNewPrivileges", true);
        if (!args.all("cap").isEmpty() && process.get("capabilities") instanceof Map<?, ?> caps) {
            Map<String, Object> added = new LinkedHashMap<>((Map<String, Object>) caps);
            for (String set : new String[] {"bounding", "effective", "permitted"}) {
                List<Object> list = new ArrayList<>((List<Object>) added.getOrDefault(set, List.of()));
                list.addAll(args.all("cap"));
                added.put(set, list);
            }
            process.put("capabilities", added);
        }
        return SpecReader.parseProcess(Json.write(process), "exec");
    }

    /** {@code -u uid[:gid]}, numeric as runc takes it. */
    private static Map<String, Object> user(String text, List<String> additionalGids) {
        String[] parts = text.split(":", 2);
        Map<String, Object> user = new LinkedHashMap<>();
        try {
            user.put("uid", Long.parseLong(parts[0]));
            user.put("gid", parts.length == 2 ? Long.parseLong(parts[1]) : 0L);
        } catch (NumberFormatException e) {
            throw new UsageException("exec", "--user takes numeric uid[:gid], not \"" + text + "\"");
        }
        if (!additionalGids.isEmpty()) user.put("additionalGids", gids(additionalGids));
        return user;
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
