package hako.cli;

import hako.container.ContainerException;
import hako.plan.PlanException;
import hako.spec.SpecException;
import hako.stage.StageFailure;
import hako.state.StateDir;
import hako.sys.SysException;

/** What the global flags set, and how every command reports a failure. */
final class Globals {
    boolean debug;
    Log log = Log.open(null, "text");
    StateDir root = new StateDir(StateDir.DEFAULT_ROOT);
    /** What the command was doing, for the error line: {@code creating container "web"}. */
    String context;

    /** Prints one line for people (a stack trace too with --debug) and returns the exit code. */
    int fail(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        boolean expected = e instanceof UsageException || e instanceof SpecException || e instanceof PlanException
                || e instanceof ContainerException || e instanceof StageFailure || e instanceof SysException
                || e instanceof hako.state.StateException || e instanceof hako.net.NetworkException;
        if (!expected) {
            message = "internal error: " + e + (debug ? "" : " (run with --debug for details)");
        }
        log.error(context == null ? message : context + ": " + message);
        if (debug) e.printStackTrace();
        return 1;
    }
}
