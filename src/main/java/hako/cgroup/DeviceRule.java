package hako.cgroup;

/**
 * One device cgroup rule: which devices ({@code type} 'a' for both kinds, 'b' block, 'c'
 * character; -1 for any major or minor), which kinds of access ({@link #MKNOD}, {@link #READ},
 * {@link #WRITE}, the bits of BPF_DEVCG_ACC_*), and whether the rule allows or denies them.
 */
record DeviceRule(char type, long major, long minor, int access, boolean allow) {
    static final int MKNOD = 1, READ = 2, WRITE = 4, ALL = MKNOD | READ | WRITE;
    static final long ANY = -1;

    /** A rule matching every device, for every access it names: the rules before it cannot matter. */
    boolean matchesEveryDevice() {
        return type == 'a' && major == ANY && minor == ANY;
    }

    /** As runc writes rules: {@code c 1:3 rwm}, {@code a *:* m}. */
    @Override
    public String toString() {
        return (allow ? "allow " : "deny ") + type + " " + (major == ANY ? "*" : Long.toString(major)) + ":"
                + (minor == ANY ? "*" : Long.toString(minor)) + " " + access(access);
    }

    static String access(int bits) {
        return ((bits & READ) != 0 ? "r" : "") + ((bits & WRITE) != 0 ? "w" : "") + ((bits & MKNOD) != 0 ? "m" : "");
    }
}
