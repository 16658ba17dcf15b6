package hako.cli;

/** Image names as people write them: NAME[:TAG], the tag "latest" when none is given. */
final class Names {
    private Names() {}

    /** {name, tag}; a colon before the last slash is a registry's port, not a tag; NAME@DIGEST is an image pulled by digest. */
    static String[] split(String reference) {
        int at = reference.indexOf('@');
        if (at > 0 && reference.substring(at + 1).matches("sha256:[0-9a-f]{64}")) {
            String[] name = split(reference.substring(0, at));
            return new String[] {name[0], reference.substring(at + 1)};
        }
        int colon = reference.lastIndexOf(':');
        String[] parts = colon > reference.lastIndexOf('/') ? new String[] {reference.substring(0, colon), reference.substring(colon + 1)}
                : new String[] {reference, "latest"};
        if (parts[0].isEmpty() || parts[1].isEmpty() || !parts[0].matches("[a-z0-9][a-z0-9._/:-]*") || !parts[1].matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new UsageException(null, "\"" + reference + "\" is not an image name (NAME[:TAG], lower case)");
        }
        return parts;
    }

    /** A layout's ref.name: a whole reference ("docker.io/library/busybox:1.36") or only a tag ("1.36"). */
    static String[] fromReference(String refName, String fallbackName) {
        if (refName == null) return split(fallbackName.toLowerCase());
        if (refName.contains("/") || refName.contains(":")) return split(refName);
        return split(fallbackName.toLowerCase() + ":" + refName);
    }

    /** The way back: NAME:TAG, or NAME@DIGEST for an image recorded under the digest it was pulled by. */
    static String join(String name, String tag) {
        return name + (tag.startsWith("sha256:") ? "@" : ":") + tag;
    }
}
