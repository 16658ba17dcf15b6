package hako.seccomp;

/**
 * A compiled {@code linux.seccomp}: the classic BPF program the stage hands to seccomp(2), and the
 * flags it is loaded with.
 *
 * @param bpf     struct sock_filter instructions, 8 bytes each, in host byte order
 * @param flags   SECCOMP_FILTER_FLAG_* bits (NEW_LISTENER when a rule notifies the agent)
 * @param digest  sha256 of the profile as decoded (and of the libseccomp that compiled it), hex
 * @param rules   how many rules libseccomp was given
 * @param skipped names this libseccomp does not know on this architecture, passed over as runc does
 */
public record Program(byte[] bpf, long flags, String digest, int rules, int skipped) {
    public static final long FLAG_TSYNC = 1, FLAG_LOG = 2, FLAG_SPEC_ALLOW = 4, FLAG_NEW_LISTENER = 8,
            FLAG_WAIT_KILLABLE_RECV = 32;

    public int instructions() {
        return bpf.length / 8;
    }

    /** The flags as seccomp(2)'s names, for people: "SPEC_ALLOW|NEW_LISTENER", "0". */
    public static String flagNames(long flags) {
        StringBuilder out = new StringBuilder();
        String[] names = {"TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((flags & (1L << bit)) != 0) out.append(out.isEmpty() ? "" : "|").append(names[bit]);
        }
        return out.isEmpty() ? "0" : out.toString();
    }
}
