package hako.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hako's networking on the real kernel, as root. Every test gets a fresh throwaway network
 * namespace playing the host and another playing a machine outside ({@link TestHost}); hako runs
 * inside the first. After each test every network is removed and the leak check must find no
 * link, nft table, address record or container state left.
 */
class NetworkIT {
    static Path work;
    static Path rootfs;
    TestHost host;

    @BeforeAll
    static void setUp() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "integration tests create containers: run them as root");
        work = Files.createTempDirectory("hako-net");
        rootfs = work.resolve("rootfs");
        Busybox.rootfs(rootfs);
    }

    @BeforeEach
    void makeHost() {
        host = new TestHost(work);
    }

    @AfterEach
    void leakCheck() throws IOException {
        try {
            for (String line : host.hako("network", "ls").stdout().lines().skip(1).toList()) {
                Hako.Result removed = host.hako("network", "rm", line.split("\\s+")[0]);
                assertEquals(0, removed.code(), removed::toString);
            }
            host.assertClean();
        } finally {
            host.close();
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Leaks.deleteTree(work);
    }

    // ------------------------------------------------------------------ helpers

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A bundle whose process is {@code sh -c SCRIPT}, with a writable tmpfs on /srv. */
    static Path bundle(String script) {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", script);
        Busybox.mounts(spec).add(Map.of("destination", "/srv", "type", "tmpfs", "source", "tmpfs"));
        return Busybox.bundle(work, spec);
    }

    /** A container serving a page that says {@code text} on port 80. */
    Container server(String id, String text, String... flags) {
        return Container.start(host, bundle("echo " + text + " > /srv/index.html && httpd -p 80 -h /srv && echo ready && exec sleep 600"), id, flags);
    }

    /** Runs a container to its end: its output, or the failure. */
    Hako.Result run(String id, String script, String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "--bundle", bundle(script).toString()));
        args.addAll(withNetwork(flags));
        args.add(id);
        return host.hako(args.toArray(String[]::new));
    }

    /**
     * The flags, on the default bridge network unless they name one: without any network flag
     * hako leaves the network to the spec, as runc does.
     */
    static List<String> withNetwork(String... flags) {
        List<String> all = new ArrayList<>(List.of(flags));
        if (!all.contains("--network")) all.addAll(List.of("--network", "bridge"));
        return all;
    }

    /** The shell snippet that prints the page at ADDRESS:PORT, or nothing. */
    static String fetch(String address, int port) {
        return "page=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + address + " " + port + " | tail -n 1); echo \"$page\"";
    }

    /** A container run in the background, ended by killing its init (hako then tears it down). */
    static final class Container implements AutoCloseable {
        final TestHost host;
        final String id;
        final Process process;

        private Container(TestHost host, String id, Process process) {
            this.host = host;
            this.id = id;
            this.process = process;
        }

        static Container start(TestHost host, Path bundle, String id, String... flags) {
            List<String> args = new ArrayList<>(List.of("run", "--bundle", bundle.toString()));
            args.addAll(withNetwork(flags));
            args.add(id);
            Process process = host.start(host.hakoCommand(args.toArray(String[]::new)));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            try {
                String line = ready.get(30, TimeUnit.SECONDS);
                if (!"ready".equals(line)) {
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("container " + id + " did not start: " + TestHost.text(process.getErrorStream().readAllBytes()));
                }
            } catch (Exception e) {
                if (e instanceof RuntimeException r) throw r;
                throw new AssertionError("container " + id + " did not start", e);
            }
            return new Container(host, id, process);
        }

        long initPid() throws IOException {
            String state = Files.readString(host.root.resolve(id).resolve("state.json"));
            Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(state);
            assertTrue(pid.find(), state);
            return Long.parseLong(pid.group(1));
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                new ProcessBuilder("kill", "-KILL", Long.toString(initPid())).start().waitFor();
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "hako run of " + id + " did not end");
            }
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void netDevicesAreMovedInRenamedWithTheirAddressesAndUp() {
        // a veth end stands for the device (this kernel has no dummy driver)
        host.inHost("ip", "link", "add", "dev0", "type", "veth", "peer", "name", "dev0peer");
        host.inHost("ip", "addr", "add", "192.0.2.5/24", "dev", "dev0");
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "ip -o addr show ctr0 | grep -o 'inet [0-9./]*'; cat /sys/class/net/ctr0/operstate /sys/class/net/ctr0/flags");
        Busybox.linux(spec).put("netDevices", Map.of("dev0", Map.of("name", "ctr0")));
        Hako.Result result = host.hako("run", "--bundle", Busybox.bundle(work, spec).toString(), "netdev");
        assertEquals(0, result.code(), result::toString);
        List<String> lines = result.stdout().lines().toList();
        assertEquals("inet 192.0.2.5/24", lines.get(0));
        assertEquals(1, Integer.decode(lines.get(2)) & 1, "IFF_UP: " + lines);
        // A virtual device goes with the namespace; the runtime does not move it back (runtime spec).
        // (the kernel tears a namespace down in the background)
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
            gone = host.tryInHost("ip", "link", "show", "dev0peer").code() != 0;
            if (!gone) sleep(50);
        }
        assertTrue(gone, "the veth is gone with the container's namespace");
    }

    @Test
    void publishedPortIsReachableFromOutsideFromTheHostsLoopbackAndFromOtherContainers() throws Exception {
        try (Container web = server("web", "hello-web", "-p", "8080:80")) {
            assertEquals("hello-web", host.get(host.client, TestHost.HOST_ADDRESS, 8080), "from outside");
            assertEquals("hello-web", host.get(host.host, "127.0.0.1", 8080), "from the host's 127.0.0.1");
            assertEquals("hello-web", host.get(host.host, TestHost.HOST_ADDRESS, 8080), "from the host's own address");
            // Hairpin: another container through the host's address and through the gateway.
            Hako.Result other = run("other", fetch(TestHost.HOST_ADDRESS, 8080) + "; " + fetch("10.88.0.1", 8080));
            assertEquals(0, other.code(), other::toString);
            assertEquals(List.of("hello-web", "hello-web"), other.stdout().lines().toList());
            // Only the published port: the container's address is not reachable from outside directly.
            host.inClient("ip", "route", "add", "10.88.0.0/16", "via", TestHost.HOST_ADDRESS);
            assertEquals("", host.get(host.client, "10.88.0.2", 80), "direct access from outside must be refused");
        }
    }

    @Test
    void portRangesAndUdpArePublished() throws Exception {
        // busybox has no UDP server: the container's own UDP counters show the datagram arrived
        // (NoPorts: it reached the container's namespace, where nothing listens on 53).
        Path bundle = bundle("echo range > /srv/index.html && httpd -p 81 -h /srv && httpd -p 82 -h /srv"
                + " && echo ready && exec nc -l -p 90 -e cat /proc/net/snmp");
        try (Container ranged = Container.start(host, bundle, "ranged", "-p", "9081-9082:81-82", "-p", "5353:53/udp", "-p", "9090:90")) {
            assertEquals("range", host.get(host.client, TestHost.HOST_ADDRESS, 9081));
            assertEquals("range", host.get(host.client, TestHost.HOST_ADDRESS, 9082));
            Hako.Result sent = Hako.exec(List.of("ip", "netns", "exec", host.client, "bash", "-c",
                    "exec 3<>/dev/udp/" + TestHost.HOST_ADDRESS + "/5353; echo question >&3"), "");
            assertEquals(0, sent.code(), sent::toString);
            Hako.Result snmp = Hako.exec(List.of("ip", "netns", "exec", host.client, TestHost.BUSYBOX, "nc", "-w", "3",
                    TestHost.HOST_ADDRESS, "9090"), "");
            List<String> udp = snmp.stdout().lines().filter(l -> l.startsWith("Udp: ")).toList();
            assertEquals(2, udp.size(), snmp::toString);
            List<String> names = List.of(udp.get(0).split("\\s+"));
            String[] values = udp.get(1).split("\\s+");
            assertEquals("1", values[names.indexOf("NoPorts")], "the datagram should reach the container: " + udp);
        }
    }

    @Test
    void annotationsWireABundleWithoutFlags() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c",
                "echo annotated > /srv/index.html && httpd -p 80 -h /srv && echo ready && exec sleep 600");
        Busybox.mounts(spec).add(Map.of("destination", "/srv", "type", "tmpfs", "source", "tmpfs"));
        spec.put("annotations", Map.of("dev.hako.network", "bridge", "dev.hako.publish", "8087:80",
                "dev.hako.allow-from", "8087=" + TestHost.CLIENT_ADDRESS, "dev.hako.ip", "10.88.0.77"));
        Path bundle = Busybox.bundle(work, spec);
        Process process = host.start(host.hakoCommand("run", "--bundle", bundle.toString(), "annotated"));
        assertEquals("ready", new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine(),
                () -> "did not start: " + process.errorReader().lines().toList());
        try (Container annotated = new Container(host, "annotated", process)) {
            assertEquals("annotated", host.get(host.client, TestHost.HOST_ADDRESS, 8087));
            assertTrue(host.hako("network", "inspect", "hako").stdout().contains("\"address\": \"10.88.0.77\""));
        }
    }

    @Test
    void containersTalkByAddressAndByName() throws Exception {
        try (Container a = server("alpha", "from-alpha", "--ip", "10.88.0.50")) {
            // Names resolve through /etc/hosts, which hako keeps current; busybox-static's own
            // resolver cannot load glibc's NSS modules, so the lookup is done here as libc would.
            String byName = "ip=$(awk '$2 == \"alpha\" || $3 == \"alpha\" { print $1 }' /etc/hosts); " + fetch("$ip", 80);
            Hako.Result b = run("beta", fetch("10.88.0.50", 80) + "; " + byName + "; grep alpha /etc/hosts; cat /etc/hostname");
            assertEquals(0, b.code(), b::toString);
            List<String> lines = b.stdout().lines().toList();
            assertEquals("from-alpha", lines.get(0), "by address");
            assertEquals("from-alpha", lines.get(1), "by name");
            assertTrue(lines.get(2).startsWith("10.88.0.50"), lines::toString);
            assertEquals("hako", lines.get(3), "the spec's hostname");
        }
    }

    @Test
    void egressAllNoneAndAllowList() throws Exception {
        host.clientServer(work, 80, "outside-80");
        host.clientServer(work, 81, "outside-81");
        String both = fetch(TestHost.CLIENT_ADDRESS, 80) + "; " + fetch(TestHost.CLIENT_ADDRESS, 81);
        Hako.Result all = run("open", both);
        assertEquals(List.of("outside-80", "outside-81"), all.stdout().lines().toList(), all::toString);
        Hako.Result none = run("closed", both, "--egress", "none");
        assertEquals(List.of("", ""), none.stdout().lines().toList(), none::toString);
        Hako.Result some = run("some", both, "--egress", TestHost.CLIENT_ADDRESS + "/32:80");
        assertEquals(List.of("outside-80", ""), some.stdout().lines().toList(), some::toString);
    }

    @Test
    void allowListsDecideWhoReachesAPublishedPort() throws Exception {
        try (Container closed = server("closed", "closed-page", "-p", "8081:80", "--allow-from", "203.0.113.0/24");
             Container open = server("open", "open-page", "-p", "8082:80", "-p", "8083:80",
                     "--allow-from", "8082=" + TestHost.CLIENT_ADDRESS + "/32", "--allow-from", "8083=203.0.113.7")) {
            assertEquals("", host.get(host.client, TestHost.HOST_ADDRESS, 8081), "a source not listed");
            assertEquals("closed-page", host.get(host.host, "127.0.0.1", 8081), "the host itself is not outside");
            assertEquals("open-page", host.get(host.client, TestHost.HOST_ADDRESS, 8082), "listed for this port");
            assertEquals("", host.get(host.client, TestHost.HOST_ADDRESS, 8083), "listed for another port only");
        }
    }

    @Test
    void isolatedNetworkKeepsContainersApartButPublishedPortsWork() throws Exception {
        assertEquals(0, host.hako("network", "create", "--isolate", "--subnet", "10.77.0.0/24", "iso").code());
        try (Container a = server("iso-a", "iso-page", "--network", "iso", "--ip", "10.77.0.10", "-p", "8090:80")) {
            Hako.Result b = run("iso-b", fetch("10.77.0.10", 80) + "; " + fetch("10.77.0.1", 8090), "--network", "iso");
            assertEquals(List.of("", "iso-page"), b.stdout().lines().toList(), b::toString);
            // The same two on a network that does not isolate do talk.
            assertEquals(0, host.hako("network", "create", "--subnet", "10.78.0.0/24", "open").code());
            try (Container c = server("open-a", "open-page", "--network", "open", "--ip", "10.78.0.10")) {
                Hako.Result d = run("open-b", fetch("10.78.0.10", 80), "--network", "open");
                assertEquals(List.of("open-page"), d.stdout().lines().toList(), d::toString);
                // Nor do networks reach into each other, except through published ports.
                Hako.Result e = run("cross", fetch("10.78.0.10", 80) + "; " + fetch(TestHost.HOST_ADDRESS, 8090), "--network", "iso");
                assertEquals(List.of("", "iso-page"), e.stdout().lines().toList(), e::toString);
            }
        }
    }

    @Test
    void internalNetworkHasNoWayOut() throws IOException {
        host.clientServer(work, 80, "outside");
        assertEquals(0, host.hako("network", "create", "--internal", "inside").code());
        Hako.Result result = run("shut-in", fetch(TestHost.CLIENT_ADDRESS, 80), "--network", "inside");
        assertEquals(List.of(""), result.stdout().lines().toList(), result::toString);
    }

    @Test
    void namedNetworkHasItsSubnetGatewayBridgeAndMtu() {
        Hako.Result created = host.hako("network", "create", "--subnet", "10.66.0.0/24", "--gateway", "10.66.0.254",
                "--bridge", "br-test", "--mtu", "1400", "testnet");
        assertEquals(0, created.code(), created::toString);
        Hako.Result result = run("member", "ip -4 -o addr show eth0; ip route; cat /sys/class/net/eth0/mtu; ip -o link show lo",
                "--network", "testnet");
        assertEquals(0, result.code(), result::toString);
        String out = result.stdout();
        assertTrue(out.contains("inet 10.66.0.1/24"), out);
        assertTrue(out.contains("default via 10.66.0.254 dev eth0"), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().equals("1400")), out);
        assertTrue(out.contains("<LOOPBACK,UP"), out);
        assertTrue(host.inHost("ip", "-o", "addr", "show", "br-test").stdout().contains("10.66.0.254/24"));
        String listed = host.hako("network", "ls").stdout();
        assertTrue(listed.lines().anyMatch(l -> l.startsWith("testnet") && l.contains("br-test") && l.contains("10.66.0.0/24")), listed);
        String inspected = host.hako("network", "inspect", "testnet").stdout();
        assertTrue(inspected.contains("\"mtu\": 1400") && inspected.contains("\"containers\": []"), inspected);
    }

    @Test
    void modesNoneAndHost() {
        Hako.Result none = run("loner", "ip -o link | cut -d: -f2 | tr -d ' '; cat /etc/hostname", "--network", "none");
        assertEquals(0, none.code(), none::toString);
        assertEquals(List.of("lo", "hako"), none.stdout().lines().toList());
        Hako.Result shared = run("hosted", "ip -o link | cut -d: -f2 | tr -d ' ' | cut -d@ -f1", "--network", "host");
        assertEquals(0, shared.code(), shared::toString);
        assertTrue(shared.stdout().lines().toList().contains("uplink"), "the host's own links: " + shared.stdout());
    }

    @Test
    void resolvConfHasNoLoopbackServer() throws IOException {
        Hako.Result result = run("dns", "cat /etc/resolv.conf");
        assertEquals(0, result.code(), result::toString);
        for (String line : result.stdout().lines().toList()) {
            assertFalse(line.matches("\\s*nameserver\\s+(127\\..*|::1)\\s*"), "a loopback resolver reached the container: " + line);
        }
        for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
            if (line.matches("\\s*nameserver\\s+.*") && !line.matches("\\s*nameserver\\s+(127\\..*|::1)\\s*")) {
                assertTrue(result.stdout().contains(line.strip()), "the host's " + line + " is missing: " + result.stdout());
            }
        }
    }

    @Test
    void parallelCreatesNeverShareAnAddress() throws Exception {
        List<java.util.concurrent.CompletableFuture<Hako.Result>> runs = new ArrayList<>();
        // Eight at once, each holding its address for a second: they overlap.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            List<String> command = host.hakoCommand("run", "--bundle", bundle("ip -4 -o addr show eth0; sleep 1").toString(),
                    "--network", "hako", "par" + i);
            runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> Hako.exec(command, ""), pool));
        }
        pool.shutdown();
        Set<String> addresses = new HashSet<>();
        for (java.util.concurrent.CompletableFuture<Hako.Result> run : runs) {
            Hako.Result result = run.join();
            assertEquals(0, result.code(), result::toString);
            Matcher address = Pattern.compile("inet (10\\.88\\.\\d+\\.\\d+)/16").matcher(result.stdout());
            assertTrue(address.find(), result.stdout());
            addresses.add(address.group(1));
        }
        assertEquals(8, addresses.size(), "addresses: " + addresses);
    }

    @Test
    void crashedHakoIsCleanedUpByGc() throws Exception {
        Container web = server("crashed", "page", "-p", "8085:80");
        long init = web.initPid();
        // hako itself dies without a word: the container's init lives on, orphaned.
        new ProcessBuilder("kill", "-KILL", Long.toString(web.process.pid())).start().waitFor();
        assertTrue(web.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals("page", host.get(host.client, TestHost.HOST_ADDRESS, 8085), "the orphan still serves");
        assertEquals("", host.hako("network", "gc").stdout().strip(), "a living container's network is kept");
        new ProcessBuilder("kill", "-KILL", Long.toString(init)).start().waitFor();
        for (int i = 0; i < 50 && Files.exists(Path.of("/proc/" + init)); i++) TestHost.sleep(100);
        Hako.Result gc = host.hako("network", "gc");
        assertEquals("crashed", gc.stdout().strip(), gc::toString);
        assertEquals("", host.get(host.client, TestHost.HOST_ADDRESS, 8085));
        // What is left is the container's state: delete --force removes it, and its network is already gone.
        assertEquals(0, host.hako("delete", "--force", "crashed").code());
    }

    @Test
    void deleteForceAfterACrashLeavesNoNetworkBehind() throws Exception {
        Container web = server("killed", "page", "-p", "8086:80");
        new ProcessBuilder("kill", "-KILL", Long.toString(web.process.pid())).start().waitFor();
        assertTrue(web.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals("page", host.get(host.client, TestHost.HOST_ADDRESS, 8086), "the orphan still serves");
        Hako.Result delete = host.hako("delete", "--force", "killed");
        assertEquals(0, delete.code(), delete::toString);
        assertEquals("", host.get(host.client, TestHost.HOST_ADDRESS, 8086));
        assertEquals("", host.hako("network", "gc").stdout().strip(), "delete --force released it all");
    }

    @Test
    void addressOfADeadContainerIsReclaimedByTheNextCreate() throws Exception {
        Container web = server("dead", "page", "--ip", "10.88.0.9");
        long init = web.initPid();
        new ProcessBuilder("kill", "-KILL", Long.toString(web.process.pid())).start().waitFor();
        new ProcessBuilder("kill", "-KILL", Long.toString(init)).start().waitFor();
        assertTrue(web.process.waitFor(10, TimeUnit.SECONDS));
        for (int i = 0; i < 50 && Files.exists(Path.of("/proc/" + init)); i++) TestHost.sleep(100);
        Hako.Result next = run("next", "ip -4 -o addr show eth0", "--ip", "10.88.0.9");
        assertEquals(0, next.code(), next::toString);
        assertTrue(next.stdout().contains("10.88.0.9/16"), next.stdout());
        assertEquals(0, host.hako("delete", "--force", "dead").code());
    }

    // ------------------------------------------------------------------ bad input

    static void oneLine(Hako.Result result, String... expected) {
        assertNotEquals(0, result.code(), result::toString);
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line expected: " + result.stderr());
        for (String part : expected) assertTrue(lines.getFirst().contains(part), "\"" + part + "\" missing in: " + lines.getFirst());
    }

    @Test
    void badInputIsRefusedClearlyAndLeavesNothing() throws Exception {
        oneLine(run("x", "true", "-p", "8080"), "invalid published port \"8080\"");
        oneLine(run("x", "true", "-p", "70000:80"), "not in 1..65535");
        oneLine(run("x", "true", "--allow-from", "10.0.0.0/33", "-p", "80:80"), "invalid CIDR");
        oneLine(run("x", "true", "--egress", "10.1.2.3/8:443"), "host bits are set");
        oneLine(run("x", "true", "--network", "nowhere"), "network \"nowhere\" does not exist");
        oneLine(run("x", "true", "--ip", "192.168.1.5"), "outside network hako's subnet 10.88.0.0/16");
        oneLine(run("x", "true", "--network", "none", "-p", "80:80"), "published ports need a bridge network");
        oneLine(host.hako("network", "create", "--subnet", "10.1.2.0/24", "--gateway", "10.9.9.9", "bad"), "not a host address");
        oneLine(host.hako("network", "create", "--subnet", TestHost.HOST_ADDRESS + "/16", "bad"), "host bits are set");
        oneLine(host.hako("network", "create", "--subnet", "198.51.0.0/16", "bad"), "overlaps the host's network 198.51.100.0/24 (uplink)");
        oneLine(host.hako("network", "rm", "nowhere"), "network \"nowhere\" does not exist");
        try (Container web = server("holder", "page", "-p", "8086:80", "--ip", "10.88.0.20")) {
            oneLine(run("x", "true", "-p", "8086:81"), "port 8086/tcp is already published by container \"holder\"");
            oneLine(run("x", "true", "--ip", "10.88.0.20"), "address 10.88.0.20 is already in use by container \"holder\"");
            oneLine(host.hako("network", "rm", "hako"), "network \"hako\" has containers attached: holder");
            oneLine(host.hako("network", "create", "--subnet", "10.88.5.0/24", "clash"), "overlaps network hako's 10.88.0.0/16");
        }
        // A port a host process listens on is not taken from it.
        host.start(List.of("ip", "netns", "exec", host.host, TestHost.BUSYBOX, "nc", "-l", "-p", "7070"));
        for (int i = 0; i < 50 && !host.tryInHost("cat", "/proc/net/tcp").stdout().contains(":1B9E 00000000:0000 0A"); i++) TestHost.sleep(100);
        oneLine(run("x", "true", "-p", "7070:80"), "port 7070/tcp is already in use on the host");
    }
}
