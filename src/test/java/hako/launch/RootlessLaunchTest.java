package hako.launch;

import hako.json.Json;
import hako.spec.DefaultSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RootlessLaunchTest {
    /** Not in /etc/passwd: /etc/subuid names it by its uid. */
    private static final long UID = 4_242_424, GID = 4_242_425;
    private static final String LAYERS = "lowerdir=/s/b:/s/a,upperdir=/c/upper,workdir=/c/work";

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec() {
        Map<String, Object> spec = (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
        spec.put("annotations", new LinkedHashMap<>());
        return spec;
    }

    private Path granting(String name, String line) throws IOException {
        return Files.writeString(dir.resolve(name), "someone:1:2\n" + line + "\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theUserIsRootItsSubordinateIdsFollowAndTheLayersAreItsRoot() throws IOException {
        Map<String, Object> spec = spec();
        RootlessLaunch.apply(spec, UID, GID, new Users.Resolved(65534, 65534, List.of(5L)), LAYERS,
                granting("subuid", UID + ":200000:65536"), granting("subgid", UID + ":300000:65536"));
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        assertTrue(((List<Object>) linux.get("namespaces")).contains(Map.of("type", "user")));
        assertTrue(((List<Object>) linux.get("namespaces")).contains(Map.of("type", "network")), "its own loopback");
        assertEquals(List.of(Map.of("containerID", 0L, "hostID", UID, "size", 1L), Map.of("containerID", 1L, "hostID", 200000L, "size", 65536L)),
                linux.get("uidMappings"));
        assertEquals(List.of(Map.of("containerID", 0L, "hostID", GID, "size", 1L), Map.of("containerID", 1L, "hostID", 300000L, "size", 65536L)),
                linux.get("gidMappings"));
        assertFalse(linux.containsKey("resources"), "no device cgroup: only the default's device rules were there");
        assertEquals(LAYERS + ",userxattr", ((Map<String, Object>) spec.get("annotations")).get("dev.hako.rootfs.overlay"));
        assertTrue(Json.write(spec.get("mounts")).contains("\"gid=5\""), "devpts's tty group is mapped: kept");
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutSubordinateIdsOnlyRootIsMappedAndAnotherUserIsRefused() throws IOException {
        Map<String, Object> spec = spec();
        Path none = dir.resolve("absent");
        RootlessLaunch.apply(spec, UID, GID, new Users.Resolved(0, 0, List.of()), LAYERS, none, none);
        Map<String, Object> linux = (Map<String, Object>) spec.get("linux");
        assertEquals(List.of(Map.of("containerID", 0L, "hostID", UID, "size", 1L)), linux.get("uidMappings"));
        assertFalse(Json.write(spec.get("mounts")).contains("gid=5"), "gid 5 is not mapped: the option goes");
        LaunchException e = assertThrows(LaunchException.class,
                () -> RootlessLaunch.apply(spec(), UID, GID, new Users.Resolved(65534, 65534, List.of()), LAYERS, none, none));
        assertEquals("the container would run as id 65534, and the ids of your container are 0 (you) only: "
                + "/etc/subuid and /etc/subgid grant you no others; -u 0 runs it as its root", e.getMessage());
    }

    @Test
    void theFirstRangeGrantedByNameOrUidIsTaken() throws IOException {
        Path file = Files.writeString(dir.resolve("subuid"), "other:1:9\nalice:x:5\nalice:100000:0\n1000:200000:65536\nalice:300000:10\n");
        assertEquals(List.of(200000L, 65536L), List.of(box(RootlessLaunch.subordinate(file, "alice", 1000))));
        assertEquals(List.of(300000L, 10L), List.of(box(RootlessLaunch.subordinate(file, "alice", 7))));
        assertNull(RootlessLaunch.subordinate(file, "bob", 7));
    }

    private static Long[] box(long[] range) {
        return new Long[] {range[0], range[1]};
    }

    @Test
    void aUsersLaunchNeedsNetworkNoneForNow() {
        LaunchException e = assertThrows(LaunchException.class, () -> RootlessLaunch.check(LaunchSpecTest.withNetwork(null)));
        assertTrue(e.getMessage().startsWith("run by a user, hako launch has no network but its own loopback yet"), e.getMessage());
        RootlessLaunch.check(LaunchSpecTest.withNetwork("none"));
    }
}
