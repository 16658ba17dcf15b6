package hako.spec;

/**
 * A config.json (or process.json) that cannot be used. The message is one line for a person,
 * naming the file and the place in it:
 * {@code config.json: linux.namespaces[2].type: unknown namespace type "foo" (...)} or
 * {@code config.json: line 4, column 9: expected ':' after an object key}.
 */
public final class SpecException extends hako.HakoException {

    private final String jsonPath;

    public SpecException(String message) {
        this(message, null, null);
    }

    /**
     * A spec that is valid JSON and valid OCI but that hako cannot build, found after decoding
     * (by the planner): the same form, naming the JSON path.
     */
    public static SpecException at(String jsonPath, String reason) {
        return new SpecException(SpecReader.CONFIG_FILE + ": " + jsonPath + ": " + reason, jsonPath, null);
    }

    SpecException(String message, String jsonPath, Throwable cause) {
        super(message, cause);
        this.jsonPath = jsonPath;
    }

    /**
     * The JSON path of the offending value ({@code process.args[1]}), or null when the problem is
     * not at one value: a syntax error, a missing or unreadable file.
     */
    public String jsonPath() {
        return jsonPath;
    }
}
