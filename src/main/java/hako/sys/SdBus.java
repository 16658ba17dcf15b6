package hako.sys;

import hako.Invocation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A D-Bus connection through libsystemd's sd-bus, as crun talks to systemd: method calls with
 * {@link BusValue} arguments and replies, and the messages nobody waited for (signals, calls to
 * this connection) taken one at a time. Calls block; there are no callbacks, so no upcalls into
 * the JVM. One thread at a time, as sd-bus itself.
 */
public final class SdBus implements AutoCloseable {
    /** sd-bus's default when DBUS_SYSTEM_BUS_ADDRESS is not set. */
    static final String SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";
    /** struct sd_bus_error { const char *name; const char *message; int _need_free; }. */
    private static final long ERROR_SIZE = 24, ERROR_NAME = 0, ERROR_MESSAGE = 8;

    private final MemorySegment bus;
    /** Method calls received and not answered yet, by cookie: their replies are made from them. */
    private final Map<Long, MemorySegment> unanswered = new HashMap<>();

    private SdBus(MemorySegment bus) {
        this.bus = bus;
    }

    /**
     * The system bus (the caller's DBUS_SYSTEM_BUS_ADDRESS, or /run/dbus/system_bus_socket):
     * systemd's API for root. The address is the caller's, not this process's: a warm runtime's
     * own environment is not its caller's (sd_bus_open_system would read that one).
     */
    public static SdBus system() {
        return at(Invocation.current().env().getOrDefault("DBUS_SYSTEM_BUS_ADDRESS", SYSTEM_BUS));
    }

    /**
     * The caller's session bus (its DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus, or
     * /run/user/UID/bus): its systemd --user. Not sd_bus_open_user, which reads this process's
     * environment: a warm runtime's is a minimal one of its own (docs/warm.md).
     */
    public static SdBus user() {
        Map<String, String> env = Invocation.current().env();
        String address = env.get("DBUS_SESSION_BUS_ADDRESS");
        if (address == null || address.isEmpty()) {
            address = "unix:path=" + env.getOrDefault("XDG_RUNTIME_DIR", "/run/user/" + Caller.current().uid()) + "/bus";
        }
        return at(address);
    }

    /** A bus daemon at {@code address} ("unix:path=/tmp/x/bus"), greeted with Hello as a bus client. */
    public static SdBus at(String address) {
        return started(address, true);
    }

    /**
     * A peer at {@code address} that is no bus daemon: systemd's own socket,
     * /run/systemd/private, which systemctl uses as root when no D-Bus daemon runs. No Hello.
     */
    public static SdBus peer(String address) {
        return started(address, false);
    }

