package hako.seccomp;

import hako.spec.SpecException;
import hako.json.Json;
import hako.spec.Seccomp;
import hako.spec.SpecReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Profiles compiled with this host's libseccomp, then run on a small classic-BPF interpreter with
 * the seccomp_data the kernel would give: what the filter answers each call, x86_64 numbers.
 */
class CompilerTest {
    private static final int X86_64 = 0xC000_003E, I386 = 0x4000_0003;
    private static final int MKDIR = 83, PERSONALITY = 135, GETPID = 39, CLONE = 56, READ = 0;
    private static final int ALLOW = 0x7fff_0000, KILL_THREAD = 0, ERRNO = 0x0005_0000, LOG = 0x7ffc_0000;

    private static Seccomp profile(String json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> linux = (Map<String, Object>) Json.parse("{\"seccomp\": " + json + "}");
        return SpecReader.linux(linux, "config.json").seccomp();
    }

    private static Program compile(String json) {
        return Compiler.compile(profile(json), "test");
    }

    @Test
    void errnoRulesAnswerTheirErrnoAndTheRestGetsTheDefault() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
                  {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42},
                  {"names": ["read"], "action": "SCMP_ACT_KILL"}]}""");
        assertEquals(ERRNO | 1, run(p, X86_64, MKDIR), "EPERM when no errnoRet, as runc");
        assertEquals(ERRNO | 42, run(p, X86_64, GETPID));
        assertEquals(KILL_THREAD, run(p, X86_64, READ));
        assertEquals(ALLOW, run(p, X86_64, PERSONALITY));
        assertEquals(3, p.rules());
        assertEquals(0, p.bpf().length % 8);
    }

    @Test
    void argumentConditionsOnlyMatchTheirCalls() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                   "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
                   "args": [{"index": 1, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 10, "op": "SCMP_CMP_GT"}]}]}""");
        assertEquals(ERRNO | 22, run(p, X86_64, PERSONALITY, 8));
        assertEquals(ALLOW, run(p, X86_64, PERSONALITY, 0));
        assertEquals(ERRNO | 1, run(p, X86_64, MKDIR, 0, 0777));
        assertEquals(ALLOW, run(p, X86_64, MKDIR, 0, 0755 & ~64));
        assertEquals(ERRNO | 1, run(p, X86_64, GETPID, 0, 0, 11));
        assertEquals(ALLOW, run(p, X86_64, GETPID, 0, 0, 10));
    }

    @Test
    void twoConditionsOnOneArgumentAreEitherAsInRunc() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "args": [
                  {"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"},
                  {"index": 0, "value": 131072, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"}]}]}""");
        assertEquals(2, p.rules());
        assertEquals(ERRNO | 1, run(p, X86_64, CLONE, 0x1000_0000L | 17));
        assertEquals(ERRNO | 1, run(p, X86_64, CLONE, 0x0002_0000L | 17));
        assertEquals(ALLOW, run(p, X86_64, CLONE, 0x0001_0F00L | 17), "a thread's clone");
    }

    @Test
    void namesUnknownHereArePassedOverAndNewerCallsGetEnosys() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                  {"names": ["read", "mkdir", "no_such_call"], "action": "SCMP_ACT_ALLOW"}]}""");
        assertEquals(1, p.skipped());
        assertEquals(ALLOW, run(p, X86_64, READ));
        assertEquals(ERRNO | 1, run(p, X86_64, GETPID), "known, older than the profile's newest: the default");
        assertEquals(ERRNO | 38, run(p, X86_64, 999), "newer than every call named: ENOSYS (runc's stub)");
        assertEquals(KILL_THREAD, run(p, X86_64, 0x4000_0000 | 999),
                "an x32 call: the stub leaves it to the filter, whose bad-architecture action kills it");
    }

    /** The runtime-tools suite's profile names x86_64, x86 and x32: x32's numbers must not hide x86_64's newest. */
    @Test
    void withX32InTheProfileNewerX86_64CallsStillGetEnosys() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                 "syscalls": [{"names": ["read", "statx"], "action": "SCMP_ACT_ALLOW"}]}""");
        assertEquals(ALLOW, run(p, X86_64, READ));
        assertEquals(ERRNO | 38, run(p, X86_64, 439), "faccessat2, newer than statx: ENOSYS");
    }

    @Test
    void permissiveDefaultsGetNoStub() {
        Program allow = compile("{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        assertEquals(LOG, run(allow, X86_64, 999));
        Program kill = compile("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [{\"names\": [\"read\", \"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        assertEquals(0x8000_0000, run(kill, X86_64, GETPID));
        assertEquals(ERRNO | 38, run(kill, X86_64, 999));
    }

    @Test
    void otherArchitecturesAreAddedAndTheRestKilled() {
        Program p = compile("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "syscalls": [
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}""");
        assertEquals(ERRNO | 1, run(p, I386, 39), "mkdir is 39 on i386");
        assertEquals(ALLOW, run(p, I386, MKDIR));
        assertEquals(KILL_THREAD, run(compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"), I386, 39),
                "an architecture the profile does not name: libseccomp's bad-arch action");
    }

    @Test
    void flagsAreRuncs() {
        assertEquals(Program.FLAG_SPEC_ALLOW, compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}").flags(), "none given: SPEC_ALLOW");
        assertEquals(0, compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": []}").flags());
        assertEquals(Program.FLAG_LOG, compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
                + "[\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\"]}").flags(), "TSYNC: accepted, nothing to do");
        Program notify = compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [], \"listenerPath\": \"/a\", "
                + "\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
        assertEquals(Program.FLAG_NEW_LISTENER, notify.flags());
        assertEquals(0x7fc0_0000, run(notify, X86_64, MKDIR));
        if (hako.sys.Libseccomp.version().startsWith("2.5")) {
            SpecException e = assertThrows(SpecException.class, () -> compile(
                    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}"));
            assertTrue(e.getMessage().startsWith("config.json: linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported"), e.getMessage());
        }
    }

    @Test
    void podmansProfileCompilesAndAllowsWhatItLists() throws Exception {
        String config = new String(CompilerTest.class.getResourceAsStream("/bundles/podman/network-none.json").readAllBytes());
        @SuppressWarnings("unchecked")
        Map<String, Object> linux = (Map<String, Object>) ((Map<String, Object>) Json.parse(config)).get("linux");
        Program p = Compiler.compile(SpecReader.linux(linux, "config.json").seccomp(), "test");
        assertEquals(ALLOW, run(p, X86_64, MKDIR));
        assertEquals(ALLOW, run(p, X86_64, PERSONALITY, 8));
        assertEquals(ERRNO | 38, run(p, X86_64, PERSONALITY, 7), "podman's default errno is ENOSYS");
        assertEquals(ERRNO | 1, run(p, X86_64, 246 /* kexec_load */));
        assertTrue(p.instructions() < 4096);
    }

    // ---------------------------------------------------------------- a classic BPF interpreter

    /** What the filter returns for a call: the kernel's seccomp_data is nr, arch, ip, then 6 arguments. */
    static int run(Program program, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x1000);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer code = ByteBuffer.wrap(program.bpf()).order(ByteOrder.LITTLE_ENDIAN);
        int a = 0, x = 0;
        int[] mem = new int[16];
        for (int pc = 0; pc < program.instructions(); pc++) {
            int op = code.getShort(pc * 8) & 0xFFFF, jt = code.get(pc * 8 + 2) & 0xFF, jf = code.get(pc * 8 + 3) & 0xFF;
            int k = code.getInt(pc * 8 + 4);
            switch (op) {
                case 0x20 -> a = data.getInt(k);                                   // ld [k]
                case 0x60 -> a = mem[k];                                           // ld M[k]
                case 0x61 -> x = mem[k];                                           // ldx M[k]
                case 0x02 -> mem[k] = a;                                           // st M[k]
                case 0x03 -> mem[k] = x;                                           // stx M[k]
                case 0x54 -> a &= k;                                               // and #k
                case 0x07 -> x = a;                                                // tax
                case 0x87 -> a = x;                                                // txa
                case 0x05 -> pc += k;                                              // ja
                case 0x15 -> pc += a == k ? jt : jf;                               // jeq #k
                case 0x25 -> pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;    // jgt #k
                case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;   // jge #k
                case 0x45 -> pc += (a & k) != 0 ? jt : jf;                         // jset #k
                case 0x06 -> { return k; }                                         // ret #k
                default -> throw new AssertionError("instruction 0x" + Integer.toHexString(op) + " at " + pc);
            }
        }
        throw new AssertionError("the program ran off its end");
    }
}
