package hako.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CredentialsTest {
    @TempDir
    Path dir;

    private static String auth(String pair) {
        return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, String json) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, json);
    }

    @Test
    void theFilesAreLookedInInPodmansOrder() {
        Path home = Path.of("/home/u");
        assertEquals(List.of(Path.of("/a/auth.json"), Path.of("/run/user/1/containers/auth.json"),
                        home.resolve(".config/containers/auth.json"), home.resolve(".docker/config.json")),
                Credentials.files(Map.of("REGISTRY_AUTH_FILE", "/a/auth.json", "XDG_RUNTIME_DIR", "/run/user/1"), home));
        assertEquals(List.of(home.resolve(".config/containers/auth.json"), home.resolve(".docker/config.json")),
                Credentials.files(Map.of("XDG_RUNTIME_DIR", ""), home));
    }

    @Test
    void theFirstFileWithAnEntryForTheRegistryWins() throws IOException {
        Path first = write("first.json", "{\"auths\":{\"other:5000\":{\"auth\":\"" + auth("o:p") + "\"}}}");
        Path second = write("second.json", "{\"auths\":{\"localhost:5000\":{\"auth\":\"" + auth("alice:s3cr:et") + "\"}}}");
        Path third = write("third.json", "{\"auths\":{\"localhost:5000\":{\"auth\":\"" + auth("bob:x") + "\"}}}");
        List<Path> files = List.of(dir.resolve("missing.json"), first, second, third);
        assertEquals(new Credentials("alice", "s3cr:et"), Credentials.find(files, "localhost:5000"));
        assertEquals(new Credentials("o", "p"), Credentials.find(files, "other:5000"));
        assertNull(Credentials.find(files, "quay.io"));
    }

    @Test
    void dockerHubIsKnownByItsOldNamesAndUrlsToo() throws IOException {
        Path docker = write(".docker/config.json", "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("me:pw") + "\"}}}");
        assertEquals(new Credentials("me", "pw"), Credentials.find(List.of(docker), "docker.io"));
        assertEquals("Basic " + auth("me:pw"), Credentials.find(List.of(docker), "docker.io").basic());
    }

    @Test
    void aBrokenEntryIsOneLineThatNeverShowsThePassword() throws IOException {
        Path file = write("bad.json", "{\"auths\":{\"r.io\":{\"auth\":\"" + auth("nocolon") + "\"}}}");
        assertEquals(file + ": auths.r.io: \"auth\" is not base64 of user:password",
                assertThrows(ImageException.class, () -> Credentials.find(List.of(file), "r.io")).getMessage());
        Path notBase64 = write("bad2.json", "{\"auths\":{\"r.io\":{\"auth\":\"***\"}}}");
        assertEquals(notBase64 + ": auths.r.io: \"auth\" is not base64",
                assertThrows(ImageException.class, () -> Credentials.find(List.of(notBase64), "r.io")).getMessage());
        assertEquals("Credentials[alice]", new Credentials("alice", "secret").toString());
    }
}
