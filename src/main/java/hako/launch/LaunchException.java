package hako.launch;

import hako.HakoException;

/** A one-line run that cannot go ahead: a bad flag value, a missing image or volume. */
public final class LaunchException extends HakoException {
    public LaunchException(String message) {
        super(message);
    }
}
