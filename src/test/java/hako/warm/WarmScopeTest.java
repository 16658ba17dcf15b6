package hako.warm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmScopeTest {
    @Test
    void theUnitIsNamedAfterTheSocketInTheCharactersAUnitNameMayHave() {
        assertEquals("hako-warm-1764871234567890123-0-00ff3a9c1b2d4e5f.scope",
                WarmScope.unitName("hako-warm/1764871234567890123/0/00ff3a9c1b2d4e5f"));
        assertEquals("hako-warm-test-1000-a-b.scope", WarmScope.unitName("hako-warm/test/1000/a b"));
    }
}
