package hako.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every integration test class shares: a temporary directory with a busybox rootfs and a
 * private state root, and at the end the leak check, before the directory is removed.
 */
abstract class ContainerTest {
    static Path work;
    static Path root;
    static Path rootfs;

    @BeforeAll
    static void makeRootfs() throws IOException {
        assertRoot();
        work = Files.createTempDirectory("hako-it");
        root = work.resolve("state");
        rootfs = work.resolve("rootfs");
        Busybox.rootfs(rootfs);
    }

    private static void assertRoot() {
        if (!System.getProperty("user.name").equals("root")) {
            throw new IllegalStateException("integration tests create containers: run them as root");
        }
    }

    @AfterAll
    static void nothingLeaks() throws IOException {
        Leaks.assertNone(work, root);
        Leaks.deleteTree(work);
    }
}
