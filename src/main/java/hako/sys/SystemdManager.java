package hako.sys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * systemd's manager (org.freedesktop.systemd1.Manager) over an {@link SdBus}: what the systemd
 * cgroup driver asks of it, as runc and crun ask — a transient scope started and waited for,
 * its properties changed, the unit stopped, its cgroup read back. Errors say which unit and
 * what systemd answered: {@code systemd refused the scope hako-web.scope: Unit hako-web.scope
 * already exists}.
 */
public final class SystemdManager implements AutoCloseable {
    static final String SERVICE = "org.freedesktop.systemd1";
    static final String PATH = "/org/freedesktop/systemd1";
    static final String MANAGER = "org.freedesktop.systemd1.Manager";
    private static final String DBUS = "org.freedesktop.DBus";
    /** systemd's own socket: it answers there without a D-Bus daemon (systemctl's way in, as root). */
    private static final String PRIVATE_SOCKET = "/run/systemd/private";
    private static final String JOB_REMOVED = "type='signal',interface='" + MANAGER + "',member='JobRemoved',path='" + PATH + "'";

    private final SdBus bus;
    private final boolean throughDaemon;
    private final Duration timeout;
    private boolean subscribed;

    /**
     * @param throughDaemon whether {@code bus} reaches systemd through a bus daemon, which sends
     *     JobRemoved only to who asked for it (AddMatch); on systemd's own socket it comes unasked
     * @param timeout for each call, and for each job to end
     */
    public SystemdManager(SdBus bus, boolean throughDaemon, Duration timeout) {
        this.bus = bus;
        this.throughDaemon = throughDaemon;
        this.timeout = timeout;
    }

    /**
     * The caller's systemd: root's through the system bus, or systemd's own socket when no D-Bus
     * daemon runs; a rootless caller's systemd --user through its session bus.
     */
    public static SystemdManager connect(Caller caller, Duration timeout) {
        try {
            return new SystemdManager(caller.rootless() ? SdBus.user() : SdBus.system(), true, timeout);
        } catch (SysException e) {
            if (!caller.rootless() && Files.exists(Path.of(PRIVATE_SOCKET))) {
                try {
                    return new SystemdManager(SdBus.peer("unix:path=" + PRIVATE_SOCKET), false, timeout);
                } catch (SysException ignored) {
                    // the system bus's error is the one to report: that is where runc and crun look
                }
            }
            throw new NoSystemdException(e);
        }
    }

    /** No bus to reach systemd by: {@code the systemd cgroup driver needs systemd's D-Bus: connecting to …: no such file or directory}. */
    public static final class NoSystemdException extends hako.HakoException {
        public NoSystemdException(SysException cause) {
            super("the systemd cgroup driver needs systemd's D-Bus: " + cause.getMessage(), cause);
        }
    }

    /**
     * StartTransientUnit(name, mode, properties, no aux units), then the wait for its job: the
     * unit exists, its cgroup made, when this returns.
     */
    public void startTransientUnit(String unit, String mode, List<UnitProperty> properties) {
        String what = "systemd refused the " + kind(unit) + " " + unit;
        subscribe();
        String job = objectPath(managerCall(what, "StartTransientUnit", new BusValue.Str(unit), new BusValue.Str(mode),
                UnitProperty.array(properties), new BusValue.Array("(sa(sv))", List.of())));
        awaitJob(job, "start", unit);
    }

    /** SetUnitProperties(name, runtime, properties): {@code runtime} keeps the change until the next boot only. */
    public void setUnitProperties(String unit, boolean runtime, List<UnitProperty> properties) {
        managerCall("systemd refused the properties of " + unit, "SetUnitProperties", new BusValue.Str(unit),
                new BusValue.Bool(runtime), UnitProperty.array(properties));
    }

    /** StopUnit(name, mode) and the wait for its job; false when systemd has no such unit (stopped already). */
    public boolean stopUnit(String unit, String mode) {
        subscribe();
        String job;
        try {
            job = objectPath(managerCall("systemd could not stop " + unit, "StopUnit", new BusValue.Str(unit), new BusValue.Str(mode)));
        } catch (BusException e) {
            if ("org.freedesktop.systemd1.NoSuchUnit".equals(e.name())) return false;
            throw e;
        }
        awaitJob(job, "stop", unit);
        return true;
    }

    /** The unit's object path (GetUnit): the unit must be loaded. */
    public String unitPath(String unit) {
        return objectPath(managerCall("asking systemd for " + unit, "GetUnit", new BusValue.Str(unit)));
    }

    /** The unit's cgroup relative to the cgroup root ("/system.slice/hako-web.scope"), its ControlGroup property. */
    public String controlGroup(String unit) {
        String what = "asking systemd for the cgroup of " + unit;
        String iface = SERVICE + "." + switch (kind(unit)) {
            case "scope" -> "Scope";
            case "slice" -> "Slice";
            default -> "Service";
        };
        List<BusValue> reply = call(what, unitPath(unit), "org.freedesktop.DBus.Properties", "Get",
                new BusValue.Str(iface), new BusValue.Str("ControlGroup"));
        if (reply.size() == 1 && reply.getFirst() instanceof BusValue.Variant(BusValue.Str(String cgroup))) return cgroup;
        throw new BusException(what, null, "an answer of " + signature(reply) + ", not a string");
    }

    private List<BusValue> managerCall(String what, String method, BusValue... arguments) {
        return call(what, PATH, MANAGER, method, arguments);
    }

    private List<BusValue> call(String what, String path, String iface, String method, BusValue... arguments) {
        try {
            return bus.call(SERVICE, path, iface, method, List.of(arguments), timeout);
        } catch (BusException e) {
            throw new BusException(what, e);
        }
    }

    /** Asks the bus daemon for JobRemoved before the first job starts: one that ends at once is not missed. */
    private void subscribe() {
        if (subscribed || !throughDaemon) return;
        try {
            bus.call(DBUS, "/org/freedesktop/DBus", DBUS, "AddMatch", List.of(new BusValue.Str(JOB_REMOVED)), timeout);
        } catch (BusException e) {
            throw new BusException("asking the bus for systemd's job signals", e);
        }
        subscribed = true;
    }

    /** Waits for JobRemoved(id, job, unit, result) of {@code job}: result "done", or the job failed. */
    private void awaitJob(String job, String verb, String unit) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero())
                throw new BusException("systemd did not " + verb + " " + unit, null, "its job " + job + " did not end within " + timeout.toSeconds() + " s");
            var message = bus.receive(left);
            if (message.isEmpty() || !message.get().isSignal(MANAGER, "JobRemoved")) continue;
            List<BusValue> body = message.get().body();
            if (body.size() == 4 && body.get(1) instanceof BusValue.ObjectPath(String removed) && removed.equals(job)
                    && body.get(3) instanceof BusValue.Str(String result)) {
                if (result.equals("done")) return;
                throw new BusException("systemd could not " + verb + " " + unit, null, "its job ended \"" + result + "\"");
            }
        }
    }

    private static String objectPath(List<BusValue> reply) {
        if (reply.size() == 1 && reply.getFirst() instanceof BusValue.ObjectPath(String path)) return path;
        throw new BusException("reading systemd's answer", null, "an answer of " + signature(reply) + ", not an object path");
    }

    private static String signature(List<BusValue> values) {
        return String.join("", values.stream().map(BusValue::signature).toList());
    }

    /** "scope" of "hako-web.scope". */
    private static String kind(String unit) {
        return unit.substring(unit.lastIndexOf('.') + 1);
    }

    @Override
    public void close() {
        bus.close();
    }
}
