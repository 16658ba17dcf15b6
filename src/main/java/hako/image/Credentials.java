package hako.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A user name and password for a registry, from the auth files podman reads, first found wins:
 * {@code $REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * {@code ~/.config/containers/auth.json}, {@code ~/.docker/config.json}. Each has an {@code auths}
 * map keyed by registry host whose {@code auth} is base64 of {@code user:password}.
 */
public record Credentials(String user, String password) {
    /** The files to look in, in podman's order, for this environment. */
    public static List<Path> files(Map<String, String> env, Path home) {
        List<Path> files = new ArrayList<>();
        if (nonEmpty(env.get("REGISTRY_AUTH_FILE"))) files.add(Path.of(env.get("REGISTRY_AUTH_FILE")));
        if (nonEmpty(env.get("XDG_RUNTIME_DIR"))) files.add(Path.of(env.get("XDG_RUNTIME_DIR"), "containers/auth.json"));
        files.add(home.resolve(".config/containers/auth.json"));
        files.add(home.resolve(".docker/config.json"));
        return files;
    }

    /**
     * The credentials for {@code registry} (a host[:port]) from the first file that has an entry
     * for it, or null. Keys are matched as podman does: the host itself, a URL of it
     * ({@code https://host/v1/}); Docker Hub is also {@code index.docker.io} and {@code registry-1.docker.io}.
     */
    public static Credentials find(List<Path> files, String registry) {
        for (Path file : files) {
            if (!Files.isRegularFile(file)) continue;
            Credentials found = fromFile(file, registry);
            if (found != null) return found;
        }
        return null;
    }

    static Credentials fromFile(Path file, String registry) {
        Object tree;
        try {
            tree = Manifests.parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ImageException("reading " + file + ": " + e.getMessage());
        }
        if (!(tree instanceof Map<?, ?> map) || !(map.get("auths") instanceof Map<?, ?> auths)) return null;
        List<String> names = registry.equals(Reference.DOCKER_HUB)
                ? List.of("docker.io", "index.docker.io", "registry-1.docker.io") : List.of(registry);
        for (Map.Entry<?, ?> entry : auths.entrySet()) {
            if (!names.contains(hostOf(String.valueOf(entry.getKey())))) continue;
            if (!(entry.getValue() instanceof Map<?, ?> value) || !(value.get("auth") instanceof String auth) || auth.isEmpty()) continue;
            return decode(auth, file + ": auths." + entry.getKey());
        }
        return null;
    }

    /** "https://index.docker.io/v1/" → "index.docker.io"; "host:5000" stays. */
    private static String hostOf(String key) {
        String host = key.replaceFirst("^[a-z]+://", "");
        int slash = host.indexOf('/');
        return slash < 0 ? host : host.substring(0, slash);
    }

    static Credentials decode(String auth, String what) {
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ImageException(what + ": \"auth\" is not base64");
        }
        int colon = pair.indexOf(':');
        if (colon < 0) throw new ImageException(what + ": \"auth\" is not base64 of user:password");
        return new Credentials(pair.substring(0, colon), pair.substring(colon + 1));
    }

    /** The value of an Authorization header for Basic auth. */
    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    @Override
    public String toString() {
        return "Credentials[" + user + "]"; // never the password, not even in a stack trace
    }
}
