package hako.it;

import hako.json.Json;
import hako.spec.Mutator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz test's mutations (hako.spec.Mutator) through the real command line: {@code hako plan}
 * on a few hundred, {@code hako create} on a few dozen. Each gets a plan or a container, or a
 * clear last line ({@code hako: …}); never an internal error, a stack trace or a hang. Seeded:
 * {@code -Dhako.fuzz.seed=N} replays.
 */
class FuzzIT extends ContainerTest {
    private static final long SEED = Long.getLong("hako.fuzz.seed", 20251202L);
    private static final int PLANS = Integer.getInteger("hako.fuzz.plans", 240);
    private static final int CREATES = Integer.getInteger("hako.fuzz.creates", 40);

    /** The captured configs with our rootfs and nothing that would run or move host things (hooks, devices). */
    @SuppressWarnings("unchecked")
    private static List<byte[]> originals() throws IOException {
        List<byte[]> originals = new java.util.ArrayList<>();
        for (Path config : Mutator.configs(Busybox.BASEDIR)) {
            Map<String, Object> spec = (Map<String, Object>) Json.parse(Files.readAllBytes(config));
            if (!(spec.get("root") instanceof Map<?, ?>)) continue;
            ((Map<String, Object>) spec.get("root")).put("path", rootfs.toString());
            spec.remove("hooks");
            if (spec.get("linux") instanceof Map<?, ?> linux) ((Map<String, Object>) linux).remove("netDevices");
            originals.add(Json.writePretty(spec).getBytes(StandardCharsets.UTF_8));
        }
        return originals;
    }

    @Test
    void mutatedBundlesThroughPlanAndCreate() throws IOException {
        List<byte[]> originals = originals();
        long slowest = 0;
        int accepted = 0;
        for (int n = 0; n < PLANS + CREATES; n++) {
            long seed = SEED + n;
            Random random = new Random(seed);
            StringBuilder described = new StringBuilder();
            byte[] mutated = Mutator.mutate(originals.get(random.nextInt(originals.size())), random, described);
            // Nothing a mutation writes may name a host program to run or a device to take.
            String text = new String(mutated, StandardCharsets.ISO_8859_1);
            if (text.contains("\"hooks\"") || text.contains("netDevices")) continue;
            Path bundle = Files.createTempDirectory(work, "fuzz");
            Files.write(bundle.resolve("config.json"), mutated);
            boolean create = n >= PLANS;
            String what = "seed " + seed + " (" + (create ? "create" : "plan") + "): " + described;
            long start = System.nanoTime();
            Hako.Result result = create
                    ? Hako.run(root, "", "create", "--bundle", bundle.toString(), "fuzz")
                    : Hako.run(root, "", "plan", "--bundle", bundle.toString());
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
            if (create && result.code() == 0) Hako.run(root, "", "delete", "--force", "fuzz");
            check(result, what);
            accepted += result.code() == 0 ? 1 : 0;
            Files.delete(bundle.resolve("config.json"));
            Files.delete(bundle);
        }
        System.out.println("CLI fuzz: " + (PLANS + CREATES) + " cases from seed " + SEED + ", " + accepted
                + " accepted, slowest " + slowest + " ms");
        Leaks.assertNone(work, root);
    }

    private static void check(Hako.Result result, String what) {
        String stderr = result.stderr();
        assertFalse(stderr.contains("internal error") || stderr.contains("\tat ") || stderr.contains("Exception"),
                what + "\n" + result);
        if (result.code() == 0) return;
        List<String> lines = stderr.lines().toList();
        assertFalse(lines.isEmpty(), what + ": failed without a word\n" + result);
        String last = lines.getLast();
        assertTrue(last.startsWith("hako: ") && last.length() < 2000, what + "\n" + result);
        for (String line : lines) assertTrue(line.startsWith("hako: "), what + ": a line that is not hako's\n" + result);
    }
}
