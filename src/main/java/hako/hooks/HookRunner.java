package hako.hooks;

import hako.Invocation;
import hako.spec.Hook;
import hako.Warnings;
import hako.stage.Op;
import hako.plan.Planner;
import hako.security.Identity;
import hako.spec.Spec;
import hako.stage.StageChannel;
import hako.sys.Libc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs hooks one after the other, each with the container's state (OCI state JSON) on its stdin.
 *
 * <p>Every hook is started by the stage, not by {@link ProcessBuilder}: a hook's {@code args} is
 * its whole argv, {@code args[0]} included, and only execve can pass an argv[0] that differs from
 * the program (Docker's prestart hook is {@code /proc/PID/exe libnetwork-setkey …}). The stage
 * joins the container's namespaces first when the hook belongs there. What a hook prints goes to
 * a memfd, never to the runtime's stdout (the container's log under podman), and its tail is put
 * in the error when the hook fails.
 */
public final class HookRunner {
    private static final int OUTPUT_TAIL = 500;

    private final HookCalls calls;

    /** @param calls the machine (or a test's recording fake) */
    public HookRunner(HookCalls calls) {
        this.calls = calls;
    }

    /**
     * Where a hook runs, as runc runs it: on the host in the bundle directory (runc changes to it
     * before anything else) with the runtime's environment, or in the namespaces of a
     * container's init.
     *
     * @param cwd        the directory it starts in
     * @param namespaces the proc names of init's namespaces, the mount namespace last; empty on the host
     * @param env        the environment of a hook without {@code env}; null for the runtime's own
     * @param process    whose identity the hook takes (ids, groups, capabilities, no_new_privs,
     *                   limits, umask); null to keep the runtime's
     * @param cgroup     the cgroup the hook is born in, or null for the runtime's
     * @param seccomp    the filter the hook runs under, or null for none
     */
    public record Place(String cwd, int initPid, List<String> namespaces, List<String> env, Spec.Process process,
                        Path cgroup, Op.Seccomp seccomp) {
        public static Place host(Path bundle) {
            return new Place(bundle.toString(), 0, List.of(), null, null, null, null);
        }

        /** createContainer: in the container's namespaces before pivot_root, in the rootfs, with no environment. */
        public static Place beforePivot(int initPid, List<String> namespaces, Path rootfs) {
            return new Place(rootfs.toString(), initPid, namespaces, List.of(), null, null, null);
        }

        /**
         * startContainer: as runc runs it, from init just before the exec — so as the container's
         * process is: in its namespaces and cgroup, its directory and environment, its user and
         * groups, its capabilities and no_new_privs. Not with the runtime's full root: the hook
         * belongs to the container, and must not be able to do what its process cannot. Under the
         * container's seccomp filter where runc's init has loaded it by then: without
         * no_new_privs (with it, runc loads the filter after the hooks, just before execve). A
         * filter that notifies an agent is not loaded: no agent would get the hook's listener.
         */
        public static Place asTheProcess(int initPid, List<String> namespaces, Spec.Process process, Path cgroup,
                                         hako.seccomp.Program seccomp) {
            boolean filtered = seccomp != null && !process.noNewPrivileges()
                    && (seccomp.flags() & hako.seccomp.Program.FLAG_NEW_LISTENER) == 0;
            return new Place(process.cwd(), initPid, namespaces, process.env(), process, cgroup,
                    filtered ? new Op.Seccomp(seccomp) : null);
        }
    }

    /**
     * prestart, createRuntime, createContainer, startContainer: the first hook that fails, or runs
     * past its timeout, stops the rest with an error naming it.
     */
    public void run(List<Hook> hooks, String kind, String state, Place place) {
        for (int i = 0; i < hooks.size(); i++) run(hooks.get(i), i, kind, state, place);
    }

