package hako.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What /proc says about a container's processes (a process's identity: {@link hako.sys.ProcessRef}). */
final class Proc {
    private Proc() {}

    /**
     * Every process in the PID namespace of {@code pid} (itself included), as the host numbers
     * them: the container's processes when it has a PID namespace of its own.
     */
    static List<Integer> sharingPidNamespace(int pid) {
        List<Integer> pids = new ArrayList<>();
        String namespace = pidNamespace(pid);
        if (namespace == null) return pids;
        try (var entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int other = Integer.parseInt(name);
                if (namespace.equals(pidNamespace(other))) pids.add(other);
            }
        } catch (IOException e) {
            throw new ContainerException("listing /proc: " + e.getMessage());
        }
        pids.sort(null);
        return pids;
    }

    private static String pidNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
