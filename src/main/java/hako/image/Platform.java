package hako.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image platform, {@code os/architecture[/variant]} with GOARCH's names (amd64, arm64), and
 * the choice of one manifest from an index or manifest list: an OCI layout and a registry both
 * hold images for several machines behind one name.
 */
public record Platform(String os, String architecture, String variant) {
    /** linux and this machine's architecture, any variant. */
    public static Platform host() {
        return new Platform("linux", hostArchitecture(), null);
    }

    /** {@code linux/arm64}, {@code linux/arm/v7}: what --platform takes. */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || List.of(parts).contains("") || !text.matches("[a-z0-9/._-]+")) {
            throw new ImageException("\"" + text + "\" is not a platform (OS/ARCH[/VARIANT], as linux/arm64)");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** GOARCH's names, which images use: amd64, arm64. */
    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    /**
     * The descriptor of {@code manifests} for this platform. One candidate is taken whatever it
     * says (a layout of one image); candidates without any platform give the first. A variant is
     * compared only when asked for (arm64's missing variant counts as v8, as containerd does).
     */
    Map<?, ?> choose(List<Map<?, ?>> candidates, String what) {
        if (candidates.isEmpty()) throw new ImageException(what + " lists no manifests");
        if (candidates.size() == 1) return candidates.getFirst();
        List<String> seen = new ArrayList<>();
        for (Map<?, ?> candidate : candidates) {
            if (!(candidate.get("platform") instanceof Map<?, ?> p)) continue;
            String theirs = p.get("os") + "/" + p.get("architecture") + (p.get("variant") instanceof String v ? "/" + v : "");
            seen.add(theirs);
            if (matches(p)) return candidate;
        }
        if (seen.isEmpty()) return candidates.getFirst();
        throw new ImageException(what + " has no manifest for " + this + " (it has " + String.join(", ", seen) + ")");
    }

    private boolean matches(Map<?, ?> platform) {
        if (!os.equals(platform.get("os")) || !architecture.equals(platform.get("architecture"))) return false;
        if (variant == null) return true;
        Object theirs = platform.get("variant");
        if (theirs == null && architecture.equals("arm64")) theirs = "v8";
        return variant.equals(theirs);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
