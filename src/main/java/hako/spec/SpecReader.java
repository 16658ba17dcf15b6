package hako.spec;

import hako.json.JsonException;
import hako.json.Json;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and validates a bundle's config.json, or the process.json of {@code exec --process}.
 * Every problem is a {@link SpecException} whose message is one line naming the file and, where
 * there is one, the JSON path: {@code config.json: process.args: required, and must not be empty}.
 * File names in messages are the file's own name; the caller adds the bundle when it helps.
 */
public final class SpecReader {

    /** The name of the configuration file in a bundle directory. */
    public static final String CONFIG_FILE = "config.json";

    private SpecReader() {
    }

    /**
     * Reads and validates {@code bundle/config.json}. Messages name the file "config.json"; the
     * caller names the bundle when that helps.
     */
    public static Spec read(Path bundle) {
        if (!Files.isDirectory(bundle)) {
            throw new SpecException(Files.exists(bundle)
                    ? "bundle " + bundle + " is not a directory"
                    : "bundle " + bundle + " does not exist");
        }
        Path config = bundle.resolve(CONFIG_FILE);
        if (!Files.exists(config)) {
            throw new SpecException("no " + CONFIG_FILE + " in bundle " + bundle);
        }
        return parse(readBytes(config), CONFIG_FILE);
    }

    /** Reads and validates a config file at any path; messages name it by its file name. */
    public static Spec readFile(Path configFile) {
        return parse(readBytes(configFile), fileName(configFile));
    }

    /** Parses and validates config.json text; {@code source} names it in messages ("config.json"). */
    public static Spec parse(String json, String source) {
        return new SpecDecoder(source).decodeConfig(parseJson(json, source));
    }

    /** Validates an already parsed config.json tree (as {@link Json#parse} returns it). */
    public static Spec fromTree(Object tree, String source) {
        return new SpecDecoder(source).decodeConfig(tree);
    }

    /**
     * Reads the process.json of {@code exec --process}: one {@code process} object, validated like
     * config.json's. Paths in messages start at the object: {@code process.json: args[0]: ...}.
     */
    public static Spec.Process readProcess(Path processFile) {
        return parseProcess(readBytes(processFile), fileName(processFile));
    }

    /** Parses and validates process.json text. */
    public static Spec.Process parseProcess(String json, String source) {
        return new SpecDecoder(source).decodeProcessDocument(parseJson(json, source));
    }

    /** A {@code process} object already parsed (what a state file keeps, with a command's changes). */
    public static Spec.Process process(Object tree, String source) {
        return new SpecDecoder(source).decodeProcessDocument(tree);
    }

    /** A {@code linux} object, or part of one (what a state file keeps of it), read as config.json's. */
    public static Spec.Linux linux(java.util.Map<String, Object> linux, String source) {
        return new SpecDecoder(source).decodeLinuxDocument(linux);
    }

    /**
     * The resources {@code hako update} is given (its -r file, or its flags as that object):
     * one {@code linux.resources} object, checked as config.json's. Paths in messages start at
     * the object: {@code resources.json: memory.limit: ...}.
     */
    public static Resources resources(Object document, String source) {
        return new SpecDecoder(source).decodeResourcesDocument(document);
    }

    private static Object parseJson(String text, String source) {
        try {
            return Json.parse(text);
        } catch (JsonException e) {
            throw syntaxError(source, e);
        }
    }

    private static Object parseJson(byte[] utf8, String source) {
        try {
            return Json.parse(utf8);
        } catch (JsonException e) {
            throw syntaxError(source, e);
        }
    }

    private static SpecException syntaxError(String source, JsonException e) {
        return new SpecException(source + ": " + e.getMessage(), null, e);
    }

    static Spec parse(byte[] json, String source) {
        return new SpecDecoder(source).decodeConfig(parseJson(json, source));
    }

    static Spec.Process parseProcess(byte[] json, String source) {
        return new SpecDecoder(source).decodeProcessDocument(parseJson(json, source));
    }

    /**
     * The largest config.json or process.json read. Real ones are a few KiB (podman's, with its
     * mounts and environment, under 20); a bigger file is a mistake or an attack on memory.
     */
    public static final int MAX_FILE_SIZE = 4 << 20;

    /**
     * A spec file's bytes: a regular file (a FIFO would block the read for ever, /dev/zero never
     * end it) of at most {@link #MAX_FILE_SIZE} bytes, read no further than that even if it grows
     * or is swapped for something else after the check.
     */
    public static byte[] readBytes(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes attributes =
                    Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new SpecException("cannot read " + file + ": not a regular file");
            }
            if (attributes.size() > MAX_FILE_SIZE) {
                throw new SpecException("cannot read " + file + ": larger than " + (MAX_FILE_SIZE >> 20) + " MiB");
            }
            try (java.io.InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_FILE_SIZE + 1);
                if (bytes.length > MAX_FILE_SIZE) {
                    throw new SpecException("cannot read " + file + ": larger than " + (MAX_FILE_SIZE >> 20) + " MiB");
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new SpecException("cannot read " + file + ": no such file", null, e);
        } catch (AccessDeniedException e) {
            throw new SpecException("cannot read " + file + ": permission denied", null, e);
        } catch (IOException e) {
            throw new SpecException("cannot read " + file + ": " + e.getMessage(), null, e);
        }
    }

    private static String fileName(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }
}
