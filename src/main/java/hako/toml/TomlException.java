package hako.toml;

/**
 * A TOML file hako cannot read, or a value of the wrong kind in it: one line that says where,
 * {@code /etc/containers/registries.conf:12: expected '=' after the key "location"}.
 */
public final class TomlException extends hako.HakoException {
    public TomlException(String source, int line, String reason) {
        super(source + (line > 0 ? ":" + line : "") + ": " + reason);
    }
}
