package hako.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The sd-bus functions of libsystemd (Debian's libsystemd0, libsystemd.so.0) that {@link SdBus}
 * calls: made on first use, so that hako loads the library only for the systemd cgroup driver.
 * Only the non-variadic ones: a value is appended and read one basic value or container at a
 * time (sd_bus_message_append_basic, _open_container), never through a format string.
 *
 * <p>Each new function shape costs a downcall stub of its own (about 5 ms in a cold JVM): what
 * the systemd cgroup driver's path does not use — connecting to an address of one's choosing,
 * answering calls, byte arrays — is in holders of its own, made only when used.
 */
final class Libsystemd {
    private Libsystemd() {}

    static final String SONAME = "libsystemd.so.0", WHY = "(install libsystemd0) to talk to systemd over D-Bus";
    static final SharedLibrary LIB = new SharedLibrary(SONAME, WHY);

    // the bus: int sd_bus_open_system(sd_bus **ret) and the rest; a negative result is -errno
    static final MethodHandle OPEN_SYSTEM = handle("sd_bus_open_system", JAVA_INT, ADDRESS);
    static final MethodHandle OPEN_USER = handle("sd_bus_open_user", JAVA_INT, ADDRESS);
    static final MethodHandle FLUSH_CLOSE_UNREF = handle("sd_bus_flush_close_unref", ADDRESS, ADDRESS);
    static final MethodHandle GET_UNIQUE_NAME = handle("sd_bus_get_unique_name", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CALL = handle("sd_bus_call", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    static final MethodHandle PROCESS = handle("sd_bus_process", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle WAIT = handle("sd_bus_wait", JAVA_INT, ADDRESS, JAVA_LONG);
    static final MethodHandle ERROR_FREE = LIB.function("sd_bus_error_free", FunctionDescriptor.ofVoid(ADDRESS));

    // messages
    static final MethodHandle NEW_METHOD_CALL = handle("sd_bus_message_new_method_call",
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle MESSAGE_UNREF = handle("sd_bus_message_unref", ADDRESS, ADDRESS);
    static final MethodHandle GET_TYPE = handle("sd_bus_message_get_type", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle GET_COOKIE = handle("sd_bus_message_get_cookie", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle GET_SENDER = handle("sd_bus_message_get_sender", ADDRESS, ADDRESS);
    static final MethodHandle GET_PATH = handle("sd_bus_message_get_path", ADDRESS, ADDRESS);
    static final MethodHandle GET_INTERFACE = handle("sd_bus_message_get_interface", ADDRESS, ADDRESS);
    static final MethodHandle GET_MEMBER = handle("sd_bus_message_get_member", ADDRESS, ADDRESS);

    // a message's body: char type arguments are JAVA_BYTE
    static final MethodHandle APPEND_BASIC = handle("sd_bus_message_append_basic", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS);
    static final MethodHandle OPEN_CONTAINER = handle("sd_bus_message_open_container", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS);
    static final MethodHandle CLOSE_CONTAINER = handle("sd_bus_message_close_container", JAVA_INT, ADDRESS);
    static final MethodHandle PEEK_TYPE = handle("sd_bus_message_peek_type", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle READ_BASIC = handle("sd_bus_message_read_basic", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS);
    static final MethodHandle ENTER_CONTAINER = handle("sd_bus_message_enter_container", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS);
    static final MethodHandle EXIT_CONTAINER = handle("sd_bus_message_exit_container", JAVA_INT, ADDRESS);

    private static MethodHandle handle(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LIB.function(name, FunctionDescriptor.of(result, arguments));
    }

    /** sd_bus_new … sd_bus_start: a bus at an address of the caller's choosing (tests, systemd's own socket). */
    static final class Connect {
        static final MethodHandle NEW = handle("sd_bus_new", JAVA_INT, ADDRESS);
        static final MethodHandle SET_ADDRESS = handle("sd_bus_set_address", JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle SET_BUS_CLIENT = handle("sd_bus_set_bus_client", JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle START = handle("sd_bus_start", JAVA_INT, ADDRESS);
    }

    /** Messages of this connection's own making that are not calls: replies, errors, signals. */
    static final class Serve {
        static final MethodHandle SEND = handle("sd_bus_send", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle NEW_METHOD_RETURN = handle("sd_bus_message_new_method_return", JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle NEW_METHOD_ERROR = handle("sd_bus_message_new_method_error", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle NEW_SIGNAL = handle("sd_bus_message_new_signal", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    }

    /** ay in one piece: AllowedCPUs and AllowedMemoryNodes only. */
    static final class ByteArrays {
        static final MethodHandle APPEND_ARRAY = handle("sd_bus_message_append_array", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS, JAVA_LONG);
        static final MethodHandle READ_ARRAY = handle("sd_bus_message_read_array", JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS, ADDRESS);
    }
}
