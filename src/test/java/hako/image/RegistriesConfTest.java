package hako.image;

import hako.toml.Toml;
import hako.toml.TomlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** registries.conf as podman reads it: which entry a name falls under, where it is pulled from, which files count. */
class RegistriesConfTest {
    @TempDir
    Path dir;

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private static RegistriesConf conf(String text) {
        return RegistriesConfReader.read(Toml.parse(text, "r.conf"));
    }

    /** Each place as text: REFERENCE (verified|insecure)[ mirror]. */
    private static List<String> sources(RegistriesConf conf, String reference, Boolean tlsVerify) {
        return conf.sources(Reference.parse(reference), tlsVerify).stream()
                .map(s -> s.reference() + (s.tlsVerify() ? " verified" : " insecure") + (s.mirror() ? " mirror" : "")).toList();
    }

    private static final String EXAMPLE = """
            [[registry]]
            prefix = "example.com/foo"
            location = "internal.example.net/bar"
            [[registry.mirror]]
            location = "mirror-0.local/mirror-for-foo"
            [[registry.mirror]]
            location = "mirror-1.local:5000/mirrors/foo/"
            insecure = true

            [[registry]]
            location = "registry.com"
            [[registry.mirror]]
            location = "mirror.registry.com"

            [[registry]]
            prefix = "docker.io/library/busybox"
            location = "localhost:5000/hub/busybox"
            insecure = true

            [[registry]]
            prefix = "*.corp.example"
            blocked = false
            [[registry.mirror]]
            location = "cache.local"
            """;

    @Test
    void theMirrorsInOrderThenTheLocationWithThePathAfterThePrefixKept() {
        assertEquals(List.of("mirror-0.local/mirror-for-foo/image:latest verified mirror",
                "mirror-1.local:5000/mirrors/foo/image:latest insecure mirror",
                "internal.example.net/bar/image:latest verified"), sources(conf(EXAMPLE), "example.com/foo/image", null));
        assertEquals(List.of("mirror.registry.com/a/b@" + DIGEST + " verified mirror", "registry.com/a/b@" + DIGEST + " verified"),
                sources(conf(EXAMPLE), "registry.com/a/b@" + DIGEST, null));
    }

    @Test
    void theLongestPrefixWinsAtASeparatorOnly() {
        RegistriesConf conf = conf(EXAMPLE + """
                [[registry]]
                prefix = "example.com"
                location = "whole.example.net"
                """);
        assertEquals("example.com/foo", conf.find(Reference.parse("example.com/foo/x:1")).prefix());
        assertEquals("example.com/foo", conf.find(Reference.parse("example.com/foo:2")).prefix(), "a tag after the repository");
        assertEquals("example.com", conf.find(Reference.parse("example.com/foobar")).prefix(), "not in the middle of a component");
        assertNull(conf.find(Reference.parse("example.com:5000/foo/x")), "a port is another registry");
        assertNull(conf.find(Reference.parse("registry.community/x")));
        assertEquals(List.of("whole.example.net/foobar:latest verified"), sources(conf, "example.com/foobar", null));
    }

    @Test
    void dockerHubNamesAreMatchedInTheirLibraryForm() {
        assertEquals(List.of("localhost:5000/hub/busybox:1.36 insecure"), sources(conf(EXAMPLE), "busybox:1.36", null));
        assertEquals(List.of("docker.io/library/alpine:latest verified"), sources(conf(EXAMPLE), "alpine", null), "no entry: as it is");
    }

    @Test
    void aWildcardPrefixMatchesSubdomainsAndKeepsTheName() {
        assertEquals(List.of("cache.local/team/app:1 verified mirror", "git.corp.example/team/app:1 verified"),
                sources(conf(EXAMPLE), "git.corp.example/team/app:1", null));
        assertEquals(List.of("corp.example/app:latest verified"), sources(conf(EXAMPLE), "corp.example/app", null), "not the domain itself");
    }

    @Test
    void tlsVerifyOnTheCommandLineDecidesForEveryPlace() {
        assertEquals(List.of("mirror-0.local/mirror-for-foo/image:latest insecure mirror", "mirror-1.local:5000/mirrors/foo/image:latest insecure mirror",
                "internal.example.net/bar/image:latest insecure"), sources(conf(EXAMPLE), "example.com/foo/image", false));
        assertEquals(List.of("localhost:5000/hub/busybox:latest verified"), sources(conf(EXAMPLE), "busybox", true));
        assertEquals(List.of("quay.io/x:latest insecure"), sources(RegistriesConf.NONE, "quay.io/x", false));
    }

