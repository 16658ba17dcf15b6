package hako.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A throwaway network namespace that plays "the host" for hako, and a second one that plays a
 * machine outside, joined by a veth: the host is 198.51.100.1, the outside client 198.51.100.2
 * (TEST-NET-2, so no real network is ever addressed). hako runs inside the host namespace with
 * {@code ip netns exec}: the machine's own network, firewall and sysctls are never touched.
 */
final class TestHost implements AutoCloseable {
    static final String HOST_ADDRESS = "198.51.100.1";
    static final String CLIENT_ADDRESS = "198.51.100.2";
    static final String BUSYBOX = "/bin/busybox";

    final String host;
    final String client;
    final Path root;
    private final List<Process> started = new ArrayList<>();

    TestHost(Path work) {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        host = "hako-test-host-" + suffix;
        client = "hako-test-client-" + suffix;
        root = work.resolve("state-" + suffix);
        must("ip", "netns", "add", host);
        must("ip", "netns", "add", client);
        must("ip", "link", "add", "uplink", "netns", host, "type", "veth", "peer", "name", "eth0", "netns", client);
        inHost("ip", "link", "set", "lo", "up");
        inHost("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", "uplink");
        inHost("ip", "link", "set", "uplink", "up");
        inClient("ip", "link", "set", "lo", "up");
        inClient("ip", "addr", "add", CLIENT_ADDRESS + "/24", "dev", "eth0");
        inClient("ip", "link", "set", "eth0", "up");
        inClient("ip", "route", "add", "default", "via", HOST_ADDRESS);
    }

    /** {@code hako --root ROOT ARGS…} inside the host namespace, to its end. */
    Hako.Result hako(String... args) {
        return Hako.exec(hakoCommand(args), "");
    }

    /**
     * hako in the host namespace's network only: nsenter, not `ip netns exec`, which also mounts a
     * sysfs of its own over /sys and so hides the cgroup hierarchy that hako places containers in.
     */
    List<String> hakoCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + host,
                Hako.LAUNCHER.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return command;
    }

    Hako.Result inHost(String... command) {
        return must(prefix(host, command));
    }

    Hako.Result inClient(String... command) {
        return must(prefix(client, command));
    }

    Hako.Result tryInHost(String... command) {
        return Hako.exec(List.of(prefix(host, command)), "");
    }

    /** An HTTP GET with busybox nc from a namespace: the body, or "" when nothing answered within 3 s. */
    String get(String namespace, String address, int port) {
        Hako.Result result = Hako.exec(List.of("ip", "netns", "exec", namespace, BUSYBOX, "nc", "-w", "3", address, Integer.toString(port)),
                "GET / HTTP/1.0\r\n\r\n");
        List<String> lines = result.stdout().lines().toList();
        return lines.isEmpty() || !lines.getFirst().startsWith("HTTP/1") ? "" : lines.getLast().strip();
    }

    /** Starts a process that this test owns (and ends in {@link #close}). */
    Process start(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP server in the client namespace (busybox httpd), serving a page that says {@code text}. */
    void clientServer(Path work, int port, String text) throws IOException {
        Path dir = Files.createTempDirectory(work, "www");
        Files.writeString(dir.resolve("index.html"), text + "\n");
        start(List.of("ip", "netns", "exec", client, BUSYBOX, "httpd", "-f", "-p", Integer.toString(port), "-h", dir.toString()));
        for (int i = 0; i < 50 && get(client, "127.0.0.1", port).isEmpty(); i++) sleep(100);
    }

    /** The state nothing may leak from: no links but lo and the uplink, no nft table, no record, no state. */
    void assertClean() throws IOException {
        List<String> leaks = new ArrayList<>();
        for (String line : inHost("ip", "-o", "link", "show").stdout().lines().toList()) {
            String name = line.split(":")[1].strip().split("@")[0];
            if (!name.equals("lo") && !name.equals("uplink")) leaks.add("link " + name);
        }
        String tables = inHost("nft", "list", "tables").stdout().strip();
        if (!tables.isEmpty()) leaks.add("nft: " + tables.replace('\n', ' '));
        Path network = root.resolveSibling(root.getFileName() + "-network");
        for (String dir : List.of("containers", "networks")) {
            if (Files.isDirectory(network.resolve(dir))) {
                try (var entries = Files.list(network.resolve(dir))) {
                    entries.forEach(e -> leaks.add("record " + e));
                }
            }
        }
        if (Files.isDirectory(root)) {
            try (var entries = Files.list(root)) {
                entries.forEach(e -> leaks.add("state " + e));
            }
        }
        assertEquals(List.of(), leaks, "left behind in " + host);
    }

    /** Ends what this test started, removes the namespaces, and checks that they are gone. */
    @Override
    public void close() {
        for (Process process : started) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Hako.exec(List.of("ip", "netns", "del", client), "");
        Hako.exec(List.of("ip", "netns", "del", host), "");
        String namespaces = Hako.exec(List.of("ip", "netns", "list"), "").stdout();
        assertTrue(!namespaces.contains(host) && !namespaces.contains(client), "namespaces left: " + namespaces);
    }

    private static String[] prefix(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    private static Hako.Result must(String... command) {
        Hako.Result result = Hako.exec(List.of(command), "");
        if (result.code() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + result);
        return result;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
