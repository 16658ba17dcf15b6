package hako.warm;

/** The numbers of src/main/c/warm.h (docs/warm.md); WarmProtocolTest checks that they agree. */
final class WarmProtocol {
    static final int MAGIC = 0x314b5748;
    static final int MAX_FDS = 16;
    static final int CALL_HEADER = 20;
    static final int ACCEPT = 1, SPAWN = 2, WAIT = 3, SIGNALS = 4, WINCH = 5, EXIT = 6;
    static final int EXEC_FD = 1;

    private WarmProtocol() {}

    /** A request's header ({@code struct warm_request}), then {@code body}. */
    static byte[] request(int type, int arg, byte[] body) {
        return order(java.nio.ByteBuffer.allocate(8 + body.length)).putInt(type).putInt(arg).put(body).array();
    }

    static java.nio.ByteBuffer order(java.nio.ByteBuffer buffer) {
        return buffer.order(java.nio.ByteOrder.nativeOrder());
    }
}
