package hako.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what the kernel sends back: a datagram holds one or more messages; an error (or the
 * acknowledgement, an error of 0) carries the errno and, with extended acks, the kernel's own
 * explanation ("Unknown device type", "Nexthop has invalid gateway").
 */
final class NetlinkReply {
    static final int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final int NLM_F_ACK_TLVS = 0x200, NLM_F_CAPPED = 0x100;
    private static final int NLMSGERR_ATTR_MSG = 1;

    /** One message: its type, flags, sequence number and what follows the 16-byte header. */
    record Message(int type, int flags, int sequence, ByteBuffer payload) {
        boolean isError() {
            return type == NLMSG_ERROR;
        }

        /** For an error message: 0 for an acknowledgement, else the (positive) errno. */
        int errno() {
            return -payload.getInt(0);
        }

        /** For an error message: the kernel's extended explanation, or null. */
        String explanation() {
            int offset = 4 + ((flags & NLM_F_CAPPED) != 0 ? NetlinkMessage.HEADER : payload.getInt(4));
            if ((flags & NLM_F_ACK_TLVS) == 0 || offset > payload.limit()) return null;
            Map<Integer, ByteBuffer> attributes = attributes(payload, offset);
            ByteBuffer text = attributes.get(NLMSGERR_ATTR_MSG);
            return text == null ? null : string(text);
        }
    }

    private NetlinkReply() {}

    static List<Message> parse(ByteBuffer datagram) {
        ByteBuffer in = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<Message> messages = new ArrayList<>();
        int offset = 0;
        while (offset + NetlinkMessage.HEADER <= in.limit()) {
            int length = in.getInt(offset);
            if (length < NetlinkMessage.HEADER || offset + length > in.limit()) {
                throw new NetworkException("netlink: a malformed message from the kernel (length " + length + ")");
            }
            ByteBuffer payload = in.slice(offset + NetlinkMessage.HEADER, length - NetlinkMessage.HEADER)
                    .order(ByteOrder.nativeOrder());
            messages.add(new Message(in.getShort(offset + 4) & 0xffff, in.getShort(offset + 6) & 0xffff,
                    in.getInt(offset + 8), payload));
            offset += align(length);
        }
        return messages;
    }

    /** The attributes from {@code offset} on, by type (nested flag removed); the last one of a type wins. */
    static Map<Integer, ByteBuffer> attributes(ByteBuffer payload, int offset) {
        Map<Integer, ByteBuffer> attributes = new HashMap<>();
        while (offset + 4 <= payload.limit()) {
            int length = payload.getShort(offset) & 0xffff;
            int type = payload.getShort(offset + 2) & 0x3fff;
            if (length < 4 || offset + length > payload.limit()) break;
            attributes.put(type, payload.slice(offset + 4, length - 4).order(ByteOrder.nativeOrder()));
            offset += align(length);
        }
        return attributes;
    }

    static String string(ByteBuffer attribute) {
        byte[] bytes = new byte[attribute.limit()];
        attribute.get(0, bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) end++;
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }
}
