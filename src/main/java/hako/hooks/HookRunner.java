package hako.hooks;

import hako.plan.Op;
import hako.stage.Stage;
import hako.sys.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs hooks with the container's state (OCI state JSON) on their stdin, one after the other; the
 * first that fails, or runs past its timeout, stops the rest with an error naming it.
 */
public final class HookRunner {
    private HookRunner() {}

    /** In the runtime's namespaces: prestart, createRuntime, poststart, poststop. */
    public static void onHost(List<Hook> hooks, String kind, String state) {
        for (Hook hook : hooks) onHost(hook, kind, state);
    }

    private static void onHost(Hook hook, String kind, String state) {
        List<String> command = new ArrayList<>();
        command.add(hook.path());
        command.addAll(hook.args().subList(1, hook.args().size()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (hook.env() != null) {
            builder.environment().clear();
            for (String variable : hook.env()) {
                int equals = variable.indexOf('=');
                if (equals > 0) builder.environment().put(variable.substring(0, equals), variable.substring(equals + 1));
            }
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new HookException(kind + " hook " + hook.path() + " could not be started: " + e.getMessage());
        }
        Output output = new Output(process.getInputStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write(state.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the hook did not read its stdin: that is its business
        }
        try {
            boolean ended = hook.timeout() == null ? process.waitFor() >= 0
                    : process.waitFor(hook.timeout(), TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
                throw new HookException(kind + " hook " + hook.path() + " timed out after " + hook.timeout() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HookException(kind + " hook " + hook.path() + " was interrupted");
        }
        if (process.exitValue() != 0) {
            throw new HookException(kind + " hook " + hook.path() + " exited with status " + process.exitValue() + output.text());
        }
    }

    /**
     * In the container's namespaces (createContainer, startContainer): the stage joins those of
     * init, the way exec does, and execs the hook there with the state on a pipe as its stdin.
     *
     * @param namespaces the proc names of init's namespaces, the mount namespace last
     */
    public static void inContainer(List<Hook> hooks, String kind, String state, int initPid, List<String> namespaces) {
        for (Hook hook : hooks) inContainer(hook, kind, state, initPid, namespaces);
    }

    private static void inContainer(Hook hook, String kind, String state, int initPid, List<String> namespaces) {
        List<Op> join = new ArrayList<>();
        int[] fds = new int[namespaces.size()];
        int[] pipe = Libc.pipe("making the stdin of a hook");
        try (Stage stage = Stage.launch()) {
            for (int i = 0; i < namespaces.size(); i++) {
                String path = "/proc/" + initPid + "/ns/" + namespaces.get(i);
                fds[i] = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, "opening " + path);
                join.add(new Op.SetNs(i, path, 0));
            }
            join.add(new Op.Clone(0, Op.Clone.NO_CGROUP));
            int pid = stage.cloneInit(join, fds);
            // The state fits in the pipe's buffer: written whole now, read by the hook at its pace.
            Libc.writeFully(pipe[1], state.getBytes(StandardCharsets.UTF_8), "writing the state to a hook");
            Libc.close(pipe[1]);
            pipe[1] = -1;
            try {
                stage.exec(List.of(new Op.Dup2(0, 0),
                        new Op.Exec(List.of(hook.path()), hook.args(), hook.env() == null ? List.of() : hook.env())), pipe[0]);
            } catch (RuntimeException e) {
                Libc.waitpid(pid, "waiting for a hook");
                throw new HookException(kind + " hook " + hook.path() + " could not be started: " + e.getMessage());
            }
            await(hook, kind, pid);
        } finally {
            for (int fd : fds) Libc.close(fd);
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }

    /** Waits for the hook (our child: the stage cloned it CLONE_PARENT), killing it at its timeout. */
    private static void await(Hook hook, String kind, int pid) {
        if (hook.timeout() != null) {
            int pidfd = Libc.pidfdOpen(pid);
            boolean ended = pidfd < 0
                    || (Libc.poll(pidfd, Libc.POLLIN, hook.timeout() * 1000L, "waiting for a hook") & Libc.POLLIN) != 0;
            Libc.close(pidfd);
            if (!ended) {
                Libc.kill(pid, Libc.SIGKILL);
                Libc.waitpid(pid, "waiting for a hook");
                throw new HookException(kind + " hook " + hook.path() + " timed out after " + hook.timeout() + " s");
            }
        }
        int code = Libc.exitCode(Libc.waitpid(pid, "waiting for a hook"));
        if (code != 0) throw new HookException(kind + " hook " + hook.path() + " exited with status " + code);
    }

    /** The tail of what a hook printed, to put in its error. */
    private static final class Output {
        private volatile String text = "";
        private final Thread reader;

        Output(InputStream stream) {
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (stream) {
                    text = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    // the hook closed its output: fine
                }
            });
        }

        String text() {
            try {
                reader.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String all = text.strip();
            if (all.isEmpty()) return "";
            return ": " + (all.length() > 500 ? "…" + all.substring(all.length() - 500) : all).replace('\n', ' ');
        }
    }
}
