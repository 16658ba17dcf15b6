package hako.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsFilesTest {
    @Test
    void resolvConfDropsLoopbackServersAndKeepsTheRest() {
        String host = "# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\nsearch example.org\noptions edns0\n";
        assertEquals("# generated\nnameserver 192.0.2.53\nsearch example.org\noptions edns0\n", DnsFiles.resolvConf(host));
        assertTrue(DnsFiles.resolvConf("nameserver 127.0.0.1\n").contains("no name server that the container can reach"));
        assertTrue(DnsFiles.hasReachableServer("nameserver 10.0.0.2\n"));
        assertFalse(DnsFiles.hasReachableServer("nameserver 127.0.0.53\n"));
    }

    @Test
    void hostsNameTheContainerAndItsPeers() {
        String hosts = DnsFiles.hosts("web", "c1", Ipv4.parse("10.88.0.2"),
                List.of(new DnsFiles.Peer(Ipv4.parse("10.88.0.3"), "db", "db"), new DnsFiles.Peer(Ipv4.parse("10.88.0.4"), "c3", "cache")));
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.88.0.2\tweb c1\n10.88.0.3\tdb\n10.88.0.4\tcache c3\n", hosts);
    }

    @Test
    void rewriteKeepsTheSameFileSoABindMountSeesIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hosts");
        DnsFiles.write(NetSystem.kernel(), file, "a much longer first version\n");
        Object inode = Files.getAttribute(file, "unix:ino");
        DnsFiles.rewrite(NetSystem.kernel(), file, "short\n");
        assertEquals("short\n", Files.readString(file));
        assertEquals(inode, Files.getAttribute(file, "unix:ino"));
        DnsFiles.rewrite(NetSystem.kernel(), dir.resolve("gone"), "x"); // a container whose state is gone: nothing to do
    }

    @Test
    void onlyRfc1123HostnamesGoIntoHostsFiles() {
        DnsFiles.checkHostname("web-1.example.org");
        DnsFiles.checkHostname("a".repeat(63));
        for (String bad : List.of("web\n10.0.0.1 bank.example", "web evil", "-web", "web-", "a..b", "", "a".repeat(64), "x_y",
                "web#", "\u00e9t\u00e9", ("a".repeat(60) + ".").repeat(5))) {
            NetworkException e = org.junit.jupiter.api.Assertions.assertThrows(NetworkException.class, () -> DnsFiles.checkHostname(bad), bad);
            assertTrue(e.getMessage().contains("RFC 1123") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