    @Test
    void mirrorsForDigestsOnlyOrTagsOnly() {
        RegistriesConf conf = conf("""
                [[registry]]
                location = "a.example"
                [[registry.mirror]]
                location = "by-digest.local"
                pull-from-mirror = "digest-only"
                [[registry.mirror]]
                location = "by-tag.local"
                pull-from-mirror = "tag-only"
                [[registry]]
                location = "b.example"
                mirror-by-digest-only = true
                [[registry.mirror]]
                location = "m.local"
                """);
        assertEquals(List.of("by-tag.local/x:1 verified mirror", "a.example/x:1 verified"), sources(conf, "a.example/x:1", null));
        assertEquals(List.of("by-digest.local/x@" + DIGEST + " verified mirror", "a.example/x@" + DIGEST + " verified"),
                sources(conf, "a.example/x@" + DIGEST, null));
        assertEquals(List.of("b.example/x:1 verified"), sources(conf, "b.example/x:1", null));
        assertEquals(List.of("m.local/x@" + DIGEST + " verified mirror", "b.example/x@" + DIGEST + " verified"), sources(conf, "b.example/x@" + DIGEST, null));
    }

    @Test
    void aBlockedRegistryRefusesWithTheFileAndLineThatSaidSo() {
        RegistriesConf conf = conf("\n[[registry]]\nlocation = \"evil.example\"\nblocked = true\n");
        ImageException e = assertThrows(ImageException.class, () -> conf.sources(Reference.parse("evil.example/x"), null));
        assertEquals("pulls from evil.example are blocked (r.conf:2)", e.getMessage());
        assertEquals(List.of("evil.example.org/x:latest verified"), sources(conf, "evil.example.org/x", null));
    }

    @Test
    void shortNamesGoToTheSearchRegistriesInOrderOrToDockerHub() {
        RegistriesConf search = conf("unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n");
        assertEquals(List.of("quay.io/busybox:1", "docker.io/library/busybox:1"),
                search.candidates("busybox:1").stream().map(Reference::toString).toList());
        assertEquals(List.of("localhost/busybox:latest"), search.candidates("localhost/busybox").stream().map(Reference::toString).toList());
        assertEquals(List.of("quay.io/a/b:latest"), search.candidates("quay.io/a/b").stream().map(Reference::toString).toList());
        assertEquals(List.of("docker.io/library/busybox:latest"), RegistriesConf.NONE.candidates("busybox").stream().map(Reference::toString).toList());
        ImageException empty = assertThrows(ImageException.class, () -> conf("unqualified-search-registries = []\n").candidates("busybox"));
        assertEquals("busybox names no registry, and unqualified-search-registries is empty (r.conf:1): write the registry too, "
                + "as in docker.io/library/busybox:latest", empty.getMessage());
        assertEquals("\"Busy\" is not an image reference: repository names must be lower case",
                assertThrows(ImageException.class, () -> search.candidates("Busy")).getMessage(), "a bad name is refused as before");
    }

