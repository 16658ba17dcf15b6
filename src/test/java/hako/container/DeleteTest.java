package hako.container;

import hako.state.Status;
import hako.net.NetworkRequest;
import hako.net.Networking;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.Timestamps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code delete --force} after a {@code create} killed half-way (tests/faults/run.sh finds these
 * points): what the dead create left is exactly what it wrote before it died. No root needed.
 */
class DeleteTest {
    @TempDir
    Path work;

    /** Killed after its first state.json (pid 0: no init yet) and before the clone's pid was saved. */
    @Test
    void forceDeletesACreateKilledBeforeItsInitWasRecorded() {
        StateDir states = new StateDir(work.resolve("state"));
        states.create("early").close();
        states.save(new ContainerState("early", 0, 0, work, work.resolve("rootfs"), Timestamps.now(), Status.CREATING,
                Map.of(), null, null, Map.of(), List.of("pid", "mnt"), false, Map.of(), null, null));

        Delete.delete(states, "early", true);

        assertFalse(states.exists("early"));
    }

    /**
     * A create that died before its init existed is stopped, not "creating" forever: creating
     * holds the container's lock, and nobody holds it any more.
     */
    @Test
    void aCreateThatDiedBeforeItsInitIsStoppedWhileOneAtWorkIsCreating() {
        StateDir states = new StateDir(work.resolve("state"));
        ContainerState early = new ContainerState("early", 0, 0, work, work.resolve("rootfs"), Timestamps.now(), Status.CREATING,
                Map.of(), null, null, Map.of(), List.of("pid", "mnt"), false, Map.of(), null, null);
        try (StateDir.Lock held = states.create("early")) {
            states.save(early);
            assertEquals(Status.CREATING, ContainerStatus.of(states, early), "the lock is held: a create at work");
        }
        assertEquals(Status.STOPPED, ContainerStatus.of(states, early), "nobody holds it: the create died");
    }

    /** Killed after its network was prepared and before any state.json: the record goes too. */
    @Test
    void forceDeletesADirectoryWithoutStateAndTheNetworkRecordMadeForIt() {
        StateDir states = new StateDir(work.resolve("state"));
        states.create("stateless").close();
        Networking networking = Networking.forStateRoot(states.root());
        networking.prepare("stateless", NetworkRequest.parse("none", List.of(), List.of(), null, null), null, states.dir("stateless"));
        assertNotNull(networking.allocation("stateless"));

        Delete.delete(states, "stateless", true);

        assertFalse(states.exists("stateless"));
        assertNull(networking.allocation("stateless"), "the dead create's address record");
    }

    /** A container that never used a network gets no network directory from its delete. */
    @Test
    void forceDeletingADirectoryWithoutStateMakesNoNetworkState() {
        StateDir states = new StateDir(work.resolve("state"));
        states.create("plain").close();

        Delete.delete(states, "plain", true);

        assertFalse(states.exists("plain"));
        assertFalse(Files.exists(work.resolve("state-network")));
    }
}
