package hako.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An exclusive flock(2) on a file (made if missing) or a directory, released by close. It belongs to an open
 * file, so it excludes two calls on two threads of a warm runtime as it does two processes (a
 * FileChannel lock is the whole JVM's, and would let both threads in).
 */
public final class Flock implements AutoCloseable {
    private final int fd;

    private Flock(int fd) {
        this.fd = fd;
    }

    public static Flock exclusive(Path file) {
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            // the usual case
        } catch (IOException e) {
            throw new UncheckedIOException("making the lock file " + file + ": " + e.getMessage(), e);
        }
        return of(file, Libc.O_RDWR);
    }

    /** The lock of a directory (a container's in the state directory). */
    public static Flock onDirectory(Path dir) {
        return of(dir, Libc.O_RDONLY | 0x10000 /* O_DIRECTORY */);
    }

    private static Flock of(Path path, int flags) {
        int fd = Libc.open(path.toString(), flags | Libc.O_CLOEXEC, "locking " + path);
        try {
            Libc.lockExclusive(fd, "locking " + path);
            return new Flock(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
