package hako.sys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private dbus-daemon for one test, its socket and configuration in a throwaway directory,
 * killed by its pid. Its configuration is the session bus's without service directories: the
 * host's session bus would activate /bin/false for org.freedesktop.systemd1 (systemd ships
 * such a .service file), and a name nobody owns must stay unowned here.
 */
public final class DbusDaemon implements AutoCloseable {
    public static final Path EXECUTABLE = Path.of("/usr/bin/dbus-daemon");

    private final Process process;
    /** "unix:path=DIR/bus,guid=…", as the daemon prints it. */
    public final String address;
    final Path socket;

    public DbusDaemon(Path dir) throws IOException {
        socket = dir.resolve("bus");
        Path config = dir.resolve("bus.conf");
        // as root it warns that it may not raise its descriptor limit: kept out of the test's output
        Path log = dir.resolve("dbus-daemon.log");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket));
        process = new ProcessBuilder(EXECUTABLE.toString(), "--config-file=" + config, "--print-address", "--nofork")
                .redirectError(log.toFile()).start();
        // the address is printed once the socket listens
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null) {
            close();
            throw new IOException("dbus-daemon printed no address: " + Files.readString(log).strip());
        }
        address = line.strip();
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM to this pid only
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
