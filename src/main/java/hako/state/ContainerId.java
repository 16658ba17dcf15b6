package hako.state;

/** Container ids: runc's rules, so that an id is always a safe single path component. */
public final class ContainerId {
    /** NAME_MAX: the id names a directory. */
    static final int MAX_LENGTH = 255;

    private ContainerId() {}

    /** Returns the id, or throws with a message that says what is wrong with it. */
    public static String check(String id) {
        if (id == null || id.isEmpty()) throw new StateException("a container id is required");
        if (id.length() > MAX_LENGTH) {
            throw new StateException("invalid container id: longer than " + MAX_LENGTH + " characters");
        }
        if (id.equals(".") || id.equals("..")) throw new StateException("invalid container id \"" + id + "\"");
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == '+';
            if (!allowed) {
                throw new StateException("invalid container id \"" + id
                        + "\": use letters, digits and _ + - . only");
            }
        }
        return id;
    }
}
