package hako.toml;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The TOML that hako's configuration files use (containers-registries.conf(5), /etc/hako/hako.toml):
 * tables, arrays of tables, dotted and quoted keys, basic and literal strings, booleans, arrays,
 * comments. What else TOML 1.0 has (numbers, dates, inline tables, multi-line strings) is refused
 * with the line it is on rather than guessed at: no file hako reads needs it yet.
 */
public final class Toml {
    private Toml() {}

    /** Parses {@code text}; {@code source} names it in errors (the file's path). */
    public static TomlTable parse(String text, String source) {
        return new TomlParser(text, source).parse();
    }

    public static TomlTable read(Path file) {
        String text;
        try {
            // strict: a file that is not UTF-8 is refused rather than read with replacement characters
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new TomlException(file.toString(), 0, "not UTF-8 text");
        } catch (NoSuchFileException e) {
            throw new TomlException(file.toString(), 0, "no such file");
        } catch (AccessDeniedException e) {
            throw new TomlException(file.toString(), 0, "permission denied");
        } catch (IOException e) {
            throw new TomlException(file.toString(), 0, "cannot be read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }
}
