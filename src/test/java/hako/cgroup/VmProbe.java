package hako.cgroup;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What tests/vm and a person measuring need of the cgroup API beyond the hako commands.
 *
 * <p>Usage: {@code VmProbe CGROUP_DIR STEP...}, each step printing one line:
 * <ul>
 *   <li>{@code filters}: how many device filters are attached to the cgroup itself (hako's update
 *       must replace its filter, never stack a second)</li>
 *   <li>{@code bench=BUNDLE,N}: {@link Cgroup#create} and {@link Cgroup#destroy} of the bundle's
 *       cgroup N times (the directory argument is then ignored): the first time, as a container
 *       start pays it, and the median</li>
 * </ul>
 */
public final class VmProbe {
    private VmProbe() {}

    public static void main(String[] args) {
        Cgroup cgroup = Cgroup.open(Path.of(args[0]));
        for (int i = 1; i < args.length; i++) {
            String step = args[i];
            if (step.equals("filters")) {
                System.out.println(cgroup.deviceFilters());
            } else if (step.startsWith("bench=")) {
                String[] value = step.substring(6).split(",");
                bench(Path.of(value[0]), Integer.parseInt(value[1]));
            } else {
                throw new IllegalArgumentException("unknown step " + step);
            }
        }
    }

    private static void bench(Path bundle, int rounds) {
        hako.spec.Spec.Linux linux = hako.spec.SpecReader.read(bundle).linux();
        long[] micros = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            CgroupPlan.create("bench-" + ProcessHandle.current().pid() + "-" + i, linux).destroy();
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        long first = micros[0];
        Arrays.sort(micros);
        System.out.println("create+destroy of a cgroup: first " + first + " us, median " + micros[rounds / 2] + " us (" + rounds + " rounds)");
    }
}
