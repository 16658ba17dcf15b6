package hako.cli;

import hako.Invocation;
import hako.HakoException;
import hako.state.StateDir;

/** What the global flags set, and how every command reports a failure. */
final class Globals {
    boolean debug;
    Log log = Log.open(null, "text");
    StateDir root = new StateDir(StateDir.DEFAULT_ROOT);
    /** --image-root, or null: the store's place then follows the state root (hako.image.ImageStore#defaultRoot). */
    String imageRoot;
    boolean explicitRoot;
    /** --systemd-cgroup: containers' cgroups are systemd units (hako.cgroup.SystemdScope), as runc's flag. */
    boolean systemdCgroup;

    /** The local image store, made only by the commands that use it. */
    hako.image.ImageStore images() {
        java.nio.file.Path path = imageRoot != null ? java.nio.file.Path.of(imageRoot)
                : hako.image.ImageStore.defaultRoot(root.root(), explicitRoot, hako.sys.Caller.current().rootless());
        return new hako.image.ImageStore(path);
    }

    /** --registries-conf, or null: $CONTAINERS_REGISTRIES_CONF, else podman's files. */
    String registriesConf;

    /** What registries.conf says, read only by the commands that pull. */
    hako.image.RegistriesConf registries() {
        String explicit = registriesConf != null ? registriesConf : Invocation.current().env("CONTAINERS_REGISTRIES_CONF");
        String home = Invocation.current().env("HOME");
        return hako.image.RegistriesConf.load(explicit == null || explicit.isEmpty() ? null : java.nio.file.Path.of(explicit),
                java.nio.file.Path.of("/etc/containers"), java.nio.file.Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home")));
    }

    /** What the command was doing, for the error line: {@code creating container "web"}. */
    String context;
    /**
     * The exit code of a failure: 1, or 255 for exec, whose process's own codes are 1 to 254
     * (runc's, which clients tell apart).
     */
    int failureCode = 1;

    /** Prints one line for people (a stack trace too with --debug) and returns the exit code. */
    int fail(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!(e instanceof HakoException)) {
            message = "internal error: " + e + (debug ? "" : " (run with --debug for details)");
        }
        log.error(context == null ? message : context + ": " + message);
        if (debug) e.printStackTrace();
        return failureCode;
    }
}
