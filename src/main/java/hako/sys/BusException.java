package hako.sys;

/**
 * An error a D-Bus peer answered, or sd-bus gave: its D-Bus name
 * ("org.freedesktop.systemd1.UnitExists"; null when sd-bus had only an errno) and its
 * description, read as one line after what was being done:
 * {@code systemd refused the scope hako-web.scope: Unit hako-web.scope already exists}.
 */
public final class BusException extends hako.HakoException {
    private final String name;
    private final String description;

    public BusException(String what, String name, String description) {
        super(what + ": " + sentence(description));
        this.name = name;
        this.description = description;
    }

    /** The same error after other words: what the caller was doing when it came. */
    public BusException(String what, BusException cause) {
        super(what + ": " + sentence(cause.description), cause);
        this.name = cause.name;
        this.description = cause.description;
    }

    /** The D-Bus error name, or null. */
    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** systemd ends its messages with a full stop; in hako's one line they are the end of a clause. */
    private static String sentence(String description) {
        String line = description.strip().replace('\n', ' ');
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
