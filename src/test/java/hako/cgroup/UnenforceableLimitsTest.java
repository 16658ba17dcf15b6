package hako.cgroup;

import hako.Warnings;
import hako.config.HostPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UnenforceableLimitsTest {
    private static final String PROBLEM = "config.json: linux.resources.cpu.shares: needs the cgroup v2 cpu controller";

    @Test
    void withoutAPolicyFileTheRefusalNamesTheSettingAndTheDefaultFile() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> UnenforceableLimits.refuseOrWarn(new HostPolicy(null, false), PROBLEM));
        assertEquals(PROBLEM + "; set [cgroup] unenforceable-limits = \"warn\" in /etc/hako/hako.toml to run without it",
                e.getMessage());
    }

    @Test
    void aPolicyFileThatSaysErrorIsTheOneNamed() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> UnenforceableLimits.refuseOrWarn(new HostPolicy("/srv/hako.toml", false), PROBLEM));
        assertEquals(PROBLEM + "; set [cgroup] unenforceable-limits = \"warn\" in /srv/hako.toml to run without it",
                e.getMessage());
    }

    @Test
    void underTheWarnPolicyItIsOneWarningNamingTheFile() {
        List<String> warnings = new ArrayList<>();
        Warnings.sendTo(warnings::add);
        try {
            UnenforceableLimits.refuseOrWarn(new HostPolicy("/srv/hako.toml", true), PROBLEM);
        } finally {
            Warnings.sendTo(System.err::println);
        }
        assertEquals(List.of(PROBLEM + "; not enforced, as /srv/hako.toml says (unenforceable-limits = \"warn\")"), warnings);
    }
}
