package hako.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a test run must not leave behind: mounts or processes tied to its directory, containers'
 * cgroups, and state under its state root. (NetworkIT checks links, tables, namespaces and
 * address records after each of its tests.)
 */
final class Leaks {
    private Leaks() {}

    /**
     * The container cgroups that were there before the tests began (another run's, on a shared
     * machine): not ours to report.
     */
    private static final java.util.Set<Path> BEFORE = new java.util.HashSet<>(containerCgroups());

    private static List<Path> containerCgroups() {
        List<Path> found = new ArrayList<>();
        for (Path tree : List.of(Path.of("/sys/fs/cgroup/unified/hako"), Path.of("/sys/fs/cgroup/hako"))) {
            if (!Files.isDirectory(tree)) continue;
            try (Stream<Path> cgroups = Files.list(tree)) {
                cgroups.filter(Files::isDirectory).forEach(found::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return found;
    }

    static void assertNone(Path work, Path stateRoot) throws IOException {
        List<String> leaks = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(work.toString())) leaks.add("mount: " + line);
        }
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path proc : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    // A container's process has its rootfs as root; it lives under the test's directory.
                    String processRoot = Files.readSymbolicLink(proc.resolve("root")).toString();
                    if (processRoot.startsWith(work.toString())) leaks.add("process " + proc.getFileName() + " rooted in " + processRoot);
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        }
        // Containers are placed in hako/<id> of the cgroup v2 tree unless a spec says otherwise.
        for (Path cgroup : containerCgroups()) {
            if (!BEFORE.contains(cgroup)) leaks.add("cgroup: " + cgroup);
        }
        if (Files.isDirectory(stateRoot)) {
            try (Stream<Path> entries = Files.list(stateRoot)) {
                entries.forEach(entry -> leaks.add("state: " + entry));
            }
        }
        assertEquals(List.of(), leaks, "left behind");
    }

    /** Removes a test's directory; only called once nothing is mounted in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
