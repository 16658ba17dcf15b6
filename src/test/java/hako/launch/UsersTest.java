package hako.launch;

import hako.sys.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UsersTest {
    @TempDir
    Path dir;

    private Path layer(String name, String passwd, String group) throws IOException {
        Path etc = Files.createDirectories(dir.resolve(name).resolve("etc"));
        if (passwd != null) Files.writeString(etc.resolve("passwd"), passwd);
        if (group != null) Files.writeString(etc.resolve("group"), group);
        return etc.getParent();
    }

    @Test
    void inLayersTheHighestThatHasTheFileWinsAndAWhiteoutHidesIt() throws IOException {
        Path base = layer("base", "root:x:0:0::/root:/bin/sh\napp:x:100:100::/:/bin/sh\n", "app:x:100:\nextra:x:300:app\n");
        Path top = layer("top", "app:x:200:200::/:/bin/sh\n", null);
        assertEquals(new Users.Resolved(200, 200, List.of(300L)), Users.resolveInLayers("app", List.of(base, top)));
        // overlayfs's whiteout: a 0/0 character device where the file was
        Libc.mknod(top.resolve("etc/group").toString(), 0020000, 0, 0, "making a whiteout");
        assertEquals(new Users.Resolved(200, 200, List.of()), Users.resolveInLayers("app", List.of(base, top)));
        Libc.mknod(Files.createDirectories(dir.resolve("gone/etc")).resolve("passwd").toString(), 0020000, 0, 0, "making a whiteout");
        assertThrows(LaunchException.class, () -> Users.resolveInLayers("app", List.of(base, dir.resolve("gone"))));
        assertEquals(new Users.Resolved(7, 0, List.of()), Users.resolveInLayers("7", List.of(base, dir.resolve("gone"))));
    }
}
