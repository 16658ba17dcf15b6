package hako.image;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code [[registry]]} of registries.conf: the names it is for (its prefix: a host, a
 * namespace, a repository, or {@code *.domain}), where they are really served (its location),
 * whether TLS may be skipped there or pulls refused, and its mirrors, tried in order before the
 * location. {@code where} is the file and line it came from, for the errors it causes.
 */
public record RegistryEntry(String prefix, String location, boolean insecure, boolean blocked, boolean mirrorByDigestOnly,
                            List<Mirror> mirrors, String where) {
    /** Which pulls a mirror serves: every one, by digest only (a tag may differ there), or by tag only. */
    public enum PullFrom { ALL, DIGEST_ONLY, TAG_ONLY }

    public record Mirror(String location, boolean insecure, PullFrom pullFrom) {}

    /** Where to try a pull: the reference rewritten for that place, with TLS verified or not. */
    public record Source(Reference reference, boolean tlsVerify, boolean mirror) {}

    public RegistryEntry {
        mirrors = List.copyOf(mirrors);
    }

    /**
     * How much of {@code name} (a reference as text: NAME[:TAG][@DIGEST]) the prefix matches, or
     * -1: all of the prefix, then the end or a separator. A tag's ':' separates only after a
     * repository, so that {@code example.com} is not a prefix of {@code example.com:5000/x}.
     * {@code *.example.com} matches any subdomain's host, whatever follows it.
     */
    int match(String name) {
        if (prefix.startsWith("*.")) {
            String domain = prefix.substring(1);
            int host = name.indexOf('/');
            String hostPart = host < 0 ? name : name.substring(0, host);
            int port = hostPart.indexOf(':');
            if (port >= 0) hostPart = hostPart.substring(0, port);
            return hostPart.endsWith(domain) && hostPart.length() > domain.length() ? hostPart.length() : -1;
        }
        if (!name.startsWith(prefix)) return -1;
        if (name.length() == prefix.length()) return prefix.length();
        char next = name.charAt(prefix.length());
        boolean separates = next == '/' || next == '@' || (next == ':' && prefix.contains("/"));
        return separates ? prefix.length() : -1;
    }

    /**
     * The places to pull {@code reference} from, in order: the mirrors that serve this kind of pull,
     * then the location. TLS is verified unless the place is insecure; {@code tlsVerify} (the
     * command line's --tls-verify, when given) decides for every place instead.
     */
    List<Source> sources(Reference reference, Boolean tlsVerify) {
        if (blocked) throw new ImageException("pulls from " + prefix + " are blocked (" + where + ")");
        String name = reference.toString();
        int matched = match(name);
        if (matched < 0) throw new IllegalArgumentException(prefix + " does not match " + name);
        boolean byDigest = reference.digest() != null;
        List<Source> sources = new ArrayList<>();
        for (Mirror mirror : mirrors) {
            boolean serves = switch (mirror.pullFrom()) {
                case ALL -> !mirrorByDigestOnly || byDigest;
                case DIGEST_ONLY -> byDigest;
                case TAG_ONLY -> !byDigest;
            };
            if (serves) sources.add(new Source(rewrite(mirror.location(), name, matched), verify(tlsVerify, mirror.insecure()), true));
        }
        sources.add(new Source(location == null ? reference : rewrite(location, name, matched), verify(tlsVerify, insecure), false));
        return List.copyOf(sources);
    }

    private static boolean verify(Boolean tlsVerify, boolean insecure) {
        return tlsVerify != null ? tlsVerify : !insecure;
    }

    /** What follows the prefix goes after the location: example.com/foo/x:1 → mirror.local/foo-mirror/x:1. */
    private Reference rewrite(String to, String name, int matched) {
        String rewritten = to + name.substring(matched);
        try {
            return Reference.parse(rewritten);
        } catch (ImageException e) {
            throw new ImageException(where + ": " + to + " makes " + name + " into " + e.getMessage());
        }
    }
}
