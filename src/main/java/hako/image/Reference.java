package hako.image;

import java.util.regex.Pattern;

/**
 * An image reference as docker parses it ({@code distribution/reference}): {@code [DOMAIN/]PATH[:TAG][@DIGEST]}.
 * The first component is a registry only when it looks like a host: it has a dot or a port, or
 * is {@code localhost}; otherwise the image is Docker Hub's, and a name of one component is in
 * its {@code library/}: {@code busybox} is {@code docker.io/library/busybox:latest}.
 */
public record Reference(String domain, String path, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    public static Reference parse(String text) {
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            try {
                digest = Digest.parse(digestText);
            } catch (ImageException e) {
                throw invalid(text, "\"" + digestText + "\" is not a sha256 digest");
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw invalid(text, "\"" + tag + "\" is not a tag");
        }
        if (rest.isEmpty()) throw invalid(text, "it names no repository");
        String domain = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (looksLikeHost(first)) {
                domain = first;
                path = rest.substring(slash + 1);
                if (!DOMAIN.matcher(domain).matches()) throw invalid(text, "\"" + domain + "\" is not a registry host");
            }
        }
        if (domain.equals("index.docker.io")) domain = DOCKER_HUB;
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(text, !component.equals(component.toLowerCase()) ? "repository names must be lower case"
                        : "\"" + component + "\" is not a repository name component");
            }
        }
        if (domain.length() + 1 + path.length() > 255) throw invalid(text, "the name is longer than 255 characters");
        if (tag == null && digest == null) tag = "latest";
        return new Reference(domain, path, tag, digest);
    }

    /**
     * Whether {@code text} names its registry ({@code quay.io/x}, {@code localhost/x}) rather than
     * being a short name ({@code busybox}, {@code library/busybox}) that registries.conf's
     * unqualified-search-registries may complete.
     */
    public static boolean namesRegistry(String text) {
        int at = text.indexOf('@');
        String name = at >= 0 ? text.substring(0, at) : text;
        int slash = name.indexOf('/');
        return slash > 0 && looksLikeHost(name.substring(0, slash));
    }

    private static boolean looksLikeHost(String component) {
        return component.contains(".") || component.contains(":") || component.equals("localhost") || !component.equals(component.toLowerCase());
    }

    private static ImageException invalid(String text, String why) {
        return new ImageException("\"" + text + "\" is not an image reference: " + why);
    }

    /** The whole name, without tag or digest: {@code docker.io/library/busybox}, {@code localhost:5000/a/b}. */
    public String name() {
        return domain + "/" + path;
    }

    /** The host the API is served from: Docker Hub's is registry-1.docker.io. */
    public String apiHost() {
        return domain.equals(DOCKER_HUB) ? "registry-1.docker.io" : domain;
    }

    /** The host without a port: {@code localhost} and loopback addresses are told apart by it. */
    public String hostName() {
        if (domain.startsWith("[")) return domain.substring(0, domain.indexOf(']') + 1);
        int colon = domain.lastIndexOf(':');
        return colon < 0 ? domain : domain.substring(0, colon);
    }

    /** What to ask the registry for: the digest when there is one (it is exact), else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** The tag the store records: the tag, or for a reference by digest only, the digest. */
    public String storedTag() {
        return tag != null && digest == null ? tag : digest.toString();
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
