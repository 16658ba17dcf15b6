package hako.state;

import hako.json.Json;
import hako.sys.Errno;
import hako.sys.Libc;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The state directory ({@code --root}, by default /run/hako): one directory per container, named
 * by its id, holding its state.json and, between create and start, its exec fifo. Creating that
 * directory is what claims an id; an exclusive flock on it serialises the commands on one id.
 */
public final class StateDir {
    public static final Path DEFAULT_ROOT = Path.of("/run/hako");
    private static final String STATE = "state.json";
    private static final String FIFO = "exec.fifo";

    private final Path root;

    public StateDir(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(ContainerId.check(id));
    }

    public Path fifo(String id) {
        return dir(id).resolve(FIFO);
    }

    /** Claims {@code id} and locks it; fails if a container of that id exists. */
    public Lock create(String id) {
        Path dir = dir(id);
        try {
            // Root's alone: state.json holds the process's environment (secrets, often). Init
            // reaches the exec fifo by descriptor, and the network's /etc files are bind-mounted,
            // so nothing in the container needs to walk through here.
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new StateException("container \"" + id + "\" already exists");
        } catch (IOException e) {
            throw new StateException("creating the state directory " + dir + ": " + e.getMessage());
        }
        return new Lock(dir);
    }

    /** Locks an existing container; fails if there is none of that id. */
    public Lock lock(String id) {
        Path dir = dir(id);
        try {
            Lock lock = new Lock(dir);
            if (!Files.exists(dir.resolve(STATE))) {
                // Deleted while we waited, or a create that never got as far as its state.
                lock.close();
                throw notFound(id);
            }
            return lock;
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT) throw notFound(id);
            throw e;
        }
    }

    public static StateException notFound(String id) {
        return new StateException("container \"" + id + "\" does not exist");
    }

    public boolean exists(String id) {
        return Files.isDirectory(dir(id));
    }

    public ContainerState load(String id) {
        Path file = dir(id).resolve(STATE);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readAllBytes(file));
            return ContainerState.fromJson(json);
        } catch (NoSuchFileException e) {
            throw notFound(id);
        } catch (IOException | RuntimeException e) {
            throw new StateException("reading " + file + ": " + e.getMessage());
        }
    }

    /** Writes state.json aside and renames it into place, so a reader never sees half a file. */
    public void save(ContainerState state) {
        Path dir = dir(state.id());
        Path temporary = dir.resolve(STATE + ".tmp");
        try {
            // 0600 from its creation (a chmod after the write would leave a moment to read it).
            Files.deleteIfExists(temporary); // a killed save's; its mode may be anything
            try (java.nio.channels.SeekableByteChannel out = Files.newByteChannel(temporary,
                    java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Json.write(state.toJson()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) out.write(bytes);
            }
            Files.move(temporary, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StateException("writing " + dir.resolve(STATE) + ": " + e.getMessage());
        }
    }

    /** The ids of every container here, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (var entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry.resolve(STATE))) ids.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            throw new StateException("listing " + root + ": " + e.getMessage());
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Removes the container's directory and the files in it (state, fifo, the network's /etc
     * files); a missing directory is fine.
     */
    public void remove(String id) {
        Path dir = dir(id);
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) Files.deleteIfExists(entry);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new StateException("removing the state directory " + dir + ": " + e.getMessage());
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new StateException("removing the state directory " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Whether a command holds the container's lock now (a create at work, for instance). A
     * shared lock tried without waiting: it never stands in the way of the holder, and it is
     * let go at once. The answer may be stale as soon as it is given; it is for reporting.
     */
    public boolean locked(String id) {
        Path dir = dir(id);
        int fd;
        try {
            fd = Libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC | 0x10000 /* O_DIRECTORY */, "opening " + dir);
        } catch (RuntimeException e) {
            return false; // gone: nobody holds it
        }
        try {
            return !Libc.tryLockShared(fd, "checking the lock of " + dir);
        } finally {
            Libc.close(fd);
        }
    }

    /** An exclusive lock on one container's directory, held until closed. */
    public static final class Lock implements AutoCloseable {
        private final hako.sys.Flock flock;

        Lock(Path dir) {
            flock = hako.sys.Flock.onDirectory(dir);
        }

        @Override
        public void close() {
            flock.close();
        }
    }
}
