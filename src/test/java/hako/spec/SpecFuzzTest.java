package hako.spec;

import hako.HakoException;
import hako.plan.Planner;
import hako.stage.Protocol;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the spec reader (and, for what it accepts, the planner and the stage's encoder) with
 * mutations of the real captured bundles. Seeded: a failure names its seed and mutation, and
 * {@code -Dhako.fuzz.seed=N} replays from there. The only acceptable outcomes are a spec, or one
 * clear line naming config.json; never another exception, never a slow case.
 */
class SpecFuzzTest {
    private static final long SEED = Long.getLong("hako.fuzz.seed", 20251202L);
    private static final int CASES = Integer.getInteger("hako.fuzz.cases", 5000);

    @Test
    void mutatedBundlesGetASpecOrOneClearLine() throws IOException {
        List<Path> configs = Mutator.configs(Path.of("."));
        assertFalse(configs.isEmpty());
        byte[][] originals = new byte[configs.size()][];
        for (int i = 0; i < originals.length; i++) originals[i] = Files.readAllBytes(configs.get(i));
        int accepted = 0;
        long slowest = 0;
        for (int n = 0; n < CASES; n++) {
            long seed = SEED + n;
            Random random = new Random(seed);
            int which = random.nextInt(originals.length);
            StringBuilder described = new StringBuilder();
            byte[] mutated = Mutator.mutate(originals[which], random, described);
            String what = "seed " + seed + ", " + configs.get(which) + ": " + described;
            long start = System.nanoTime();
            accepted += feed(mutated, what) ? 1 : 0;
            long millis = (System.nanoTime() - start) / 1_000_000;
            slowest = Math.max(slowest, millis);
            assertTrue(millis < 1000, "slow (" + millis + " ms): " + what);
        }
        System.out.println("spec fuzz: " + CASES + " cases from seed " + SEED + ", " + accepted + " accepted, slowest " + slowest + " ms");
    }

    /** True if the spec was accepted; a clear error is fine; anything else fails the test. */
    private static boolean feed(byte[] config, String what) {
        try {
            Spec spec = SpecReader.parse(config, "config.json");
            // What the reader accepts must plan and encode, or be refused in a line, too.
            try {
                hako.plan.Plan plan = Planner.plan(spec, new Planner.Request(Path.of("/bundles/fuzz"), true, false, "_ses.fuzz"));
                Protocol.encode(plan.rootfs());
                Protocol.encode(plan.process());
                Protocol.encode(plan.start());
            } catch (HakoException e) {
                clearLine(e, what);
            }
            return true;
        } catch (SpecException e) {
            clearLine(e, what);
            assertTrue(e.getMessage().startsWith("config.json: "), what + " → " + e.getMessage());
            return false;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            fail(what + " → not a clear error: " + e, e);
            return false;
        }
    }

    private static void clearLine(HakoException e, String what) {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank() && message.indexOf('\n') < 0 && message.length() < 2000,
                what + " → " + message);
    }
}