    @Test
    void mistakesAreOneLineWithTheirFileAndLine() {
        assertRefused("r.conf:2: registry.location: \"https://example.com\" has a URI scheme; write host[:port][/path] "
                + "(insecure = true allows plain HTTP)", "[[registry]]\nlocation = \"https://example.com\"\n");
        assertRefused("r.conf:1: registry.location: a [[registry]] needs a location or a prefix", "[[registry]]\ninsecure = true\n");
        assertRefused("r.conf:3: registry.location: a prefix with a wildcard (*.example.com) takes no location",
                "[[registry]]\nprefix = \"*.example.com\"\nlocation = \"x.example\"\n");
        assertRefused("r.conf:2: registry.prefix: \"example.*.com\": a wildcard is only *.DOMAIN (*.example.com)",
                "[[registry]]\nprefix = \"example.*.com\"\n");
        assertRefused("r.conf:3: registry.mirror.location: a [[registry.mirror]] needs a location",
                "[[registry]]\nlocation = \"a.example\"\n[[registry.mirror]]\ninsecure = true\n");
        assertRefused("r.conf:5: registry.mirror.pull-from-mirror: \"sometimes\" is not all, digest-only or tag-only",
                "[[registry]]\nlocation = \"a.example\"\n[[registry.mirror]]\nlocation = \"m.example\"\npull-from-mirror = \"sometimes\"\n");
        assertRefused("r.conf:4: registry.prefix: the prefix a.example is already the [[registry]] at r.conf:1",
                "[[registry]]\nlocation = \"a.example\"\n[[registry]]\nprefix = \"a.example\"\nlocation = \"b.example\"\n");
        assertRefused("r.conf:2: registry.insecure: expected true or false, found a string", "[[registry]]\ninsecure = \"yes\"\nlocation = \"a\"\n");
        assertRefused("r.conf:1: registries: this is registries.conf's version 1 ([registries.search], [registries.insecure], "
                + "[registries.block]), which hako does not read: write unqualified-search-registries and [[registry]] tables "
                + "(containers-registries.conf(5))", "[registries.search]\nregistries = [\"quay.io\"]\n");
        assertRefused("r.conf:1: unqualified-search-registries: \"quay.io/ns\" is not a registry host[:port]",
                "unqualified-search-registries = [\"quay.io/ns\"]\n");
    }

    private static void assertRefused(String expected, String text) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> conf(text));
        assertEquals(TomlException.class, e.getClass());
        assertEquals(expected, e.getMessage());
    }

    @Test
    void podmansFilesDropInsAfterTheMainFileAndTheUsersInsteadOfTheSystems() throws IOException {
        Path system = Files.createDirectories(dir.resolve("etc/containers/registries.conf.d"));
        Path home = dir.resolve("home");
        Files.writeString(system.resolveSibling("registries.conf"), """
                unqualified-search-registries = ["quay.io"]
                [[registry]]
                location = "a.example"
                blocked = true
                [[registry]]
                location = "b.example"
                """);
        Files.writeString(system.resolve("10-a.conf"), "[[registry]]\nlocation = \"a.example\"\ninsecure = true\n");
        Files.writeString(system.resolve("20-search.conf"), "unqualified-search-registries = [\"docker.io\"]\n");
        Files.writeString(system.resolve("30-ignored.txt"), "not TOML at all");
        RegistriesConf merged = RegistriesConf.load(null, system.getParent(), home);
        assertEquals(List.of("a.example/x:latest insecure"), sources(merged, "a.example/x", null), "the drop-in replaced the entry of its prefix");
        assertEquals(List.of("b.example/x:latest verified"), sources(merged, "b.example/x", null), "and kept the others");
        assertEquals(List.of("docker.io"), merged.searchRegistries());
        assertEquals(system.resolve("20-search.conf") + ":1", merged.searchWhere());

        Path userDropIns = Files.createDirectories(home.resolve(".config/containers/registries.conf.d"));
        Files.writeString(userDropIns.resolve("20-search.conf"), "unqualified-search-registries = [\"registry.example\"]\n");
        assertEquals(List.of("registry.example"), RegistriesConf.load(null, system.getParent(), home).searchRegistries(),
                "a user's drop-in replaces the system's of the same name");

        Files.writeString(home.resolve(".config/containers/registries.conf"), "[[registry]]\nlocation = \"c.example\"\nblocked = true\n");
        RegistriesConf user = RegistriesConf.load(null, system.getParent(), home);
        assertEquals(List.of("c.example"), user.registries().stream().map(RegistryEntry::prefix).toList(),
                "the user's registries.conf instead of the system's and its drop-ins");
        assertEquals(List.of("registry.example"), user.searchRegistries(), "the user's own drop-ins still count");

        Path explicit = Files.writeString(dir.resolve("mine.conf"), "[[registry]]\nlocation = \"d.example\"\n");
        assertEquals(List.of("d.example"), RegistriesConf.load(explicit, system.getParent(), home).registries().stream()
                .map(RegistryEntry::prefix).toList(), "an explicit file alone");
        assertEquals(RegistriesConf.NONE, RegistriesConf.load(null, dir.resolve("none"), dir.resolve("nobody")));
        assertEquals(dir.resolve("missing.conf") + ": no such file",
                assertThrows(TomlException.class, () -> RegistriesConf.load(dir.resolve("missing.conf"), system, home)).getMessage());
    }
}
