package hako.spec;

import hako.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.seccomp as the decoder reads it: records, and runc's refusals with their JSON paths. */
class SeccompSpecTest {

    /** The default spec with {@code seccomp} (JSON text) as its linux.seccomp. */
    @SuppressWarnings("unchecked")
    private static Spec read(String seccomp) {
        Map<String, Object> tree = DefaultSpec.tree();
        ((Map<String, Object>) tree.get("linux")).put("seccomp", Json.parse(seccomp));
        return SpecReader.parse(Json.write(tree), "config.json");
    }

    private static void assertRefused(String seccomp, String path, String reason) {
        SpecException e = assertThrows(SpecException.class, () -> read(seccomp));
        assertEquals("config.json: " + path + ": " + reason, e.getMessage());
        assertEquals(path, e.jsonPath());
    }

    @Test
    void decodesEveryField() {
        Seccomp s = read("""
                {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                 "listenerPath": "/run/agent.sock", "listenerMetadata": "MKNOD=/dev/null",
                 "syscalls": [
                   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                             {"index": 1, "value": 255, "valueTwo": 18446744073709551615, "op": "SCMP_CMP_MASKED_EQ"}]},
                   {"names": ["getcwd"], "action": "SCMP_ACT_NOTIFY"}]}""").linux().seccomp();
        assertEquals(new Seccomp(Seccomp.Action.ERRNO, 38L, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X32"),
                List.of("SECCOMP_FILTER_FLAG_LOG"), "/run/agent.sock", "MKNOD=/dev/null", List.of(
                        new Seccomp.Rule(List.of("mkdir", "mkdirat"), Seccomp.Action.ERRNO, 13L, List.of()),
                        new Seccomp.Rule(List.of("personality"), Seccomp.Action.ALLOW, null, List.of(
                                new Seccomp.Arg(0, 8, 0, Seccomp.Operator.EQ),
                                new Seccomp.Arg(1, 255, -1L, Seccomp.Operator.MASKED_EQ))),
                        new Seccomp.Rule(List.of("getcwd"), Seccomp.Action.NOTIFY, null, List.of()))), s);
        assertTrue(s.notifies());
    }

    @Test
    void flagsAbsentAreNullAndGivenEmptyAreEmpty() {
        // runc: absent means "SPEC_ALLOW where supported", [] means none.
        assertNull(read("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}").linux().seccomp().flags());
        assertEquals(List.of(), read("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": []}").linux().seccomp().flags());
    }

    @Test
    void noDefaultAndNoRulesIsNoFilter() {
        assertNull(read("{}").linux().seccomp());
        assertNull(read("{\"architectures\": [\"SCMP_ARCH_X86\"]}").linux().seccomp());
    }

    @Test
    void everyActionAndOperatorIsKnown() {
        for (Seccomp.Action action : Seccomp.Action.values()) {
            if (action == Seccomp.Action.NOTIFY) continue;
            assertEquals(action, read("{\"defaultAction\": \"" + action.specName() + "\"}").linux().seccomp().defaultAction());
        }
        for (Seccomp.Operator op : Seccomp.Operator.values()) {
            Seccomp s = read("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
                    + "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 5, \"value\": 1, \"op\": \"" + op.specName() + "\"}]}]}")
                    .linux().seccomp();
            assertEquals(op, s.syscalls().getFirst().args().getFirst().op());
        }
        assertEquals(4, Seccomp.Operator.EQ.number(), "libseccomp's SCMP_CMP_EQ");
        assertEquals(0x0005_0001, Seccomp.Action.ERRNO.bits(null), "ERRNO without errnoRet is EPERM, as in runc");
        assertEquals(0x7ff0_0026, Seccomp.Action.TRACE.bits(38L));
        assertEquals(Seccomp.Action.KILL_THREAD.bits(null), Seccomp.Action.KILL.bits(null), "runc: KILL is KILL_THREAD");
    }

    @Test
    void refusesWhatRuncRefusesAtItsPath() {
        String rules = "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\"}";
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [" + rules + "," + rules + "," + rules
                        + ", {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_DENY\"}]}", "linux.seccomp.syscalls[3].action",
                "unknown action \"SCMP_ACT_DENY\" (expected one of: SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
                        + "SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)");
        assertRefused("{\"syscalls\": [" + rules + "]}", "linux.seccomp.defaultAction", "required when syscalls are given");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/a\"}", "linux.seccomp.defaultAction",
                "SCMP_ACT_NOTIFY cannot be the default action");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                "linux.seccomp.listenerPath", "required: a rule has the action SCMP_ACT_NOTIFY");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/a\", \"syscalls\": [{\"names\": [\"read\", \"write\"], "
                + "\"action\": \"SCMP_ACT_NOTIFY\"}]}", "linux.seccomp.syscalls[0].names[1]", "SCMP_ACT_NOTIFY cannot be used for the write system call");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_VAX\"]}",
                "linux.seccomp.architectures[1]", "unknown architecture \"SCMP_ARCH_VAX\" (expected one of: "
                        + String.join(", ", Seccomp.ARCHITECTURES.keySet()) + ")");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NOPE\"]}", "linux.seccomp.flags[0]",
                "unknown value \"SECCOMP_FILTER_FLAG_NOPE\" (expected one of: " + String.join(", ", Seccomp.FLAGS) + ")");
        String arg = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [%s]}]}";
        assertRefused(arg.formatted("{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"), "linux.seccomp.syscalls[0].args[0].index",
                "must be between 0 and 5 (a system call has at most 6 arguments), got 6");
        assertRefused(arg.formatted("{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_IN\"}"), "linux.seccomp.syscalls[0].args[0].op",
                "unknown operator \"SCMP_CMP_IN\" (expected one of: SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, "
                        + "SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)");
        assertRefused(arg.formatted("{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}"), "linux.seccomp.syscalls[0].args[0].value",
                "must not be negative, got -1");
        assertRefused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                "linux.seccomp.syscalls[0].names[0]", "an empty string is not a system call");
    }
}
