package hako.state;

/** A problem with a container's id or state directory, in words for people. */
public final class StateException extends hako.HakoException {
    public StateException(String message) {
        super(message);
    }
}
