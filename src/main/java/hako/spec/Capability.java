package hako.spec;

import java.util.Collection;

/**
 * The Linux capabilities, by the name the OCI spec uses and the bit number the kernel uses
 * (include/uapi/linux/capability.h). The constant name is the spec name, {@code CAP_NET_ADMIN}.
 */
public enum Capability {
    CAP_CHOWN(0),
    CAP_DAC_OVERRIDE(1),
    CAP_DAC_READ_SEARCH(2),
    CAP_FOWNER(3),
    CAP_FSETID(4),
    CAP_KILL(5),
    CAP_SETGID(6),
    CAP_SETUID(7),
    CAP_SETPCAP(8),
    CAP_LINUX_IMMUTABLE(9),
    CAP_NET_BIND_SERVICE(10),
    CAP_NET_BROADCAST(11),
    CAP_NET_ADMIN(12),
    CAP_NET_RAW(13),
    CAP_IPC_LOCK(14),
    CAP_IPC_OWNER(15),
    CAP_SYS_MODULE(16),
    CAP_SYS_RAWIO(17),
    CAP_SYS_CHROOT(18),
    CAP_SYS_PTRACE(19),
    CAP_SYS_PACCT(20),
    CAP_SYS_ADMIN(21),
    CAP_SYS_BOOT(22),
    CAP_SYS_NICE(23),
    CAP_SYS_RESOURCE(24),
    CAP_SYS_TIME(25),
    CAP_SYS_TTY_CONFIG(26),
    CAP_MKNOD(27),
    CAP_LEASE(28),
    CAP_AUDIT_WRITE(29),
    CAP_AUDIT_CONTROL(30),
    CAP_SETFCAP(31),
    CAP_MAC_OVERRIDE(32),
    CAP_MAC_ADMIN(33),
    CAP_SYSLOG(34),
    CAP_WAKE_ALARM(35),
    CAP_BLOCK_SUSPEND(36),
    CAP_AUDIT_READ(37),
    CAP_PERFMON(38),
    CAP_BPF(39),
    CAP_CHECKPOINT_RESTORE(40);

    private static final Capability[] ALL = values();

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The kernel's bit number, for capset(2) and prctl(PR_CAPBSET_DROP). */
    public int number() {
        return number;
    }

    /** The highest capability this build knows (CAP_LAST_CAP when it was written). */
    public static Capability last() {
        return ALL[ALL.length - 1];
    }

    /** The capability with this spec name ({@code "CAP_KILL"}), or null when there is none. */
    public static Capability byName(String name) {
        for (Capability capability : ALL) {
            if (capability.name().equals(name)) {
                return capability;
            }
        }
        return null;
    }

    /** The capability with this kernel bit number, or null when there is none. */
    public static Capability byNumber(int number) {
        return number >= 0 && number < ALL.length ? ALL[number] : null;
    }

    /** The capabilities as a 64-bit mask, bit n set for number n (the two capset(2) words, low word first). */
    public static long mask(Collection<Capability> capabilities) {
        long mask = 0;
        for (Capability capability : capabilities) {
            mask |= 1L << capability.number;
        }
        return mask;
    }
}
