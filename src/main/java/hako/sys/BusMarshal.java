package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@link BusValue}s into and out of an sd_bus_message, one basic value or container at a time.
 * Strings read point into the message: they are copied before it is unref'd.
 */
final class BusMarshal {
    private BusMarshal() {}

    /** sd-bus's name for a struct container; 'e' is a dict entry, 'v' a variant, 'a' an array. */
    private static final byte STRUCT = 'r', DICT_ENTRY = 'e', VARIANT = 'v', ARRAY = 'a';

    static void append(MemorySegment message, BusValue value, Arena arena) {
        switch (value) {
            case BusValue.Str(String s) -> basic(message, 's', arena.allocateFrom(s));
            case BusValue.ObjectPath(String path) -> basic(message, 'o', arena.allocateFrom(path));
            // sd-bus reads a boolean as an int
            case BusValue.Bool(boolean b) -> basic(message, 'b', arena.allocateFrom(JAVA_INT, b ? 1 : 0));
            case BusValue.Byte(byte y) -> basic(message, 'y', arena.allocateFrom(JAVA_BYTE, y));
            case BusValue.Int16(short n) -> basic(message, 'n', arena.allocateFrom(JAVA_SHORT, n));
            case BusValue.UInt16(short q) -> basic(message, 'q', arena.allocateFrom(JAVA_SHORT, q));
            case BusValue.UInt32(int u) -> basic(message, 'u', arena.allocateFrom(JAVA_INT, u));
            case BusValue.Int32(int i) -> basic(message, 'i', arena.allocateFrom(JAVA_INT, i));
            case BusValue.UInt64(long t) -> basic(message, 't', arena.allocateFrom(JAVA_LONG, t));
            case BusValue.Int64(long x) -> basic(message, 'x', arena.allocateFrom(JAVA_LONG, x));
            case BusValue.Double(double d) -> basic(message, 'd', arena.allocateFrom(JAVA_DOUBLE, d));
            case BusValue.Bytes bytes -> {
                byte[] data = bytes.value();
                MemorySegment copy = arena.allocate(Math.max(1, data.length));
                MemorySegment.copy(data, 0, copy, JAVA_BYTE, 0, data.length);
                check(Libsystemd.i(Libsystemd.APPEND_ARRAY, message.address(), 'y', copy.address(), data.length), "appending ay");
            }
            case BusValue.Array array -> {
                open(message, ARRAY, array.elementSignature(), arena);
                for (BusValue item : array.items()) append(message, item, arena);
                close(message);
            }
            case BusValue.Struct struct -> {
                String signature = struct.signature();
                open(message, STRUCT, signature.substring(1, signature.length() - 1), arena);
                for (BusValue field : struct.fields()) append(message, field, arena);
                close(message);
            }
            case BusValue.DictEntry entry -> {
                String signature = entry.signature();
                open(message, DICT_ENTRY, signature.substring(1, signature.length() - 1), arena);
                append(message, entry.key(), arena);
                append(message, entry.value(), arena);
                close(message);
            }
            case BusValue.Variant(BusValue inner) -> {
                open(message, VARIANT, inner.signature(), arena);
                append(message, inner, arena);
                close(message);
            }
        }
    }

    /** The values from the read position to the end of the current container (the body, at the top). */
    static List<BusValue> readAll(MemorySegment message) {
        List<BusValue> values = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment type = arena.allocate(1);
            MemorySegment contents = arena.allocate(ADDRESS);
            while (check(Libsystemd.i(Libsystemd.PEEK_TYPE, message.address(), type.address(), contents.address()), "reading a message") > 0) {
                MemorySegment signature = contents.get(ADDRESS, 0);
                values.add(read(message, type.get(JAVA_BYTE, 0), signature.address() == 0 ? null : string(signature)));
            }
        }
        return values;
    }

    private static BusValue read(MemorySegment message, byte type, String contents) {
        return switch (type) {
            case ARRAY -> contents.equals("y") ? bytes(message) : new BusValue.Array(contents, inside(message, ARRAY, contents));
            case STRUCT -> new BusValue.Struct(inside(message, STRUCT, contents));
            case DICT_ENTRY -> {
                List<BusValue> pair = inside(message, DICT_ENTRY, contents);
                yield new BusValue.DictEntry(pair.get(0), pair.get(1));
            }
            case VARIANT -> new BusValue.Variant(inside(message, VARIANT, contents).getFirst());
            default -> basic(message, type);
        };
    }

    private static List<BusValue> inside(MemorySegment message, byte type, String contents) {
        try (Arena arena = Arena.ofConfined()) {
            check(Libsystemd.i(Libsystemd.ENTER_CONTAINER, message.address(), type, arena.allocateFrom(contents).address()), "reading a message");
        }
        List<BusValue> values = readAll(message);
        check(Libsystemd.i(Libsystemd.EXIT_CONTAINER, message.address()), "reading a message");
        return values;
    }

    private static BusValue bytes(MemorySegment message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ADDRESS);
            MemorySegment size = arena.allocate(JAVA_LONG);
            check(Libsystemd.i(Libsystemd.READ_ARRAY, message.address(), 'y', pointer.address(), size.address()), "reading a message");
            long length = size.get(JAVA_LONG, 0);
            return new BusValue.Bytes(length == 0 ? new byte[0] : pointer.get(ADDRESS, 0).reinterpret(length).toArray(JAVA_BYTE));
        }
    }

    private static BusValue basic(MemorySegment message, byte type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 8);
            check(Libsystemd.i(Libsystemd.READ_BASIC, message.address(), type, value.address()), "reading a message");
            return switch (type) {
                case 's' -> new BusValue.Str(string(value.get(ADDRESS, 0)));
                case 'o' -> new BusValue.ObjectPath(string(value.get(ADDRESS, 0)));
                case 'b' -> new BusValue.Bool(value.get(JAVA_INT, 0) != 0);
                case 'y' -> new BusValue.Byte(value.get(JAVA_BYTE, 0));
                case 'n' -> new BusValue.Int16(value.get(JAVA_SHORT, 0));
                case 'q' -> new BusValue.UInt16(value.get(JAVA_SHORT, 0));
                case 'u' -> new BusValue.UInt32(value.get(JAVA_INT, 0));
                case 'i' -> new BusValue.Int32(value.get(JAVA_INT, 0));
                case 't' -> new BusValue.UInt64(value.get(JAVA_LONG, 0));
                case 'x' -> new BusValue.Int64(value.get(JAVA_LONG, 0));
                case 'd' -> new BusValue.Double(value.get(JAVA_DOUBLE, 0));
                default -> throw new BusException("reading a message", null, "D-Bus type '" + (char) type + "' is not supported");
            };
        }
    }

    private static void basic(MemorySegment message, char type, MemorySegment value) {
        check(Libsystemd.i(Libsystemd.APPEND_BASIC, message.address(), type, value.address()), "appending " + type);
    }

    private static void open(MemorySegment message, byte type, String contents, Arena arena) {
        check(Libsystemd.i(Libsystemd.OPEN_CONTAINER, message.address(), type, arena.allocateFrom(contents).address()), "appending " + (char) type + contents);
    }

    private static void close(MemorySegment message) {
        check(Libsystemd.i(Libsystemd.CLOSE_CONTAINER, message.address()), "closing a container");
    }

    static String string(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** sd-bus's result: non-negative, or -errno. */
    static int check(int result, String what) {
        if (result < 0) throw new SysException(what, -result);
        return result;
    }
}