    /**
     * poststart, poststop: a hook that fails is a warning, and the remaining hooks and the
     * lifecycle go on as if it had succeeded (the runtime spec's lifecycle, as crun does it).
     */
    public void runWarningOnFailure(List<Hook> hooks, String kind, String state, Place place) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                run(hooks.get(i), i, kind, state, place);
            } catch (HookException e) {
                Warnings.print(e.getMessage());
            }
        }
    }

    private void run(Hook hook, int index, String kind, String state, Place place) {
        String name = kind + " hook #" + index + " (" + hook.path() + ")";
        int[] namespaces = new int[place.namespaces().size()];
        java.util.Arrays.fill(namespaces, -1);
        int stdin = -1, output = -1, pid = 0, cgroup = -1;
        try {
            stdin = stateFile(state);
            output = calls.memfd("hako-hook-output");
            List<Op> join = new ArrayList<>(Planner.join(place.initPid(), place.namespaces()));
            for (int i = 0; i < namespaces.length; i++) {
                String path = ((Op.SetNs) join.get(i)).path();
                namespaces[i] = calls.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, "opening " + path);
            }
            int[] fds = namespaces;
            boolean bornInCgroup = place.cgroup() != null && Planner.bornInCgroup(place.namespaces());
            if (bornInCgroup) {
                cgroup = calls.openCgroup(place.cgroup());
                fds = java.util.Arrays.copyOf(namespaces, namespaces.length + 1);
                fds[namespaces.length] = cgroup;
            }
            join.add(new Op.Clone(0, cgroup < 0 ? Op.Clone.NO_CGROUP : namespaces.length));
            try (StageChannel stage = calls.launchStage(0)) {
                pid = stage.cloneInit(join, fds);
                // See Planner.bornInCgroup: moved before it runs anything.
                if (place.cgroup() != null && !bornInCgroup) calls.adoptIntoCgroup(place.cgroup(), pid);
                stage.exec(process(hook, place), stdin, output);
            } catch (RuntimeException e) {
                // Init got end-of-file when the stage closed, and exits: reap it.
                if (pid > 0) calls.waitpid(pid, "waiting for a hook");
                throw new HookException(name + " could not be started: " + e.getMessage());
            }
            int code = await(hook, name, pid);
            if (code != 0) throw new HookException(name + " exited with status " + code + tail(output));
        } finally {
            for (int fd : namespaces) calls.close(fd);
            calls.close(cgroup);
            calls.close(stdin);
            calls.close(output);
        }
    }

    /** The hook's last batch: its stdin, stdout and stderr, its directory, its exec. */
    private static List<Op> process(Hook hook, Place place) {
        List<Op> ops = new ArrayList<>(List.of(new Op.Dup2(0, 0), new Op.Dup2(1, 1), new Op.Dup2(1, 2)));
        // setgroups as the container's process could: denied only to a rootless caller's namespace.
        // The filter first, while the hook may still load one (CAP_SYS_ADMIN), as runc's init does.
        if (place.seccomp() != null) ops.add(place.seccomp());
        if (place.process() != null) Identity.plan(place.process(), !hako.sys.Caller.current().rootless(), ops);
        // After the switch of user, as the process's own: checked with the user's rights.
        ops.add(new Op.Chdir(place.cwd()));
        ops.add(new Op.Exec(List.of(hook.path()), hook.args(), environment(hook, place)));
        return ops;
    }

    /** A hook without {@code env} gets its place's (runc: Go's exec with a nil Env, in its process). */
    private static List<String> environment(Hook hook, Place place) {
        if (hook.env() != null) return hook.env();
        if (place.env() != null) return place.env();
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> variable : Invocation.current().env().entrySet()) {
            env.add(variable.getKey() + "=" + variable.getValue());
        }
        return env;
    }

    /** The state in a memfd read from its start: any size, and nothing to block on. */
    private int stateFile(String state) {
        int fd = calls.memfd("hako-hook-state");
        calls.writeFully(fd, state.getBytes(StandardCharsets.UTF_8), "writing the state for a hook");
        calls.seek(fd, 0, Libc.SEEK_SET, "rewinding the state for a hook");
        return fd;
    }

    /** Waits for the hook (our child: the stage cloned it CLONE_PARENT), killing it at its timeout. */
    private int await(Hook hook, String name, int pid) {
        if (hook.timeout() != null) {
            int pidfd = calls.pidfdOpen(pid);
            boolean ended = pidfd < 0
                    || (calls.poll(pidfd, Libc.POLLIN, hook.timeout() * 1000L, "waiting for a hook") & Libc.POLLIN) != 0;
            calls.close(pidfd);
            if (!ended) {
                calls.kill(pid, Libc.SIGKILL);
                calls.waitpid(pid, "waiting for a hook");
                throw new HookException(name + " timed out after " + hook.timeout() + " s");
            }
        }
        return Libc.exitCode(calls.waitpid(pid, "waiting for a hook"));
    }

    /** The end of what a hook printed, for its error. */
    private String tail(int output) {
        long size = calls.seek(output, 0, Libc.SEEK_END, "reading what a hook printed");
        calls.seek(output, Math.max(0, size - OUTPUT_TAIL), Libc.SEEK_SET, "reading what a hook printed");
        byte[] bytes = calls.read(output, OUTPUT_TAIL, "reading what a hook printed");
        String text = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) return "";
        return ": " + (size > OUTPUT_TAIL ? "…" : "") + text.replace('\n', ' ');
    }
}
