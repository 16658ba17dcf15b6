package hako.sys;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A systemd on a private bus: a connection of its own that owns org.freedesktop.systemd1 and
 * answers the manager's methods as systemd does — a job path for StartTransientUnit and StopUnit,
 * then JobRemoved with its result; UnitExists and NoSuchUnit errors with systemd's wording; the
 * unit's ControlGroup. It keeps the calls it got, as they came off the bus, for the tests to read.
 * An Echo method of its own answers with what it was sent, for the marshalling of every kind.
 */
public final class SystemdFake implements AutoCloseable {
    static final String ECHO_INTERFACE = "dev.hako.Test";

    public final List<BusMessage> calls = new CopyOnWriteArrayList<>();
    /** The result JobRemoved reports for every job: "done", or "failed" to see a job fail. */
    public volatile String jobResult = "done";
    /** Told each unit started and stopped, before the job's end is signalled: a test's cgroup tree follows systemd's. */
    public volatile java.util.function.BiConsumer<String, Boolean> onJob = (unit, started) -> {};
    private final Set<String> units = new HashSet<>();
    private final SdBus bus;
    private final Thread thread;
    private final CountDownLatch named = new CountDownLatch(1);
    private volatile boolean stopped;
    private volatile Throwable failure;
    private int jobs;

    public SystemdFake(String address) throws InterruptedException {
        bus = SdBus.at(address);
        thread = Thread.ofPlatform().name("systemd-fake").start(this::serve);
        if (!named.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("the fake systemd took no name: " + failure);
    }

    private void serve() {
        try {
            // RequestName(name, flags) → 1: the primary owner
            List<BusValue> owner = bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
                    List.of(new BusValue.Str(SystemdManager.SERVICE), new BusValue.UInt32(0)), Duration.ofSeconds(5));
            if (!owner.equals(List.of(new BusValue.UInt32(1)))) throw new IllegalStateException("RequestName answered " + owner);
            named.countDown();
            while (!stopped) bus.receive(Duration.ofMillis(50)).filter(m -> m.kind() == BusMessage.Kind.METHOD_CALL).ifPresent(this::answer);
        } catch (Throwable t) {
            failure = t;
            named.countDown();
        }
    }

    private void answer(BusMessage call) {
        calls.add(call);
        List<BusValue> body = call.body();
        String unit = body.isEmpty() || !(body.getFirst() instanceof BusValue.Str(String s)) ? "" : s;
        switch (call.member()) {
            case "Echo" -> bus.reply(call, body);
            case "StartTransientUnit" -> {
                if (!units.add(unit)) bus.replyError(call, "org.freedesktop.systemd1.UnitExists", "Unit " + unit + " already exists.");
                else job(call, unit);
            }
            case "StopUnit" -> {
                if (!units.remove(unit)) bus.replyError(call, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded.");
                else job(call, unit);
            }
            case "SetUnitProperties" -> bus.reply(call, List.of());
            case "GetUnit" -> {
                if (units.contains(unit)) bus.reply(call, List.of(new BusValue.ObjectPath(SystemdManager.PATH + "/unit/" + escape(unit))));
                else bus.replyError(call, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded.");
            }
            case "Get" -> bus.reply(call, List.of(new BusValue.Variant(new BusValue.Str("/system.slice/" + unescape(call.path())))));
            default -> bus.replyError(call, "org.freedesktop.DBus.Error.UnknownMethod", "Unknown method " + call.member() + ".");
        }
    }

    /** The reply first, the signal after: a client that is not subscribed before its call misses it. */
    private void job(BusMessage call, String unit) {
        onJob.accept(unit, call.member().equals("StartTransientUnit"));
        int id = ++jobs;
        String path = SystemdManager.PATH + "/job/" + id;
        bus.reply(call, List.of(new BusValue.ObjectPath(path)));
        bus.emit(SystemdManager.PATH, SystemdManager.MANAGER, "JobRemoved",
                List.of(new BusValue.UInt32(id), new BusValue.ObjectPath(path), new BusValue.Str(unit), new BusValue.Str(jobResult)));
    }

    /** systemd's object path escaping, for the few characters of unit names here: "-" → _2d, "." → _2e. */
    private static String escape(String unit) {
        return unit.replace("-", "_2d").replace(".", "_2e");
    }

    private static String unescape(String path) {
        return path.substring(path.lastIndexOf('/') + 1).replace("_2d", "-").replace("_2e", ".");
    }

    /** The calls of one method, in the order they came. */
    public List<BusMessage> calls(String member) {
        return calls.stream().filter(c -> c.member().equals(member)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(5000);
        bus.close();
        if (failure != null) throw new AssertionError("the fake systemd failed", failure);
    }
}
