package hako.state;

/**
 * A container's status as the OCI runtime spec names it, and which commands each one allows —
 * the words are runc's, so that scripts and clients that match them keep working.
 */
public enum Status {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    /** The spec's word: {@code created}, {@code running}… */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Status of(String word) {
        return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }

    /** {@code start}: only a created container; otherwise runc's error. */
    public void checkStart() {
        if (this == CREATED) return;
        throw new StateException(switch (this) {
            case STOPPED -> "cannot start a container that has stopped";
            case RUNNING -> "cannot start an already running container";
            default -> "cannot start a container in the " + this + " state";
        });
    }

    /** {@code pause}: a running container, or a created one (runc freezes both). */
    public void checkPause() {
        if (this != RUNNING && this != CREATED) throw new StateException("container not running");
    }

    /** {@code resume}: a paused container. */
    public void checkResume() {
        if (this != PAUSED) throw new StateException("container not paused");
    }

    /** {@code exec}: not a stopped container, nor a paused one unless asked (--ignore-paused). */
    public void checkExec(boolean ignorePaused) {
        if (this == STOPPED) throw new StateException("cannot exec in a stopped container");
        if (this == PAUSED && !ignorePaused) throw new StateException("cannot exec in a paused container (use --ignore-paused to override)");
    }

    /** {@code update}: anything that has not stopped. */
    public void checkUpdate() {
        if (this == STOPPED) throw new StateException("cannot update a container that is stopped");
    }

    /** {@code delete} without --force: what does not run (runc kills a created container on delete). */
    public boolean deletableWithoutForce() {
        return this == STOPPED || this == CREATED || this == CREATING;
    }

    /** Whether something of the container may still run, and delete must kill it. */
    public boolean mayRun() {
        return this != STOPPED;
    }
}
