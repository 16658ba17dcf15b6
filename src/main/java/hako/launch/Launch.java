package hako.launch;

import hako.container.ContainerException;
import hako.container.ContainerStatus;
import hako.container.Delete;
import hako.container.Handover;
import hako.container.Kill;
import hako.container.Run;
import hako.container.Start;
import hako.image.ImageRecord;
import hako.image.ImageStore;
import hako.net.NetworkRequest;
import hako.state.ContainerId;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.StateException;
import hako.state.Status;
import hako.sys.Caller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code hako launch IMAGE [COMMAND…]}: a container from an image in one line. It writes a real
 * OCI bundle (the container's directory, {@link LaunchedContainer}) over an overlayfs of the
 * image's layers, then takes the same create/start path as {@code hako run}, so that state, exec,
 * kill, delete, ps, events and the network work on it as on any container.
 */
public final class Launch {
    private static final long CREATE_TIMEOUT_NANOS = 60_000_000_000L;
    private final StateDir states;
    private final ImageStore images;
    private final LaunchStore containers;

    public Launch(StateDir states, ImageStore images, LaunchStore containers) {
        this.states = states;
        this.images = images;
        this.containers = containers;
    }

    /** The container made, mounted and ready for create; undone whole if any step fails. */
    public LaunchedContainer prepare(LaunchOptions options, String[] image, Map<String, String> hostEnv) {
        Caller caller = Caller.current();
        if (caller.rootless()) RootlessLaunch.check(options);
        ImageRecord record = images.find(image[0], image[1]);
        ImageConfig config = ImageConfig.parse(images.blob(record.config()), "the config of " + image[0] + ":" + image[1]);
        String name = options.name() != null ? ContainerId.check(options.name()) : generatedName(record.name());
        LaunchedContainer container = containers.claim(name);
        try {
            List<Path> layers = new ArrayList<>();
            for (ImageRecord.StoredLayer layer : record.layers()) layers.add(images.layerDirectory(layer.digest()));
            String who = options.user() != null ? options.user() : config.user();
            Map<String, Object> spec;
            if (caller.rootless()) {
                // mounted by the stage, in the container's user namespace (RootlessLaunch)
                Users.Resolved user = Users.resolveInLayers(who, layers);
                spec = LaunchSpec.build(options, config, name, user, hostEnv);
                RootlessLaunch.apply(spec, caller.uid(), caller.gid(), user, Overlay.options(layers, container.upper(), container.work()));
            } else {
                Overlay.mount(layers, container.upper(), container.work(), container.rootfs());
                spec = LaunchSpec.build(options, config, name, Users.resolve(who, container.rootfs().toString()), hostEnv);
            }
            container.writeSpec(spec);
            container.writeRecord(LaunchedContainer.newRecord(name, record.name() + ":" + record.tag(), record.manifest().toString(),
                    layers, LaunchSpec.arguments(options, config), options, config));
            return container;
        } catch (RuntimeException e) {
            containers.remove(container);
            throw e;
        }
    }

    /** In the foreground: hako stays with the process and returns its exit code, recorded in the container's directory. */
    public int foreground(LaunchedContainer container, LaunchOptions options) {
        int code;
        try {
            if (!options.interactive() && !options.tty()) hako.Invocation.current().dropStdin();
            // the network is in the bundle's annotations (LaunchSpec), as for a detached container
            code = Run.foreground(states, container.name(), container.directory(), Handover.NONE, NetworkRequest.Flags.NONE, false, true, false);
        } catch (RuntimeException e) {
            // it never ran: nothing of it is worth keeping, and its name is free again
            containers.remove(container);
            String message = LaunchSpec.inFlagTerms(String.valueOf(e.getMessage()));
            if (message.equals(e.getMessage())) throw e;
            throw new LaunchException(message);
        }
        container.recordExit(code);
        finish(container, options.remove());
        return code;
    }

    /** After the process: the root filesystem unmounted, and with --rm the whole directory gone. */
    public void finish(LaunchedContainer container, boolean remove) {
        if (remove) containers.remove(container);
        else Overlay.unmount(container.rootfs());
    }

    /**
     * Detached: conmon runs {@code hako create} and stays as the init's parent; once the container
     * is created, it is started from here, and launch returns.
     *
     * @param hako    the launcher conmon runs (create, then cleanup when the process ends)
     * @param globals the global flags those need (--root, --image-root)
     */
    public void detached(LaunchedContainer container, LaunchOptions options, String hako, List<String> globals) {
        try {
            underConmon(container, options.tty(), options.interactive(), hako, globals);
        } catch (RuntimeException e) {
            cleanup(container.name(), true, null);
            throw e;
        }
    }

    /**
     * Starts the container under a new conmon. Its token is made the container's only once the
     * container runs: a cleanup conmon runs before that (create failed) does nothing, and this
     * side, which still has the error to show, undoes. A process that ended before the token was
     * written has had its cleanup refused, so it is cleaned up here.
     */
    private void underConmon(LaunchedContainer container, boolean tty, boolean stdin, String hako, List<String> globals) {
        String run = LaunchedContainer.newToken();
        List<String> command = Conmon.command(Conmon.find(), container, run, hako, globals, tty, stdin);
        Conmon.start(command, container);
        awaitCreated(container);
        Start.start(states, container.name());
        try (LaunchStore.Lock lock = containers.lock(container)) {
            container.writeRun(run);
        }
        if (container.exitCode() != null) cleanup(container.name(), false, run);
    }

    /**
     * {@code hako restart}: stopped as by {@link #stop} if it runs, then started again under a new
     * conmon with the flags it was launched with, always detached (as docker restart). A token
     * of its own, written before the stop, turns the old monitor's cleanup into a no-op: it would
     * otherwise delete the new container's state, or remove a --rm container for good.
     */
    public void restart(String name, int signal, long timeoutSeconds, String hako, List<String> globals) {
        LaunchedContainer container = containers.find(name);
        try (LaunchStore.Lock lock = containers.lock(container)) {
            container.writeRun(LaunchedContainer.newToken());
        }
        stop(name, signal, timeoutSeconds);
        // the old conmon writes the exit code once the process is gone: wait for it, or it would land on the new run
        Conmon.awaitGone(container.conmonPid(), 10_000);
        try (LaunchStore.Lock lock = containers.lock(container)) {
            if (states.exists(name)) Delete.delete(states, name, true);
            Overlay.unmount(container.rootfs());
            Overlay.mount(container.layers(), container.upper(), container.work(), container.rootfs());
            container.forgetExit();
        }
        try {
            underConmon(container, container.flag("tty"), container.flag("interactive"), hako, globals);
        } catch (RuntimeException e) {
            cleanup(name, false, null);
            throw e;
        }
    }

    /** Until hako create, under conmon, has made the container; its error if it failed instead. */
    private void awaitCreated(LaunchedContainer container) {
        long deadline = System.nanoTime() + CREATE_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            Status status = status(container.name());
            if (status == Status.CREATED) return;
            if (status == Status.STOPPED) break;
            if (Files.exists(container.exitFile())) break; // conmon saw create fail
            int conmon = container.conmonPid(); // 0 until conmon has written it
            if (conmon > 0 && !Conmon.alive(conmon)) break; // conmon gave up: create failed before the init was there
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while waiting for the container");
            }
        }
        try {
            // create writes its error as it ends, after its undo (when the state may already say stopped); conmon waits for it
            Conmon.awaitGone(container.conmonPid(), 10_000);
        } catch (LaunchException e) {
            // still there: say what is known
        }
        if (Files.exists(container.runtimeLog())) throw new LaunchException(LaunchSpec.inFlagTerms(Conmon.lastError(container.runtimeLog())
                    .replace("creating container \"" + container.name() + "\": ", "")));
        throw new LaunchException("the container was not created within " + CREATE_TIMEOUT_NANOS / 1_000_000_000 + " s");
    }

    /**
     * What follows the end of a container's process (conmon runs it, and {@code hako rm}): its
     * runtime state deleted, its root filesystem unmounted, and, for --rm or {@code remove}, its
     * directory gone. Safe to run twice, and at once: the container's lock orders them.
     *
     * @param run the token of the monitor asking (conmon passes its own); a token other than the
     *            container's current one (a monitor a restart replaced, or one whose container
     *            never ran) does nothing; null for hako's own callers
     */
    public void cleanup(String name, boolean remove, String run) {
        LaunchedContainer container;
        try {
            container = containers.find(name);
        } catch (LaunchException e) {
            return; // removed already
        }
        try (LaunchStore.Lock lock = containers.lock(container)) {
            if (run != null && !run.equals(container.run())) return;
            if (states.exists(name)) Delete.delete(states, name, true);
            if (remove || container.flag("remove")) containers.remove(container);
            else Overlay.unmount(container.rootfs());
        }
    }

    /** {@code hako rm}: a container that still runs is refused unless {@code force}, which kills it first. */
    public void remove(String name, boolean force) {
        containers.find(name);
        Status status = status(name);
        if (status != null) {
            if (status != Status.STOPPED && !force) {
                throw new LaunchException("container \"" + name + "\" is " + status + ": stop it first, or rm -f");
            }
        }
        cleanup(name, true, null);
    }

    /**
     * {@code hako stop}: {@code signal} (the image's StopSignal unless told), then SIGKILL after
     * {@code timeoutSeconds}, as docker stop; returns once the process has ended.
     */
    public void stop(String name, int signal, long timeoutSeconds) {
        containers.find(name);
        if (!running(name)) return;
        try {
            Kill.kill(states, name, signal, false); // to the init only, as docker stop
        } catch (ContainerException e) {
            if (!running(name)) return; // it ended between the look and the signal
            throw e;
        }
        if (awaitStopped(name, timeoutSeconds * 1000)) return;
        Kill.kill(states, name, 9, true);
        if (!awaitStopped(name, 10_000)) throw new LaunchException("container \"" + name + "\" did not stop after SIGKILL");
    }

    /** Whether the container's process is there (created, running or paused). */
    public boolean running(String name) {
        Status status = status(name);
        return status != null && status != Status.STOPPED;
    }

    /** The runtime's status of the container, or null while it has no state (not yet made, or deleted). */
    private Status status(String name) {
        try {
            return states.exists(name) ? ContainerStatus.of(states, states.load(name)) : null;
        } catch (StateException e) {
            return null; // its directory made, its state not yet written; or deleted between the two looks
        }
    }

    /** {@code hako inspect}: the container as JSON ({@link ContainerInspection}). */
    public Map<String, Object> inspect(String name) {
        LaunchedContainer container = containers.find(name);
        try {
            if (states.exists(name)) {
                ContainerState state = states.load(name);
                return ContainerInspection.of(container, state, ContainerStatus.of(states, state));
            }
        } catch (StateException e) {
            // deleted between the two looks: it has no runtime state, as below
        }
        return ContainerInspection.of(container, null, null);
    }

    /** The exit code once the monitor has recorded it, waiting at most {@code millis}; null if it did not. */
    public Integer awaitExitCode(LaunchedContainer container, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        Integer code;
        while ((code = container.exitCode()) == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return code;
    }

    private boolean awaitStopped(String name, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        do {
            if (!running(name)) return true;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** The image's last name part and a few random hex digits, as a readable default for --name. */
    static String generatedName(String image) {
        String base = image.substring(image.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_.-]", "-");
        return base + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }
}
