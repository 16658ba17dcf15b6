package hako.state;

import hako.spec.Json;
import hako.spec.Spec;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state directory ({@code --root}, by default /run/hako): one directory per container, named
 * by its id, holding its state.json. Creating that directory is what claims an id.
 */
public final class StateDir {
    public static final Path DEFAULT_ROOT = Path.of("/run/hako");

    private final Path root;

    public StateDir(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Claims {@code id}; fails if a container of that id exists. */
    public Path create(String id) {
        Path dir = root.resolve(ContainerId.check(id));
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new StateException("container \"" + id + "\" already exists");
        } catch (IOException e) {
            throw new StateException("creating the state directory " + dir + ": " + e.getMessage());
        }
    }

    /** Writes state.json as the OCI runtime spec defines the state of a container. */
    public void writeState(String id, String status, int pid, Path bundle, Map<String, String> annotations) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("ociVersion", Spec.OCI_VERSION);
        state.put("id", id);
        state.put("status", status);
        state.put("pid", (long) pid);
        state.put("bundle", bundle.toString());
        if (!annotations.isEmpty()) state.put("annotations", annotations);
        Path file = root.resolve(id).resolve("state.json");
        Path temporary = root.resolve(id).resolve("state.json.tmp");
        try {
            // Written aside and renamed, so a reader never sees half a file.
            Files.writeString(temporary, Json.write(state));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StateException("writing " + file + ": " + e.getMessage());
        }
    }

    /** Removes the container's directory and everything in it; a missing directory is fine. */
    public void remove(String id) {
        Path dir = root.resolve(ContainerId.check(id));
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) Files.deleteIfExists(entry);
            Files.deleteIfExists(dir);
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new StateException("removing the state directory " + dir + ": " + e.getMessage());
        }
    }
}
