package hako.launch;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LaunchSpecTest {
    private static final ImageConfig IMAGE = new ImageConfig(List.of("/entry"), List.of("default", "args"),
            List.of("PATH=/image/bin", "FROM_IMAGE=1", "SHARED=image"), "/work", "app", List.of("80/tcp"), Map.of(), "SIGINT");

    private static LaunchOptions options(List<String> command, String entrypoint, List<String> env, boolean tty) {
        return options(command, entrypoint, env, tty, null);
    }

    private static LaunchOptions options(List<String> command, String entrypoint, List<String> env, boolean tty, String network) {
        return new LaunchOptions("img:1", command, null, false, false, false, tty, env, List.of(), List.of(), List.of(), null, null,
                null, entrypoint, false, null, null, null, List.of(), List.of(), List.of(), false, List.of(), network, List.of(), null);
    }

    /** Defaults but --network. */
    static LaunchOptions withNetwork(String network) {
        return options(List.of(), null, List.of(), false, network);
    }

    @Test
    void theCommandReplacesCmdAndKeepsTheEntrypoint() {
        assertEquals(List.of("/entry", "default", "args"), LaunchSpec.arguments(options(List.of(), null, List.of(), false), IMAGE));
        assertEquals(List.of("/entry", "mine"), LaunchSpec.arguments(options(List.of("mine"), null, List.of(), false), IMAGE));
    }

    @Test
    void anEntrypointFlagDropsTheImagesCmdAndAnEmptyOneClearsIt() {
        assertEquals(List.of("/other"), LaunchSpec.arguments(options(List.of(), "/other", List.of(), false), IMAGE));
        assertEquals(List.of("/other", "x"), LaunchSpec.arguments(options(List.of("x"), "/other", List.of(), false), IMAGE));
        assertEquals(List.of("sh"), LaunchSpec.arguments(options(List.of("sh"), "", List.of(), false), IMAGE));
        LaunchException none = assertThrows(LaunchException.class,
                () -> LaunchSpec.arguments(options(List.of(), "", List.of(), false), IMAGE));
        assertEquals("the image img:1 has no command: give one after the image", none.getMessage());
    }

    @Test
    void environmentIsDefaultsThenImageThenFlagsLaterWinning() {
        List<String> env = LaunchSpec.environment(options(List.of(), null, List.of("SHARED=flag", "FROM_HOST", "NOT_ON_HOST"), true),
                IMAGE, "box", Map.of("FROM_HOST", "host value"));
        assertEquals(List.of("PATH=/image/bin", "HOSTNAME=box", "TERM=xterm", "FROM_IMAGE=1", "SHARED=flag", "FROM_HOST=host value"), env);
    }

    @Test
    void capabilitiesArePodmansDefaultsWithDropThenAdd() {
        assertEquals(LaunchSpec.DEFAULT_CAPABILITIES, LaunchSpec.capabilities(List.of(), List.of()));
        assertEquals(List.of("CAP_NET_ADMIN"), LaunchSpec.capabilities(List.of("net_admin"), List.of("ALL")));
        List<String> dropped = LaunchSpec.capabilities(List.of(), List.of("CAP_CHOWN", "kill"));
        assertEquals(9, dropped.size());
        assertEquals(41, LaunchSpec.capabilities(List.of("ALL"), List.of()).size());
        assertThrows(LaunchException.class, () -> LaunchSpec.capabilities(List.of("CAP_FLY"), List.of()));
    }

    @Test
    void volumesAreBindMountsOfPathsThatExist() {
        Map<String, Object> mount = LaunchSpec.volume("/tmp:/data:ro,z");
        assertEquals("/data", mount.get("destination"));
        assertEquals("/tmp", mount.get("source"));
        assertEquals(List.of("rbind", "ro"), mount.get("options"));
        assertEquals(List.of("rbind", "rw"), LaunchSpec.volume("/tmp:/data").get("options"));
        for (String bad : List.of("/tmp", "/tmp:relative", "name:/x", "/tmp:/x:bogus", "/does/not/exist:/x", "/tmp::")) {
            assertThrows(LaunchException.class, () -> LaunchSpec.volume(bad), bad);
        }
    }

    @Test
    void sizesAreDockers() {
        assertEquals(64L << 20, Sizes.bytes("64m", "--memory"));
        assertEquals(64L << 20, Sizes.bytes("64MB", "--memory"));
        assertEquals(1L << 30, Sizes.bytes("1g", "--memory"));
        assertEquals(1536L << 20, Sizes.bytes("1.5g", "--memory"));
        assertEquals(4096L, Sizes.bytes("4k", "--memory"));
        assertEquals(100L, Sizes.bytes("100", "--memory"));
        assertEquals(100L, Sizes.bytes("100b", "--memory"));
        for (String bad : List.of("", "m", "-1m", "1x", "NaN", "1e9", "0x10")) {
            assertThrows(LaunchException.class, () -> Sizes.bytes(bad, "--memory"), bad);
        }
    }

    @Test
    void overlayOptionsListTheTopLayerFirst() {
        String data = Overlay.options(List.of(java.nio.file.Path.of("/s/base"), java.nio.file.Path.of("/s/top")),
                java.nio.file.Path.of("/c/upper"), java.nio.file.Path.of("/c/work"));
        assertEquals("lowerdir=/s/top:/s/base,upperdir=/c/upper,workdir=/c/work", data);
        assertThrows(LaunchException.class, () -> Overlay.options(List.of(java.nio.file.Path.of("/s/a:b")),
                java.nio.file.Path.of("/u"), java.nio.file.Path.of("/w")));
    }
}
