package hako.net;

import hako.json.Json;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The network state on disk, beside the container state root: {@code networks/NAME.json} for each
 * network, {@code containers/ID.json} for each container's {@link Allocation}, and {@code lock}.
 * Every change happens while holding the lock, so two hako processes creating containers at the
 * same moment never take the same address or port.
 */
final class NetworkStore {
    private final Path root;
    private final NetSystem system;

    NetworkStore(Path root, NetSystem system) {
        this.root = root;
        this.system = system;
    }

    /** The directory beside a container state root: {@code /run/hako} keeps its networks in {@code /run/hako-network}. */
    static Path besideStateRoot(Path stateRoot) {
        Path absolute = stateRoot.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + "-network");
    }

    Path root() {
        return root;
    }

    /** Takes the network lock (blocking), released by closing what it returns. */
    AutoCloseable lock() {
        try {
            system.createDirectories(root.resolve("networks"));
            system.createDirectories(root.resolve("containers"));
            return system.lock(root.resolve("lock"));
        } catch (IOException e) {
            throw new NetworkException("locking the network state in " + root + ": " + e.getMessage());
        }
    }

    List<NetworkConfig> networks() {
        List<NetworkConfig> networks = new ArrayList<>();
        for (Path file : list("networks")) networks.add(NetworkConfig.fromJson(read(file)));
        return networks;
    }

    NetworkConfig network(String name) {
        Path file = root.resolve("networks").resolve(name + ".json");
        return system.exists(file) ? NetworkConfig.fromJson(read(file)) : null;
    }

    void save(NetworkConfig network) {
        write(root.resolve("networks").resolve(network.name() + ".json"), network.toJson());
    }

    void delete(NetworkConfig network) {
        delete(root.resolve("networks").resolve(network.name() + ".json"));
    }

    List<Allocation> allocations() {
        List<Allocation> allocations = new ArrayList<>();
        for (Path file : list("containers")) allocations.add(Allocation.fromJson(read(file)));
        return allocations;
    }

    Allocation allocation(String id) {
        Path file = root.resolve("containers").resolve(hako.state.ContainerId.check(id) + ".json");
        return system.exists(file) ? Allocation.fromJson(read(file)) : null;
    }

    void save(Allocation allocation) {
        write(root.resolve("containers").resolve(allocation.id() + ".json"), allocation.toJson());
    }

    void delete(Allocation allocation) {
        delete(root.resolve("containers").resolve(allocation.id() + ".json"));
    }

    private List<Path> list(String dir) {
        try {
            return system.list(root.resolve(dir)).stream().filter(f -> f.getFileName().toString().endsWith(".json")).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetworkException("reading " + root.resolve(dir) + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> read(Path file) {
        try {
            return (Map<String, Object>) Json.parse(system.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new NetworkException("reading " + file + ": " + e.getMessage());
        }
    }

    private void write(Path file, Map<String, Object> json) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            system.writeString(temporary, Json.writePretty(json) + "\n");
            system.rename(temporary, file);
        } catch (IOException e) {
            throw new NetworkException("writing " + file + ": " + e.getMessage());
        }
    }

    private void delete(Path file) {
        try {
            system.delete(file);
        } catch (IOException e) {
            throw new NetworkException("removing " + file + ": " + e.getMessage());
        }
    }
}
