package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The sd-bus functions of libsystemd (Debian's libsystemd0, libsystemd.so.0) that {@link SdBus}
 * calls, loaded on first use: only the systemd cgroup driver needs the library. Only the
 * non-variadic ones: a value is appended and read one basic value or container at a time
 * (sd_bus_message_append_basic, _open_container), never through a format string.
 *
 * <p>What FFM costs at start-up is a stub for each distinct function shape (about 5 ms each in
 * an interpreted JVM; sd-bus's functions have a dozen shapes). Every function used here takes
 * integer-class arguments only — pointers, ints, chars, uint64s, six at most — so each is called
 * through a handle of libc's syscall(2) shape ({@link Libc#syscallShaped}), whose stub a create
 * has made before it gets here: the sd-bus handles cost no stub at all, only their own making,
 * and each is made on its first call. Arguments go as longs (a pointer as its address, a char
 * as its code); results come back as a long, which {@link #i} narrows where C says int.
 */
final class Libsystemd {
    private Libsystemd() {}

    static final String SONAME = "libsystemd.so.0", WHY = "(install libsystemd0) to talk to systemd over D-Bus";
    static final SharedLibrary LIB = new SharedLibrary(SONAME, WHY);

    /**
     * One sd-bus function: its handle made on the first call. Two threads with a bus each (a test's
     * fake systemd beside its client) may both make it; either handle does.
     */
    static final class Function {
        private final String name;
        private volatile MethodHandle handle;

        Function(String name) {
            this.name = name;
        }

        MethodHandle handle() {
            MethodHandle made = handle;
            if (made == null) handle = made = Libc.syscallShaped(LIB.symbol(name));
            return made;
        }
    }

    // the bus; a negative int result is -errno
    static final Function FLUSH_CLOSE_UNREF = new Function("sd_bus_flush_close_unref"), GET_UNIQUE_NAME = new Function("sd_bus_get_unique_name"),
            CALL = new Function("sd_bus_call"), PROCESS = new Function("sd_bus_process"), WAIT = new Function("sd_bus_wait"),
            ERROR_FREE = new Function("sd_bus_error_free");
    // connecting: to the caller's bus (its address from its environment), systemd's own socket, tests' buses
    static final Function NEW = new Function("sd_bus_new"), SET_ADDRESS = new Function("sd_bus_set_address"),
            SET_BUS_CLIENT = new Function("sd_bus_set_bus_client"), START = new Function("sd_bus_start");
    // messages
    static final Function NEW_METHOD_CALL = new Function("sd_bus_message_new_method_call"),
            NEW_METHOD_RETURN = new Function("sd_bus_message_new_method_return"),
            NEW_METHOD_ERROR = new Function("sd_bus_message_new_method_error"), NEW_SIGNAL = new Function("sd_bus_message_new_signal"),
            SEND = new Function("sd_bus_send"), MESSAGE_UNREF = new Function("sd_bus_message_unref"),
            GET_TYPE = new Function("sd_bus_message_get_type"), GET_COOKIE = new Function("sd_bus_message_get_cookie"),
            GET_SENDER = new Function("sd_bus_message_get_sender"), GET_PATH = new Function("sd_bus_message_get_path"),
            GET_INTERFACE = new Function("sd_bus_message_get_interface"), GET_MEMBER = new Function("sd_bus_message_get_member");
    // a message's body
    static final Function APPEND_BASIC = new Function("sd_bus_message_append_basic"),
            APPEND_ARRAY = new Function("sd_bus_message_append_array"),
            OPEN_CONTAINER = new Function("sd_bus_message_open_container"),
            CLOSE_CONTAINER = new Function("sd_bus_message_close_container"), PEEK_TYPE = new Function("sd_bus_message_peek_type"),
            READ_BASIC = new Function("sd_bus_message_read_basic"), READ_ARRAY = new Function("sd_bus_message_read_array"),
            ENTER_CONTAINER = new Function("sd_bus_message_enter_container"),
            EXIT_CONTAINER = new Function("sd_bus_message_exit_container");

    /** Where each call's errno is captured (the shape's; sd-bus reports -errno itself): one per thread. */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Libc.callState(Arena.global()));

    /** Calls {@code f} with up to six arguments (the rest 0); its result's 64 bits. */
    static long call(Function f, long a, long b, long c, long d, long e, long g) {
        try {
            return (long) f.handle().invokeExact(STATE.get(), a, b, c, d, e, g, 0L);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A function whose C result is an int (0 or more, or -errno). */
    static int i(Function f, long a) {
        return (int) call(f, a, 0, 0, 0, 0, 0);
    }

    static int i(Function f, long a, long b) {
        return (int) call(f, a, b, 0, 0, 0, 0);
    }

    static int i(Function f, long a, long b, long c) {
        return (int) call(f, a, b, c, 0, 0, 0);
    }

    static int i(Function f, long a, long b, long c, long d) {
        return (int) call(f, a, b, c, d, 0, 0);
    }

    static int i(Function f, long a, long b, long c, long d, long e) {
        return (int) call(f, a, b, c, d, e, 0);
    }

    static int i(Function f, long a, long b, long c, long d, long e, long g) {
        return (int) call(f, a, b, c, d, e, g);
    }

    /** A function whose C result is a pointer. */
    static MemorySegment p(Function f, long a) {
        return MemorySegment.ofAddress(call(f, a, 0, 0, 0, 0, 0));
    }

    /**
     * Makes the handles of what a create and a delete call (no bus needed): for the AOT cache's
     * training, so that their making is in the cache. False where libsystemd is not installed.
     */
    static boolean prepare() {
        try {
            for (Function f : new Function[] {NEW, SET_ADDRESS, SET_BUS_CLIENT, START, FLUSH_CLOSE_UNREF, CALL, PROCESS, WAIT, ERROR_FREE,
                    NEW_METHOD_CALL, MESSAGE_UNREF, GET_TYPE, GET_COOKIE, GET_SENDER, GET_PATH, GET_INTERFACE, GET_MEMBER,
                    APPEND_BASIC, APPEND_ARRAY, OPEN_CONTAINER, CLOSE_CONTAINER, PEEK_TYPE, READ_BASIC, READ_ARRAY,
                    ENTER_CONTAINER, EXIT_CONTAINER}) {
                f.handle();
            }
            return true;
        } catch (SysException | ExceptionInInitializerError | NoClassDefFoundError e) {
            return false;
        }
    }
}
