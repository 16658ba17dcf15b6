package hako.sys;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A private dbus-daemon with {@link SystemdFake} on it, in a process of its own: prints the bus's
 * address, then serves until its standard input closes. For measuring what the systemd driver's
 * D-Bus conversation costs a fresh JVM ({@link SdBusCost}) without this side's linking in it.
 */
public final class SystemdFakeMain {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("hako-systemd-fake");
        try (DbusDaemon daemon = new DbusDaemon(dir); SystemdFake fake = new SystemdFake(daemon.address)) {
            System.out.println(daemon.address);
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the caller closes our input
            }
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
