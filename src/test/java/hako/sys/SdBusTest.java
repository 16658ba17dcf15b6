package hako.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** sd-bus through FFM against a private dbus-daemon: the bus daemon's own methods, errors, and a fake systemd. */
class SdBusTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String DBUS = "org.freedesktop.DBus", DBUS_PATH = "/org/freedesktop/DBus";

    @TempDir
    Path dir;
    private DbusDaemon daemon;
    private SdBus bus;

    @BeforeEach
    void startDaemon() throws IOException {
        assumeTrue(Files.isExecutable(DbusDaemon.EXECUTABLE), "dbus-daemon is not installed (Debian's dbus-daemon; scripts/test.sh installs it)");
        daemon = new DbusDaemon(dir);
        bus = SdBus.at(daemon.address);
    }

    @AfterEach
    void stopDaemon() {
        if (bus != null) bus.close();
        if (daemon != null) daemon.close();
    }

    private List<BusValue> callDaemon(String method, BusValue... arguments) {
        return bus.call(DBUS, DBUS_PATH, DBUS, method, List.of(arguments), TIMEOUT);
    }

    @Test
    void helloGivesAUniqueNameThatListNamesHas() {
        String name = bus.uniqueName();
        assertTrue(name.matches(":1\\.\\d+"), name);
        List<BusValue> reply = callDaemon("ListNames");
        assertEquals(1, reply.size());
        BusValue.Array names = (BusValue.Array) reply.getFirst();
        assertEquals("as", names.signature());
        assertTrue(names.items().contains(new BusValue.Str(DBUS)), names.toString());
        assertTrue(names.items().contains(new BusValue.Str(name)), names.toString());
    }

    @Test
    void getIdIsTheDaemonsOneIdForEveryConnection() {
        List<BusValue> id = callDaemon("GetId");
        assertTrue(id.size() == 1 && id.getFirst() instanceof BusValue.Str(String hex) && hex.matches("[0-9a-f]{32}"), id.toString());
        try (SdBus other = SdBus.at(daemon.address)) {
            assertEquals(id, other.call(DBUS, DBUS_PATH, DBUS, "GetId", List.of(), TIMEOUT));
        }
    }

    @Test
    void getNameOwnerAnswersOwnersAndErrors() {
        assertEquals(List.of(new BusValue.Str(bus.uniqueName())), callDaemon("GetNameOwner", new BusValue.Str(bus.uniqueName())));
        BusException e = assertThrows(BusException.class, () -> callDaemon("GetNameOwner", new BusValue.Str("dev.hako.Nobody")));
        assertEquals("org.freedesktop.DBus.Error.NameHasNoOwner", e.name());
        assertEquals("calling org.freedesktop.DBus.GetNameOwner of org.freedesktop.DBus: Could not get owner of name 'dev.hako.Nobody': no such name",
                e.getMessage());
    }

    @Test
    void aBusThatIsNotThereIsOneLine() {
        Path missing = dir.resolve("none");
        SysException e = assertThrows(SysException.class, () -> SdBus.at("unix:path=" + missing));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("connecting to " + missing + ": no such file or directory", e.getMessage());
        assertEquals("the systemd cgroup driver needs systemd's D-Bus: connecting to " + missing + ": no such file or directory",
                new SystemdManager.NoSystemdException(e).getMessage());
    }

    /** A call as a warm runtime gets it: the caller's environment, not this process's. */
    private static <T> T asCaller(Map<String, String> env, java.util.function.Supplier<T> body) {
        List<T> result = new java.util.ArrayList<>();
        new hako.Invocation(env, Path.of("/"), System.out, System.err, new int[] {0, 1, 2}, null, Children.LOCAL, 0)
                .run(() -> {
                    result.add(body.get());
                    return 0;
                });
        return result.getFirst();
    }

    private static String connectedName(java.util.function.Supplier<SdBus> connect) {
        try (SdBus connected = connect.get()) {
            return connected.uniqueName();
        }
    }

    @Test
    void theBusesAreTheOnesTheCallersEnvironmentNames() {
        assertTrue(asCaller(Map.of("DBUS_SESSION_BUS_ADDRESS", daemon.address), () -> connectedName(SdBus::user)).startsWith(":1."));
        assertTrue(asCaller(Map.of("XDG_RUNTIME_DIR", dir.toString()), () -> connectedName(SdBus::user)).startsWith(":1."),
                "the session bus at $XDG_RUNTIME_DIR/bus");
        assertTrue(asCaller(Map.of("DBUS_SYSTEM_BUS_ADDRESS", daemon.address), () -> connectedName(SdBus::system)).startsWith(":1."));
        Path empty = dir.resolve("empty");
        SysException e = assertThrows(SysException.class, () -> asCaller(Map.of("XDG_RUNTIME_DIR", empty.toString()), SdBus::user));
        assertEquals("connecting to " + empty + "/bus: no such file or directory", e.getMessage());
    }

    @Test
    void withoutSystemdOnThisHostTheDriverSaysWhereItLooked() {
        assumeTrue(System.getenv("DBUS_SYSTEM_BUS_ADDRESS") == null);
        assumeTrue(!Files.exists(Path.of("/run/dbus/system_bus_socket")) && !Files.exists(Path.of("/run/systemd/private")),
                "this host has a system bus");
        var e = assertThrows(SystemdManager.NoSystemdException.class, () -> SystemdManager.connect(Caller.ROOT, TIMEOUT));
        assertEquals("the systemd cgroup driver needs systemd's D-Bus: connecting to /run/dbus/system_bus_socket: no such file or directory",
                e.getMessage());
    }

    @Test
    void aScopeForANameNobodyOwnsIsRefusedByTheBus() {
        var systemd = new SystemdManager(bus, true, TIMEOUT);
        BusException e = assertThrows(BusException.class,
                () -> systemd.startTransientUnit("hako-web.scope", "replace", List.of(UnitProperty.bool("Delegate", true))));
        assertEquals("org.freedesktop.DBus.Error.ServiceUnknown", e.name());
        assertEquals("systemd refused the scope hako-web.scope: The name org.freedesktop.systemd1 was not provided by any .service files",
                e.getMessage());
    }

    @Test
    void everyKindComesBackAsItWasSent() throws Exception {
        List<BusValue> sent = List.of(
                new BusValue.Str("héllo"), new BusValue.Str(""), new BusValue.ObjectPath("/dev/hako/x"),
                new BusValue.Bool(true), new BusValue.Bool(false),
                new BusValue.UInt32(-1), new BusValue.Int32(-7), new BusValue.UInt64(-1), new BusValue.Int64(Long.MIN_VALUE),
                new BusValue.Byte((byte) 0xfe), new BusValue.Int16((short) -2), new BusValue.UInt16((short) 0xffff),
                new BusValue.Double(2.5), new BusValue.Variant(new BusValue.Double(-0.125)),
                new BusValue.Bytes(new byte[] {0x0f, 0, (byte) 0xff}), new BusValue.Bytes(new byte[0]),
                BusValue.strings(List.of("a", "b")), BusValue.uint32s(List.of()),
                new BusValue.Array("a{sv}", List.of(new BusValue.Array("{sv}", List.of(
                        new BusValue.DictEntry(new BusValue.Str("k"), new BusValue.Variant(new BusValue.UInt64(3))))))),
                new BusValue.Variant(new BusValue.Variant(BusValue.strings(List.of("nested")))),
                UnitProperty.array(List.of(UnitProperty.string("Slice", "system.slice"))));
        try (SystemdFake fake = new SystemdFake(daemon.address)) {
            assertEquals(sent, bus.call(SystemdManager.SERVICE, "/", SystemdFake.ECHO_INTERFACE, "Echo", sent, TIMEOUT));
        }
    }

    @Test
    void aScopeStartedChangedReadAndStoppedThroughSystemdsMethods() throws Exception {
        List<UnitProperty> properties = List.of(
                UnitProperty.string("Description", "hako container web"), UnitProperty.string("Slice", "system.slice"),
                UnitProperty.bool("Delegate", true), UnitProperty.uint32s("PIDs", List.of(4242)),
                UnitProperty.uint64("MemoryMax", 512L << 20), UnitProperty.uint64("TasksMax", -1),
                UnitProperty.uint64("CPUWeight", 100), UnitProperty.uint64("CPUQuotaPerSecUSec", 500_000),
                UnitProperty.bytes("AllowedCPUs", new byte[] {0b101}), UnitProperty.uint64("IOWeight", 200),
                UnitProperty.bool("DefaultDependencies", false), UnitProperty.strings("Wants", List.of("a.service")));
        try (SystemdFake fake = new SystemdFake(daemon.address)) {
            var systemd = new SystemdManager(bus, true, TIMEOUT);
            systemd.startTransientUnit("hako-web.scope", "replace", properties);

            BusMessage start = fake.calls("StartTransientUnit").getFirst();
            assertEquals("ssa(sv)a(sa(sv))", String.join("", start.body().stream().map(BusValue::signature).toList()));
            assertEquals(List.of(new BusValue.Str("hako-web.scope"), new BusValue.Str("replace")), start.body().subList(0, 2));
            assertEquals(properties, UnitProperty.fromArray(start.body().get(2)), "the properties as systemd reads them");
            assertEquals(new BusValue.Array("(sa(sv))", List.of()), start.body().get(3));

            BusException exists = assertThrows(BusException.class, () -> systemd.startTransientUnit("hako-web.scope", "replace", properties));
            assertEquals("systemd refused the scope hako-web.scope: Unit hako-web.scope already exists", exists.getMessage());
            assertEquals("org.freedesktop.systemd1.UnitExists", exists.name());

            systemd.setUnitProperties("hako-web.scope", true, List.of(UnitProperty.uint64("MemoryMax", 1L << 30)));
            assertEquals(List.of(new BusValue.Str("hako-web.scope"), new BusValue.Bool(true),
                    UnitProperty.array(List.of(UnitProperty.uint64("MemoryMax", 1L << 30)))), fake.calls("SetUnitProperties").getFirst().body());

            assertEquals("/system.slice/hako-web.scope", systemd.controlGroup("hako-web.scope"));
            assertEquals(List.of(new BusValue.Str("org.freedesktop.systemd1.Scope"), new BusValue.Str("ControlGroup")),
                    fake.calls("Get").getFirst().body());

            assertTrue(systemd.stopUnit("hako-web.scope", "replace"));
            assertFalse(systemd.stopUnit("hako-web.scope", "replace"), "a unit gone already");
            BusException gone = assertThrows(BusException.class, () -> systemd.unitPath("hako-web.scope"));
            assertEquals("asking systemd for hako-web.scope: Unit hako-web.scope not loaded", gone.getMessage());
        }
    }

    @Test
    void aJobThatFailsIsAnError() throws Exception {
        try (SystemdFake fake = new SystemdFake(daemon.address)) {
            fake.jobResult = "failed";
            var systemd = new SystemdManager(bus, true, TIMEOUT);
            BusException e = assertThrows(BusException.class, () -> systemd.startTransientUnit("hako-db.scope", "replace", List.of()));
            assertEquals("systemd could not start hako-db.scope: its job ended \"failed\"", e.getMessage());
        }
    }

    @Test
    void aCallNobodyAnswersTimesOut() {
        // a connection that owns a name and never reads: the call's own timeout ends the wait
        try (SdBus silent = SdBus.at(daemon.address)) {
            silent.call(DBUS, DBUS_PATH, DBUS, "RequestName", List.of(new BusValue.Str("dev.hako.Silent"), new BusValue.UInt32(0)), TIMEOUT);
            BusException e = assertThrows(BusException.class,
                    () -> bus.call("dev.hako.Silent", "/", "dev.hako.Test", "Echo", List.of(), Duration.ofMillis(200)));
            assertTrue(e.getMessage().startsWith("calling dev.hako.Test.Echo of dev.hako.Silent: "), e.getMessage());
        }
    }
}
