package hako.hooks;

/** A hook that is malformed, could not run, failed or ran too long, in words for people. */
public final class HookException extends hako.HakoException {
    public HookException(String message) {
        super(message);
    }
}
