package hako.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallerTest {
    @TempDir
    Path dir;

    private boolean inUserNamespace(String uidMap) throws IOException {
        Path file = dir.resolve("uid_map");
        Files.writeString(file, uidMap);
        return Caller.inUserNamespace(file);
    }

    @Test
    void onlyTheInitialNamespacesFullMapIsTheHost() throws IOException {
        assertFalse(inUserNamespace("         0          0 4294967295\n"));
        assertTrue(inUserNamespace("         0       1000          1\n         1     100000      65536\n"), "rootless podman's");
        assertTrue(inUserNamespace("         0          0          1\n"), "unshare -r by root: root, but not all of the host's ids");
        assertTrue(inUserNamespace(""), "a namespace not mapped yet");
        assertFalse(Caller.inUserNamespace(dir.resolve("missing")), "a kernel without user namespaces");
    }

    @Test
    void rootInAUserNamespaceIsUnprivilegedButNotRootless() {
        Caller nested = new Caller(0, 0, true);
        assertFalse(nested.rootless());
        assertTrue(nested.unprivileged());
        assertTrue(new Caller(1000, 1000).unprivileged());
        assertFalse(Caller.ROOT.unprivileged());
    }
}
