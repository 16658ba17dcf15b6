package hako.net;

import hako.sys.ProcessRef;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkStoreTest {
    @Test
    void networksLiveBesideTheStateRoot() {
        assertEquals(Path.of("/run/hako-network"), NetworkStore.besideStateRoot(Path.of("/run/hako")));
        assertEquals(Path.of("/tmp/x/state-network"), NetworkStore.besideStateRoot(Path.of("/tmp/x/state/")));
    }

    @Test
    void recordsRoundTrip(@TempDir Path dir) throws Exception {
        NetworkStore store = new NetworkStore(dir, NetSystem.kernel());
        Allocation allocation = new Allocation("web", "0123456789", NetworkRequest.Mode.BRIDGE, "hako", Ipv4.parse("10.88.0.2"),
                "hk0123456789", "www", List.of(PortMapping.parse("127.0.0.1:8080-8081:80-81/udp")),
                List.of(AllowRule.parse("8080/udp=10.0.0.0/8,192.0.2.1")), Egress.parse("10.0.0.0/8:443"), dir.resolve("files"),
                ProcessRef.self(), null, null);
        try (AutoCloseable lock = store.lock()) {
            store.save(allocation);
            store.save(FirewallRulesTest.NETWORK);
        }
        assertEquals(allocation, store.allocation("web"));
        assertEquals(List.of(allocation), store.allocations());
        assertEquals(FirewallRulesTest.NETWORK, store.network("hako"));
        Allocation wired = allocation.withInit(ProcessRef.self());
        store.save(wired);
        assertEquals(wired, store.allocation("web"));
        store.delete(wired);
        assertNull(store.allocation("web"));
    }

    @Test
    void liveness(@TempDir Path dir) {
        ProcessRef self = ProcessRef.self();
        assertTrue(self.alive());
        assertFalse(new ProcessRef(self.pid(), self.startTime() + 1).alive(), "same pid, other process");
        Allocation preparing = new Allocation("x", "k", NetworkRequest.Mode.NONE, null, null, null, "x", List.of(), List.of(),
                Egress.ALL, dir, self, null, null);
        assertEquals(self, preparing.holder(), "before wiring, the hako process that prepared it counts");
        ProcessRef init = new ProcessRef(self.pid(), self.startTime() + 1);
        assertEquals(init, preparing.withInit(init).holder(), "after wiring, only the init counts");
        assertTrue(new Networking(dir).alive(preparing));
        assertFalse(new Networking(dir).alive(preparing.withInit(init)));
    }

    @Test
    void keysDifferPerRootAndPerId() {
        Networking one = new Networking(Path.of("/run/a-network"));
        Networking two = new Networking(Path.of("/run/b-network"));
        assertEquals(10, one.key("web").length());
        assertEquals(one.key("web"), one.key("web"));
        assertFalse(one.key("web").equals(one.key("db")));
        assertFalse(one.key("web").equals(two.key("web")));
    }
}
