package hako.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one netlink message: the 16-byte header, a fixed family header (ifinfomsg, ifaddrmsg,
 * rtmsg…), then attributes, which may nest. Lengths are patched in when a message or a nest is
 * finished, so callers write fields in order and never count bytes themselves.
 *
 * <p>Everything is in the host's byte order, as netlink is, except what the kernel defines as
 * network order (none of the attributes used here).
 */
final class NetlinkMessage {
    static final int HEADER = 16;
    static final short NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4;
    static final short NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    static final short NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    static final short NLA_F_NESTED = (short) 0x8000;

    private final ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    private final Deque<Integer> nests = new ArrayDeque<>();

    NetlinkMessage(int type, int flags, int sequence) {
        buffer.putInt(0); // length, patched by bytes()
        buffer.putShort((short) type);
        buffer.putShort((short) flags);
        buffer.putInt(sequence);
        buffer.putInt(0); // port id: the kernel fills it in
    }

    NetlinkMessage u8(int value) {
        buffer.put((byte) value);
        return this;
    }

    NetlinkMessage u16(int value) {
        buffer.putShort((short) value);
        return this;
    }

    NetlinkMessage u32(int value) {
        buffer.putInt(value);
        return this;
    }

    /** struct ifinfomsg. */
    NetlinkMessage ifinfo(int family, int index, int flags, int change) {
        return u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /** struct ifaddrmsg. */
    NetlinkMessage ifaddr(int family, int prefixLength, int scope, int index) {
        return u8(family).u8(prefixLength).u8(0).u8(scope).u32(index);
    }

    /** struct rtmsg. */
    NetlinkMessage rtmsg(int family, int dstLength, int table, int protocol, int scope, int type) {
        return u8(family).u8(dstLength).u8(0).u8(0).u8(table).u8(protocol).u8(scope).u8(type).u32(0);
    }

    NetlinkMessage attribute(int type, byte[] payload) {
        buffer.putShort((short) (4 + payload.length));
        buffer.putShort((short) type);
        buffer.put(payload);
        pad();
        return this;
    }

    NetlinkMessage attributeU32(int type, int value) {
        return attribute(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** A NUL-terminated string attribute, as the kernel expects names to be. */
    NetlinkMessage attributeString(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        System.arraycopy(text, 0, payload, 0, text.length);
        return attribute(type, payload);
    }

    /** Opens a nested attribute; everything written until {@link #end()} is inside it. */
    NetlinkMessage begin(int type) {
        nests.push(buffer.position());
        buffer.putShort((short) 0);
        buffer.putShort((short) (type | NLA_F_NESTED));
        return this;
    }

    NetlinkMessage end() {
        int start = nests.pop();
        buffer.putShort(start, (short) (buffer.position() - start));
        return this;
    }

    private void pad() {
        while (buffer.position() % 4 != 0) buffer.put((byte) 0);
    }

    byte[] bytes() {
        if (!nests.isEmpty()) throw new IllegalStateException("unclosed nested attribute");
        pad();
        buffer.putInt(0, buffer.position());
        byte[] out = new byte[buffer.position()];
        buffer.get(0, out);
        return out;
    }

    /** Several messages in one datagram: the kernel handles them in order. */
    static byte[] concat(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] message : messages) out.writeBytes(message);
        return out.toByteArray();
    }
}
