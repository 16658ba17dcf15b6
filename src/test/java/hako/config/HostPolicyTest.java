package hako.config;

import hako.toml.Toml;
import hako.toml.TomlException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPolicyTest {
    private static HostPolicy parse(String text) {
        return HostPolicy.parse(Toml.parse(text, "/etc/hako/hako.toml"));
    }

    @Test
    void unenforceableLimitsAreAnErrorUnlessTheFileSaysWarn() {
        assertFalse(parse("").warnOnUnenforceableLimits());
        assertFalse(parse("[cgroup]\nunenforceable-limits = \"error\"\n").warnOnUnenforceableLimits());
        HostPolicy warn = parse("# a hybrid host\n[cgroup]\nunenforceable-limits = \"warn\"\n");
        assertTrue(warn.warnOnUnenforceableLimits());
        assertEquals("/etc/hako/hako.toml", warn.source());
    }

    @Test
    void aMistakeIsOneLineWithTheFileAndLine() {
        assertEquals("/etc/hako/hako.toml:2: cgroup.unenforceable-limits: \"error\" or \"warn\", not \"ignore\"",
                assertThrows(TomlException.class, () -> parse("[cgroup]\nunenforceable-limits = \"ignore\"\n")).getMessage());
        assertEquals("/etc/hako/hako.toml:2: cgroup.unenforcable-limits: no such setting (there is unenforceable-limits)",
                assertThrows(TomlException.class, () -> parse("[cgroup]\nunenforcable-limits = \"warn\"\n")).getMessage());
        assertEquals("/etc/hako/hako.toml:1: network: hako.toml has no such setting (it has [cgroup])",
                assertThrows(TomlException.class, () -> parse("[network]\n")).getMessage());
    }
}
