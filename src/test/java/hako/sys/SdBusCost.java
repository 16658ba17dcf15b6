package hako.sys;

import java.time.Duration;
import java.util.List;

/**
 * What the systemd driver's conversation costs a fresh JVM, in milliseconds on stdout: the
 * connection (sd_bus_open_system, at DBUS_SYSTEM_BUS_ADDRESS: a {@link SystemdFakeMain}), then
 * StartTransientUnit awaited, the unit's ControlGroup, StopUnit awaited — the calls of a create
 * and a delete — after a first libc call, as a create has made many by then. Against a real
 * systemd, give it {@code pid=N} of a process of one's own to put in the scope. Run with hako's own JVM options and AOT cache (tests/sdbus-cost.sh).
 */
public final class SdBusCost {
    public static void main(String[] args) {
        // As in a create, which has made libc's downcalls (one shape: syscall(2)) by then.
        long ffm = System.nanoTime();
        Libc.close(Integer.MAX_VALUE);
        // "prepared": the sd-bus handles made beforehand, to tell their making from the rest
        if (List.of(args).contains("prepared")) Libsystemd.prepare();
        // "pid=N": the scope's process (a real systemd moves it; the fake only records it)
        int pid = List.of(args).stream().filter(a -> a.startsWith("pid=")).map(a -> Integer.parseInt(a.substring(4))).findFirst().orElse(1);
        long start = System.nanoTime();
        try (SystemdManager systemd = SystemdManager.connect(Caller.ROOT, Duration.ofSeconds(5))) {
            long connected = System.nanoTime();
            systemd.startTransientUnit("hako-cost.scope", "replace", List.of(UnitProperty.string("Slice", "system.slice"),
                    UnitProperty.bool("Delegate", true), UnitProperty.uint32s("PIDs", List.of(pid)), UnitProperty.uint64("MemoryMax", 1L << 30),
                    UnitProperty.bytes("AllowedCPUs", new byte[] {1})));
            String cgroup = systemd.controlGroup("hako-cost.scope");
            systemd.stopUnit("hako-cost.scope", "replace");
            long end = System.nanoTime();
            System.out.printf("libc first call %.1f ms; connect %.1f ms, conversation %.1f ms, total %.1f ms (%s)%n",
                    (start - ffm) / 1e6, (connected - start) / 1e6, (end - connected) / 1e6, (end - start) / 1e6, cgroup);
        }
    }
}
