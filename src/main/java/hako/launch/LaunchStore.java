package hako.launch;

import hako.image.Unpacker;


import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where containers made from images keep their directories: beside the image store
 * (/var/lib/hako/containers for /var/lib/hako/images), as podman keeps its containers' layers
 * beside its images'. A directory outlives the container's runtime state (/run/hako), as an
 * exited docker container does, until {@code hako rm}.
 */
public final class LaunchStore {
    private final Path root;

    public LaunchStore(Path root) {
        this.root = root;
    }

    /** The store beside an image store: {@code …/images} → {@code …/containers}, {@code X-images} → {@code X-containers}. */
    public static LaunchStore besideImages(Path imageRoot) {
        String name = imageRoot.getFileName().toString();
        String ours = name.endsWith("images") ? name.substring(0, name.length() - "images".length()) + "containers" : name + "-containers";
        return new LaunchStore(imageRoot.resolveSibling(ours));
    }

    public Path root() {
        return root;
    }

    /** Makes the container's directory: the name is taken by the first to make it. */
    LaunchedContainer claim(String name) {
        Path directory = root.resolve(name);
        try {
            Files.createDirectories(root.resolve(".attach"));
            Files.createDirectory(directory);
            LaunchedContainer container = new LaunchedContainer(name, directory);
            for (Path path : List.of(container.rootfs(), container.upper(), container.work(), container.exitDirectory())) {
                Files.createDirectory(path);
            }
            return container;
        } catch (FileAlreadyExistsException e) {
            throw new LaunchException("the name \"" + name + "\" is already in use by a container (hako rm " + name + ")");
        } catch (IOException e) {
            throw new LaunchException("making " + directory + ": " + e.getMessage());
        }
    }

    public boolean has(String name) {
        return Files.isRegularFile(root.resolve(name).resolve("launch.json"));
    }

    public LaunchedContainer find(String name) {
        Path directory = root.resolve(name);
        if (!has(name)) {
            throw new LaunchException("no container \"" + name + "\" made from an image");
        }
        return new LaunchedContainer(name, directory);
    }

    /** Held while a container is cleaned up or removed, so that conmon's cleanup and hako rm take turns. */
    public interface Lock extends AutoCloseable {
        @Override
        void close();
    }

    Lock lock(LaunchedContainer container) {
        try {
            return hako.sys.Flock.exclusive(root.resolve(".lock"))::close;
        } catch (RuntimeException e) {
            throw new LaunchException("locking " + root.resolve(".lock") + " for " + container.name() + ": " + e.getMessage());
        }
    }

    public List<LaunchedContainer> list() {
        List<LaunchedContainer> containers = new ArrayList<>();
        if (!Files.isDirectory(root)) return containers;
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.sorted().toList()) {
                if (!entry.getFileName().toString().startsWith(".") && Files.isRegularFile(entry.resolve("launch.json"))) {
                    containers.add(new LaunchedContainer(entry.getFileName().toString(), entry));
                }
            }
        } catch (IOException e) {
            throw new LaunchException("listing " + root + ": " + e.getMessage());
        }
        return containers;
    }

    /** Unmounts the root filesystem and removes the directory with the container's changes. */
    public void remove(LaunchedContainer container) {
        Overlay.unmount(container.rootfs());
        try {
            Files.deleteIfExists(root.resolve(".attach").resolve(container.name()));
            Unpacker.remove(container.directory());
        } catch (IOException e) {
            throw new LaunchException("removing " + container.directory() + ": " + e.getMessage());
        }
    }
}
