package hako.image;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChallengeTest {
    @Test
    void dockerHubsBearerChallenge() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"");
        assertTrue(c.isBearer());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/busybox:pull"), c.parameters());
    }

    @Test
    void basicUnquotedAndEscapedValues() {
        Challenge basic = Challenge.parse("Basic realm=\"basic-realm\"");
        assertTrue(basic.isBasic());
        assertEquals("basic-realm", basic.parameter("realm"));
        Challenge odd = Challenge.parse("bearer Realm=http://h/t, service=x ,scope=\"a\\\"b,c\"");
        assertTrue(odd.isBearer());
        assertEquals("http://h/t", odd.parameter("realm"));
        assertEquals("x", odd.parameter("service"));
        assertEquals("a\"b,c", odd.parameter("scope"));
        assertEquals(Map.of(), Challenge.parse("Basic").parameters());
    }

    @Test
    void aBrokenChallengeIsOneLine() {
        assertEquals("the challenge \"Bearer realm=\"x\" has an unclosed quote",
                assertThrows(ImageException.class, () -> Challenge.parse("Bearer realm=\"x")).getMessage());
        assertEquals("the challenge \"Bearer realm\" has a parameter without a value",
                assertThrows(ImageException.class, () -> Challenge.parse("Bearer realm")).getMessage());
    }
}