    /**
     * Loads libsystemd before the first handle is touched: a host without it gets the loader's one
     * line ("loading libsystemd.so.0 (install libsystemd0) …"), not the class initializer's error.
     */
    private static void requireLibrary() {
        try {
            Object loaded = Libsystemd.LIB;
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof SysException cause) throw cause;
            throw e;
        } catch (NoClassDefFoundError e) {
            // the second try after a failed first: the class stays unusable
            throw new SysException("loading " + Libsystemd.SONAME + " " + Libsystemd.WHY, Errno.ENOENT);
        }
    }

    private static SdBus started(String address, boolean busClient) {
        requireLibrary();
        MemorySegment bus = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            BusMarshal.check(Libsystemd.i(Libsystemd.NEW, out.address()), "making a D-Bus connection");
            bus = out.get(ADDRESS, 0);
            BusMarshal.check(Libsystemd.i(Libsystemd.SET_ADDRESS, bus.address(), arena.allocateFrom(address).address()), "D-Bus address " + address);
            BusMarshal.check(Libsystemd.i(Libsystemd.SET_BUS_CLIENT, bus.address(), busClient ? 1 : 0), "D-Bus address " + address);
            int result = Libsystemd.i(Libsystemd.START, bus.address());
            if (result < 0) throw new SysException("connecting to " + socket(address), -result);
            return new SdBus(bus);
        } catch (RuntimeException e) {
            if (bus.address() != 0) unref(bus);
            throw e;
        }
    }

    /**
     * For the AOT cache's training (no bus needed): the handles of a create's and a delete's
     * sd-bus calls made, and a connection tried to an address where nothing listens. Returns
     * whether libsystemd is installed.
     */
    public static boolean exerciseForAotTraining(java.nio.file.Path nowhere) {
        if (!Libsystemd.prepare()) return false;
        try (SdBus bus = peer("unix:path=" + nowhere)) {
            return bus != null;
        } catch (SysException expected) {
            return true;
        }
    }

    /** "unix:path=/run/dbus/system_bus_socket" → "/run/dbus/system_bus_socket", as people know it. */
    static String socket(String address) {
        String first = address.split(";", 2)[0];
        for (String key : first.substring(first.indexOf(':') + 1).split(","))
            if (key.startsWith("path=")) return key.substring("path=".length());
        return address;
    }

    /** This connection's name on the bus (":1.42"), given by the daemon's answer to Hello. */
    public String uniqueName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            BusMarshal.check(Libsystemd.i(Libsystemd.GET_UNIQUE_NAME, bus.address(), out.address()), "asking the bus for this connection's name");
            return BusMarshal.string(out.get(ADDRESS, 0));
        }
    }

    /**
     * Calls {@code iface.member} on {@code path} of {@code destination} and waits for the answer:
     * its body, or a {@link BusException} with the error's name and message.
     */
    public List<BusValue> call(String destination, String path, String iface, String member, List<BusValue> arguments, Duration timeout) {
        String what = "calling " + iface + "." + member + " of " + destination;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            BusMarshal.check(Libsystemd.i(Libsystemd.NEW_METHOD_CALL, bus.address(), out.address(), arena.allocateFrom(destination).address(),
                    arena.allocateFrom(path).address(), arena.allocateFrom(iface).address(), arena.allocateFrom(member).address()), what);
            MemorySegment call = out.get(ADDRESS, 0);
            try {
                for (BusValue argument : arguments) BusMarshal.append(call, argument, arena);
                MemorySegment error = arena.allocate(ERROR_SIZE, 8);
                int result = Libsystemd.i(Libsystemd.CALL, bus.address(), call.address(), micros(timeout), error.address(), out.address());
                if (result < 0) throw failure(what, error, result);
                MemorySegment reply = out.get(ADDRESS, 0);
                try {
                    return BusMarshal.readAll(reply);
                } finally {
                    unrefMessage(reply);
                }
            } finally {
                unrefMessage(call);
            }
        }
    }

    /** The error sd_bus_call filled in (freed here), or its errno when it named none. */
    private static BusException failure(String what, MemorySegment error, int result) {
        try {
            MemorySegment name = error.get(ADDRESS, ERROR_NAME);
            MemorySegment message = error.get(ADDRESS, ERROR_MESSAGE);
            if (name.address() == 0) return new BusException(what, null, Errno.describe(-result));
            return new BusException(what, BusMarshal.string(name),
                    message.address() == 0 ? BusMarshal.string(name) : BusMarshal.string(message));
        } finally {
            Libsystemd.call(Libsystemd.ERROR_FREE, error.address(), 0, 0, 0, 0, 0);
        }
    }

    /**
     * The next message no call was waiting for — a signal this connection asked for with AddMatch,
     * a method call to it — or nothing when none came within {@code timeout}. Replies to calls
     * of sd-bus's own (Hello) are taken care of on the way.
     */
    public Optional<BusMessage> receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            while (true) {
                out.set(ADDRESS, 0, MemorySegment.NULL);
                int processed = BusMarshal.check(Libsystemd.i(Libsystemd.PROCESS, bus.address(), out.address()), "reading from the bus");
                MemorySegment message = out.get(ADDRESS, 0);
                if (message.address() != 0) return Optional.of(taken(message));
                if (processed > 0) continue;
                long left = deadline - System.nanoTime();
                if (left <= 0) return Optional.empty();
                BusMarshal.check(Libsystemd.i(Libsystemd.WAIT, bus.address(), Math.max(1, left / 1000)), "waiting for the bus");
            }
        }
    }

    private BusMessage taken(MemorySegment message) {
        boolean keep = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment type = arena.allocate(JAVA_BYTE);
            MemorySegment cookie = arena.allocate(JAVA_LONG);
            BusMarshal.check(Libsystemd.i(Libsystemd.GET_TYPE, message.address(), type.address()), "reading a message");
            // a reply has no cookie worth knowing: sd-bus answers -ENODATA for it
            Libsystemd.i(Libsystemd.GET_COOKIE, message.address(), cookie.address());
            BusMessage.Kind kind = BusMessage.Kind.of(type.get(JAVA_BYTE, 0));
            BusMessage taken = new BusMessage(kind, header(Libsystemd.GET_SENDER, message), header(Libsystemd.GET_PATH, message),
                    header(Libsystemd.GET_INTERFACE, message), header(Libsystemd.GET_MEMBER, message),
                    BusMarshal.readAll(message), cookie.get(JAVA_LONG, 0));
            if (kind == BusMessage.Kind.METHOD_CALL) {
                unanswered.put(taken.cookie(), message);
                keep = true;
            }
            return taken;
        } finally {
            if (!keep) unrefMessage(message);
        }
    }

    private static String header(Libsystemd.Function getter, MemorySegment message) {
        MemorySegment value = Libsystemd.p(getter, message.address());
        return value.address() == 0 ? null : BusMarshal.string(value);
    }

    /** Answers a method call {@link #receive} returned. */
    public void reply(BusMessage call, List<BusValue> body) {
        answer(call, out -> Libsystemd.i(Libsystemd.NEW_METHOD_RETURN, pending(call).address(), out.address()), body);
    }

    /** Answers a method call with a D-Bus error ("org.freedesktop.systemd1.NoSuchUnit", "Unit x.scope not loaded."). */
    public void replyError(BusMessage call, String name, String description) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(ERROR_SIZE, 8);
            error.set(ADDRESS, ERROR_NAME, arena.allocateFrom(name));
            error.set(ADDRESS, ERROR_MESSAGE, arena.allocateFrom(description));
            answer(call, out -> Libsystemd.i(Libsystemd.NEW_METHOD_ERROR, pending(call).address(), out.address(), error.address()), List.of());
        }
    }

    private MemorySegment pending(BusMessage call) {
        MemorySegment message = unanswered.get(call.cookie());
        if (message == null) throw new IllegalStateException("no call " + call.cookie() + " to answer");
        return message;
    }

    private void answer(BusMessage call, Maker maker, List<BusValue> body) {
        send(maker, body, "answering " + call.member());
        unrefMessage(unanswered.remove(call.cookie()));
    }

    /** Sends the signal {@code iface.member} from {@code path} to whoever matches it. */
    public void emit(String path, String iface, String member, List<BusValue> body) {
        try (Arena arena = Arena.ofConfined()) {
            send(out -> Libsystemd.i(Libsystemd.NEW_SIGNAL, bus.address(), out.address(), arena.allocateFrom(path).address(),
                    arena.allocateFrom(iface).address(), arena.allocateFrom(member).address()), body, "sending the signal " + iface + "." + member);
        }
    }

    /** sd_bus_message_new_*: fills in its sd_bus_message ** and answers 0 or -errno. */
    private interface Maker {
        int make(MemorySegment out);
    }

    private void send(Maker maker, List<BusValue> body, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            BusMarshal.check(maker.make(out), what);
            MemorySegment message = out.get(ADDRESS, 0);
            try {
                for (BusValue value : body) BusMarshal.append(message, value, arena);
                BusMarshal.check(Libsystemd.i(Libsystemd.SEND, bus.address(), message.address(), 0), what);
            } finally {
                unrefMessage(message);
            }
        }
    }

    /** A timeout as sd-bus takes it: microseconds, where 0 would mean its default of 25 s. */
    private static long micros(Duration timeout) {
        return Math.max(1, timeout.toNanos() / 1000);
    }

    private static void unrefMessage(MemorySegment message) {
        Libsystemd.call(Libsystemd.MESSAGE_UNREF, message.address(), 0, 0, 0, 0, 0);
    }

    private static void unref(MemorySegment bus) {
        Libsystemd.call(Libsystemd.FLUSH_CLOSE_UNREF, bus.address(), 0, 0, 0, 0, 0);
    }

    /** Sends what is queued, closes the connection, frees it. */
    @Override
    public void close() {
        unanswered.values().forEach(SdBus::unrefMessage);
        unanswered.clear();
        unref(bus);
    }
}
