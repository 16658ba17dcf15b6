package hako.stage;


import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes batches of {@link Op}s into the stage's wire format. The format and the op codes are
 * described once, in docs/stage-protocol.md; {@code src/main/c/protocol.h} mirrors the codes.
 */
public final class Protocol {
    public static final int CLONE = 1;
    public static final int SETNS = 2;
    public static final int TIME_OFFSETS = 3;
    public static final int MOUNT = 10;
    public static final int SET_ROOT = 11;
    public static final int MKDIR = 12;
    public static final int MKFILE = 13;
    public static final int MKNOD = 14;
    public static final int SYMLINK = 15;
    public static final int MASK = 16;
    public static final int CHOWN = 17;
    public static final int WAIT_FIFO = 18;
    public static final int DUP2 = 19;
    public static final int PIVOT_ROOT = 20;
    public static final int CHROOT = 21;
    public static final int CHDIR = 22;
    public static final int SETHOSTNAME = 23;
    public static final int SETDOMAINNAME = 24;
    public static final int WRITE_FILE = 25;
    public static final int SETRLIMIT = 26;
    public static final int PRCTL = 27;
    public static final int SETGROUPS = 28;
    public static final int SETRESGID = 29;
    public static final int SETRESUID = 30;
    public static final int UMASK = 31;
    public static final int SETSID = 32;
    public static final int BOUNDING = 33;
    public static final int CAPS = 34;
    public static final int PTY = 35;
    public static final int JOIN_KEYRING = 36;
    public static final int SET_SCHEDULER = 37;
    public static final int SET_IOPRIO = 38;
    public static final int SET_AFFINITY = 39;
    public static final int EXEC = 40;
    public static final int WHICH = 41;
    public static final int MOUNT_SETATTR = 42;
    public static final int SET_PERSONALITY = 43;
    public static final int SET_MEMPOLICY = 44;
    public static final int MOVE_ROOT = 45;
    public static final int SECCOMP = 50;
    public static final int WRITE_PROC = 55;
    public static final int OPEN_TREE = 60;
    public static final int MOVE_MOUNT = 61;
    public static final int LINK_UP = 62;
    public static final int SET_LABEL = 65;

    /** The reply: i32 failed_op, i32 errno, i64 value. */
    public static final int REPLY_SIZE = 16;
    /** No descriptor passed (an {@code fd} argument). */
    public static final long NO_FD = -1L;

    private Protocol() {}

    public static byte[] encode(List<Op> batch) {
        Writer out = new Writer();
        out.u32(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            try {
                encode(batch.get(i), out);
            } catch (NulByte e) {
                throw new StageFailure(batch, i, hako.sys.Errno.EINVAL, batch.get(i).doing() + ": refused: "
                        + "a string holds a NUL byte, which would cut it short in the kernel");
            }
        }
        return out.bytes();
    }

    /**
     * A NUL inside a string: the spec reader refuses them, and this is the last line, for strings
     * that come from elsewhere (flags, files). Without it a NUL would split a strv in two.
     */
    private static final class NulByte extends RuntimeException {
        NulByte() {
            super(null, null, false, false);
        }
    }

