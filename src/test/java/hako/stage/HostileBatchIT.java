package hako.stage;

import hako.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Malformed and hostile batches sent to the real stage, as runc's nsenter tests send them to its
 * C half: each is refused as a whole, before any op of it runs, with the errno the protocol
 * document gives. The stage here is the parent, before any clone: a refused batch that ran an op
 * would have joined a namespace or cloned.
 */
class HostileBatchIT {
    private static final int EPROTO = 71, E2BIG = 7, ENOSYS = 38, EINVAL = Errno.EINVAL, EBADF = 9;

    /** A batch of raw bytes: the op count, then the ops as the caller wrote them. */
    private static byte[] batch(int count, byte[]... ops) {
        int length = 4;
        for (byte[] op : ops) length += op.length;
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putInt(count);
        for (byte[] op : ops) out.put(op);
        return out.array();
    }

    /** One op: its code, flags and argument count, then arguments of (length, bytes). */
    private static byte[] op(int code, int flags, int count, byte[]... args) {
        int length = 8;
        for (byte[] arg : args) length += 4 + arg.length;
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) code).putShort((short) flags).putInt(count);
        for (byte[] arg : args) out.putInt(arg.length).put(arg);
        return out.array();
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static final byte[] CLONE = op(Protocol.CLONE, 0, 2, u64(0), u64(Protocol.NO_FD));

    @Test
    void everyMalformedBatchIsRefusedWholeBeforeAnyOfItRuns() {
        record Case(String what, byte[] message, int failedOp, int errno) {}
        List<Case> cases = List.of(
                new Case("a count and nothing else", batch(1), 0, EPROTO),
                new Case("four billion ops claimed", batch(-1, CLONE), 1, EPROTO),
                new Case("an unknown op code", batch(2, op(999, 0, 0), CLONE), 0, ENOSYS),
                new Case("more arguments than the op takes", batch(1, op(Protocol.CLONE, 0, 3, u64(0), u64(0), u64(0))), 0, E2BIG),
                new Case("fewer arguments than the op takes", batch(1, op(Protocol.CLONE, 0, 1, u64(0))), 0, EINVAL),
                new Case("a u64 of four bytes", batch(1, op(Protocol.CLONE, 0, 2, new byte[4], u64(Protocol.NO_FD))), 0, EINVAL),
                new Case("an argument longer than the datagram",
                        batch(1, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) Protocol.CLONE)
                                .putShort((short) 0).putInt(2).putInt(1 << 30).array()), 0, EPROTO),
                new Case("a descriptor index with no descriptor sent", batch(2,
                        op(Protocol.SETNS, 0, 2, u64(0), u64(0)), CLONE), 0, EBADF),
                new Case("a string without its NUL", batch(2, op(Protocol.TIME_OFFSETS, 0, 1, "x".getBytes()), CLONE), 0, EINVAL),
                new Case("a string with a NUL inside", batch(2, op(Protocol.TIME_OFFSETS, 0, 1, "a\0b\0".getBytes()), CLONE), 0, EINVAL),
                new Case("flags the op does not know", batch(1, op(Protocol.CLONE, 0x80, 2, u64(0), u64(Protocol.NO_FD))), 0, EINVAL),
                new Case("an op of init's in the stage's batch", batch(2, op(Protocol.MKDIR, 0, 2, "/x\0".getBytes(), u64(0755)), CLONE), 0, EPROTO),
                new Case("an op after the clone", batch(2, CLONE, op(Protocol.SETSID, 0, 0)), 1, EPROTO),
                new Case("no clone at the end of the stage's batch", batch(1, op(Protocol.SET_AFFINITY, 0, 1, new byte[4])), 0, EPROTO),
                new Case("bytes left over after the last op", concat(batch(1, CLONE), new byte[3]), 0, EPROTO));
        // The stage's parent takes one batch, answers it and, refused, exits: a stage for each.
        for (Case c : cases) {
            try (Stage stage = Stage.launch()) {
                assertArrayEquals(new int[] {c.failedOp(), c.errno()}, stage.sendRaw(c.message()), c.what());
            }
        }
        // A datagram of nothing reads as the runtime's end: the stage exits, having run nothing.
        try (Stage stage = Stage.launch()) {
            assertThrows(StageFailure.class, () -> stage.sendRaw(new byte[0]));
        }
    }

    /**
     * Init, the clone, goes on after a refused batch: each is answered, none of it runs, and a
     * good batch after them still works. The clone makes no namespace (root runs the test).
     */
    @Test
    void initRefusesMalformedBatchesAndStillAnswersAGoodOne() {
        int pid = 0;
        try (Stage stage = Stage.launch()) {
            pid = stage.cloneInit(List.of(new Op.Clone(0, Op.Clone.NO_CGROUP)));
            assertArrayEquals(new int[] {0, EPROTO}, stage.sendRaw(batch(1, CLONE)), "the stage's op in init's batch");
            assertArrayEquals(new int[] {1, EINVAL}, stage.sendRaw(batch(2, op(Protocol.UMASK, 0, 1, u64(022)),
                    op(Protocol.CHDIR, 0, 1, "/".getBytes()))), "a string without its NUL, after a good op");
            assertArrayEquals(new int[] {0, ENOSYS}, stage.sendRaw(batch(1, op(0, 0, 0))), "op code 0");
            assertArrayEquals(new int[] {-1, 0}, stage.sendRaw(batch(1, op(Protocol.CHDIR, 0, 1, "/\0".getBytes()))),
                    "a good batch after the refused ones");
        } finally {
            // The stage's socket closed, init reads its end and exits.
            if (pid > 0) hako.sys.Libc.waitpid(pid, "waiting for the test's init");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
