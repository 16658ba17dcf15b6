package hako.image;

import hako.toml.Toml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What registries.conf says about pulls, all its files merged: the {@link RegistryEntry}s (the
 * one with the longest matching prefix applies to a name), and the registries a short name is
 * tried at ({@code searchRegistries}; null when no file sets it: Docker Hub then, as hako
 * always did). {@code searchWhere} is the file and line that set it.
 */
public record RegistriesConf(List<RegistryEntry> registries, List<String> searchRegistries, String searchWhere) {
    public static final RegistriesConf NONE = new RegistriesConf(List.of(), null, null);

    public RegistriesConf {
        registries = List.copyOf(registries);
        searchRegistries = searchRegistries == null ? null : List.copyOf(searchRegistries);
    }

    /**
     * The files podman reads: {@code explicit} alone when given (--registries-conf or
     * $CONTAINERS_REGISTRIES_CONF: a test or a script sees exactly what it wrote); else
     * ~/.config/containers/registries.conf if it exists, in place of the system's, then the
     * *.conf of ~/.config/containers/registries.conf.d; else SYSTEM/registries.conf, then the
     * *.conf of SYSTEM/registries.conf.d and of the user's (one of the same name replaces the
     * system's), in the order of their names. Each file can replace what the ones before said.
     */
    public static RegistriesConf load(Path explicit, Path system, Path home) {
        if (explicit != null) return read(explicit);
        Path user = home.resolve(".config/containers");
        List<Path> files = new ArrayList<>();
        Map<String, Path> dropIns = new TreeMap<>();
        if (Files.isRegularFile(user.resolve("registries.conf"))) {
            files.add(user.resolve("registries.conf"));
        } else {
            if (Files.isRegularFile(system.resolve("registries.conf"))) files.add(system.resolve("registries.conf"));
            dropIns.putAll(dropIns(system.resolve("registries.conf.d")));
        }
        dropIns.putAll(dropIns(user.resolve("registries.conf.d")));
        files.addAll(dropIns.values());
        RegistriesConf merged = NONE;
        for (Path file : files) merged = merged.with(read(file));
        return merged;
    }

    static RegistriesConf read(Path file) {
        return RegistriesConfReader.read(Toml.read(file));
    }

    private static Map<String, Path> dropIns(Path directory) {
        if (!Files.isDirectory(directory)) return Map.of();
        try (Stream<Path> children = Files.list(directory)) {
            Map<String, Path> found = new TreeMap<>();
            children.filter(p -> p.getFileName().toString().endsWith(".conf") && Files.isRegularFile(p))
                    .forEach(p -> found.put(p.getFileName().toString(), p));
            return found;
        } catch (IOException e) {
            throw new ImageException("reading " + directory + ": " + e.getMessage());
        }
    }

    /** A later file over this one: its registries replace those of the same prefix, its search list this one's. */
    RegistriesConf with(RegistriesConf later) {
        Map<String, RegistryEntry> byPrefix = new LinkedHashMap<>();
        for (RegistryEntry entry : registries) byPrefix.put(entry.prefix(), entry);
        for (RegistryEntry entry : later.registries) byPrefix.put(entry.prefix(), entry);
        boolean replaced = later.searchRegistries != null;
        return new RegistriesConf(List.copyOf(byPrefix.values()), replaced ? later.searchRegistries : searchRegistries,
                replaced ? later.searchWhere : searchWhere);
    }

    /**
     * The references a name means, to be tried in order: itself when it names its registry or
     * when no file sets unqualified-search-registries (docker.io then); else the name at each
     * search registry, as podman's short-name-mode=permissive does without a terminal.
     */
    public List<Reference> candidates(String text) {
        Reference plain = Reference.parse(text);
        if (searchRegistries == null || Reference.namesRegistry(text)) return List.of(plain);
        if (searchRegistries.isEmpty()) {
            throw new ImageException(text + " names no registry, and unqualified-search-registries is empty (" + searchWhere
                    + "): write the registry too, as in " + plain);
        }
        return searchRegistries.stream().map(registry -> Reference.parse(registry + "/" + text)).toList();
    }

    /** The registry entry for a reference: the one whose prefix matches the most of it, or null. */
    public RegistryEntry find(Reference reference) {
        String name = reference.toString();
        RegistryEntry best = null;
        for (RegistryEntry entry : registries) {
            if (entry.match(name) >= 0 && (best == null || entry.prefix().length() > best.prefix().length())) best = entry;
        }
        return best;
    }

    /** Where to pull a reference from: its entry's mirrors and location, or the reference itself. */
    public List<RegistryEntry.Source> sources(Reference reference, Boolean tlsVerify) {
        RegistryEntry entry = find(reference);
        if (entry == null) return List.of(new RegistryEntry.Source(reference, tlsVerify == null || tlsVerify, false));
        return entry.sources(reference, tlsVerify);
    }
}
