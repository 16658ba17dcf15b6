package hako.sys;

/** The errno values the runtime reacts to, and their descriptions for people. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EADDRINUSE = 98;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EBADF = 9;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOTEMPTY = 39;
    /** No such network device (rtnetlink's answer for a link name or index it does not know). */
    public static final int ENODEV = 19;
    /** No route to the gateway: it is on no subnet of an up link. */
    public static final int ENETUNREACH = 101;
    /** A cgroup that cannot take a controller (its cgroup.type is threaded or domain invalid). */
    public static final int EOPNOTSUPP = 95;
    public static final int ENAMETOOLONG = 36;
    /** No such extended attribute (ENOATTR). */
    public static final int ENODATA = 61;

    private Errno() {}

    /** "operation not permitted": strerror in lower case, as runc and the other Go tools print it. */
    public static String describe(int errno) {
        String text = Libc.strerror(errno);
        if (text.isEmpty()) {
            return "errno " + errno;
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
