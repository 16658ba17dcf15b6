package hako.security;

/** A profile or label that this host's security modules cannot apply. */
public final class LsmException extends hako.HakoException {
    public LsmException(String message) {
        super(message);
    }
}
