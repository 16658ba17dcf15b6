package hako.image;

import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:} and 64 hex digits. Checked before it names a file: a
 * digest from an index or manifest becomes a path, and "sha256:../../x" must not.
 */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX.matcher(hex).matches()) throw new ImageException("\"" + hex + "\" is not a sha256 digest");
    }

    public static Digest parse(String text) {
        if (text == null) throw new ImageException("a descriptor has no digest");
        int colon = text.indexOf(':');
        String algorithm = colon < 0 ? "" : text.substring(0, colon);
        if (!algorithm.equals("sha256")) {
            throw new ImageException("the digest \"" + text + "\" is not sha256, the only algorithm hako verifies yet");
        }
        String hex = text.substring(colon + 1);
        if (!HEX.matcher(hex).matches()) throw new ImageException("\"" + text + "\" is not a sha256 digest");
        return new Digest(hex);
    }

    public static Digest of(byte[] bytes) {
        return new Digest(Sha256Stream.hex(Sha256Stream.sha256().digest(bytes)));
    }

    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