    private static byte[] utf8(String value) {
        if (value.indexOf('\0') >= 0) throw new NulByte();
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static void encode(Op op, Writer out) {
        switch (op) {
            case Op.Clone c -> out.op(CLONE, 0, 2).u64(c.flags()).fd(c.cgroupFdIndex());
            case Op.SetNs n -> out.op(SETNS, 0, 2).fd(n.fdIndex()).u64(n.nstype());
            case Op.Mount m -> out.op(MOUNT, m.opFlags(), 5)
                    .strOrNone(m.source()).str(m.target()).strOrNone(m.fstype()).u64(m.flags()).strOrNone(m.data());
            case Op.MountSetattr a -> out.op(MOUNT_SETATTR, 0, 3).str(a.target()).u64(a.set()).u64(a.clear());
            case Op.OpenTree t -> out.op(OPEN_TREE, 0, 4).str(t.source()).fd(t.usernsFdIndex())
                    .u64(t.recursive() ? 1 : 0).u64(t.recursiveIdmap() ? 1 : 0);
            case Op.MoveMount m -> out.op(MOVE_MOUNT, 0, 2).u64(m.tree()).str(m.target());
            case Op.LinkUp l -> out.op(LINK_UP, 0, 1).str(l.name());
            case Op.SetRoot r -> out.op(SET_ROOT, 0, 1).str(r.path());
            case Op.Mkdir d -> out.op(MKDIR, 0, 2).str(d.target()).u64(d.mode());
            case Op.Mkfile f -> out.op(MKFILE, 0, 2).str(f.target()).u64(f.mode());
            case Op.Mknod n -> out.op(MKNOD, n.opFlags(), 3).str(n.target()).u64(n.mode()).u64(n.dev());
            case Op.Symlink s -> out.op(SYMLINK, s.opFlags(), 2).str(s.linkTarget()).str(s.target());
            case Op.Mask m -> out.op(MASK, m.opFlags(), 1).str(m.target());
            case Op.Chown c -> out.op(CHOWN, 0, 3).str(c.target()).u64(c.uid()).u64(c.gid());
            case Op.PivotRoot p -> out.op(PIVOT_ROOT, 0, 1).str(p.path());
            case Op.Chroot c -> out.op(CHROOT, 0, 1).str(c.path());
            case Op.MoveRoot m -> out.op(MOVE_ROOT, 0, 2).str(m.path()).strv(m.hide());
            case Op.Chdir c -> out.op(CHDIR, 0, 1).str(c.path());
            case Op.SetHostname h -> out.op(SETHOSTNAME, 0, 1).str(h.name());
            case Op.SetDomainname d -> out.op(SETDOMAINNAME, 0, 1).str(d.name());
            case Op.WriteFile w -> out.op(WRITE_FILE, 0, 2).str(w.target()).str(w.data());
            case Op.WriteProc w -> out.op(WRITE_PROC, 0, 2).str(w.file()).str(w.data());
            case Op.SetRlimit r -> out.op(SETRLIMIT, 0, 3).u64(r.resource()).u64(r.soft()).u64(r.hard());
            case Op.Prctl p -> out.op(PRCTL, 0, 2).u64(p.option()).u64(p.arg());
            case Op.SetGroups g -> out.op(SETGROUPS, 0, 1).u32v(g.gids());
            case Op.SetResgid g -> out.op(SETRESGID, 0, 1).u64(g.gid());
            case Op.SetResuid u -> out.op(SETRESUID, 0, 1).u64(u.uid());
            case Op.Umask u -> out.op(UMASK, 0, 1).u64(u.mask());
            case Op.SetSid s -> out.op(SETSID, 0, 0);
            case Op.Bounding b -> out.op(BOUNDING, 0, 1).u64(b.keep());
            case Op.Caps c -> out.op(CAPS, 0, 4)
                    .u64(c.effective()).u64(c.permitted()).u64(c.inheritable()).u64(c.ambient());
            case Op.Exec e -> out.op(EXEC, 0, 3).strv(e.candidates()).strv(e.argv()).strv(e.env());
            case Op.WaitFifo w -> out.op(WAIT_FIFO, 0, 1).fd(w.fdIndex());
            case Op.Dup2 d -> out.op(DUP2, 0, 2).fd(d.fdIndex()).u64(d.target());
            case Op.Pty p -> out.op(PTY, 0, 3).u64(p.rows()).u64(p.cols()).u64(p.console() ? 1 : 0);
            case Op.Which w -> out.op(WHICH, 0, 1).strv(w.candidates());
            case Op.TimeOffsets t -> out.op(TIME_OFFSETS, 0, 1).str(t.offsets());
            case Op.JoinKeyring k -> out.op(JOIN_KEYRING, k.opFlags(), 1).str(k.name());
            case Op.SetScheduler p -> out.op(SET_SCHEDULER, 0, 7).u64(p.policy()).u64(p.flags()).u64(p.nice())
                    .u64(p.priority()).u64(p.runtime()).u64(p.deadline()).u64(p.period());
            case Op.SetIoPriority p -> out.op(SET_IOPRIO, 0, 1).u64((long) p.ioClass() << 13 | p.level());
            case Op.SetAffinity a -> out.op(SET_AFFINITY, 0, 1).u32v(words(a.cpus() == null ? allCpus() : a.cpus()));
            case Op.SetPersonality p -> out.op(SET_PERSONALITY, 0, 1).u64(p.persona());
            case Op.SetMempolicy m -> out.op(SET_MEMPOLICY, 0, 2).u64(m.mode()).u32v(words(m.nodes()));
            case Op.Seccomp s -> out.op(SECCOMP, 0, 2).u64(s.program().flags()).bytes(s.program().bpf());
            case Op.SetLabel l -> out.op(SET_LABEL, 0, 2).strv(l.attributes()).str(l.value());
        }
    }

    /** Room for every CPU a kernel can have (CONFIG_NR_CPUS is at most 8192): the kernel keeps those it has. */
    private static java.util.BitSet allCpus() {
        java.util.BitSet all = new java.util.BitSet();
        all.set(0, 8192);
        return all;
    }

    /** A bit set as the kernel's masks are laid out: 32-bit words, lowest bit first. */
    private static List<Long> words(java.util.BitSet bits) {
        long[] longs = bits.toLongArray();
        List<Long> words = new java.util.ArrayList<>(longs.length * 2);
        for (long value : longs) {
            words.add(value & 0xFFFF_FFFFL);
            words.add(value >>> 32);
        }
        return words;
    }

    /** A little-endian (host order on every platform hako runs on) message builder. */
    /**
     * The kind of each argument an op is encoded with, in the letters of the stage's op table
     * ({@code u} u64, {@code f} descriptor index, {@code s} string, {@code n} string or none,
     * {@code v} strv, {@code w} u32v, {@code b} bytes): the two sides must agree on them.
     */
    static String argumentKinds(Op op) {
        Writer out = new Writer();
        encode(op, out);
        return out.kinds.toString();
    }

    private static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        /** The kind of each argument written, as the stage's table spells them. */
        private final StringBuilder kinds = new StringBuilder();

        Writer op(int code, int flags, int argCount) {
            u16(code);
            u16(flags);
            return u32(argCount);
        }

        private void u16(int value) {
            bytes.write(value);
            bytes.write(value >>> 8);
        }

        Writer u32(long value) {
            for (int i = 0; i < 4; i++) bytes.write((int) (value >>> (8 * i)));
            return this;
        }

        private void rawU64(long value) {
            for (int i = 0; i < 8; i++) bytes.write((int) (value >>> (8 * i)));
        }

        Writer u64(long value) {
            kinds.append('u');
            return number(value);
        }

        private Writer number(long value) {
            u32(8);
            rawU64(value);
            return this;
        }

        /** The index of a descriptor sent with the batch; negative for none (~0 on the wire). */
        Writer fd(long index) {
            kinds.append('f');
            return number(index < 0 ? NO_FD : index);
        }

        /** A string with its NUL. */
        Writer str(String value) {
            kinds.append('s');
            return string(value);
        }

        /** A string, or none: length 0, which the stage reads as NULL. */
        Writer strOrNone(String value) {
            kinds.append('n');
            return string(value);
        }

        private Writer string(String value) {
            if (value == null) return u32(0);
            byte[] utf8 = utf8(value);
            u32(utf8.length + 1L);
            bytes.writeBytes(utf8);
            bytes.write(0);
            return this;
        }

        Writer strv(List<String> values) {
            kinds.append('v');
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (String value : values) {
                joined.writeBytes(utf8(value));
                joined.write(0);
            }
            u32(joined.size());
            bytes.writeBytes(joined.toByteArray());
            return this;
        }

        /** Raw bytes (a BPF program): the length, then the bytes as they are. */
        Writer bytes(byte[] value) {
            kinds.append('b');
            u32(value.length);
            bytes.writeBytes(value);
            return this;
        }

        Writer u32v(List<Long> values) {
            kinds.append('w');
            u32(4L * values.size());
            for (long value : values) u32(value);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
