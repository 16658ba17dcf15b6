package hako.container;

/** A container that cannot be built or run as asked, in words for people. */
public final class ContainerException extends hako.HakoException {
    public ContainerException(String message) {
        super(message);
    }
}
