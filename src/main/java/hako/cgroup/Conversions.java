package hako.cgroup;

/**
 * The OCI spec speaks cgroup v1; these turn its numbers into cgroup v2's, the way runc (1.3.2 and
 * later, through opencontainers/cgroups) and crun (1.23 and later) do, so that a container gets
 * the same limits whichever of them runs it.
 */
final class Conversions {
    static final long SHARES_MIN = 2, SHARES_DEFAULT = 1024, SHARES_MAX = 262144;
    static final long WEIGHT_MIN = 1, WEIGHT_DEFAULT = 100, WEIGHT_MAX = 10000;

    private Conversions() {}

    /**
     * {@code cpu.shares} (2..262144, default 1024) to {@code cpu.weight} (1..10000, default 100).
     * A straight line between the two ranges would map the default 1024 to 39, giving every
     * container well under the share of an ordinary process; this curve, through the three
     * points min→min, 1024→100 and max→max on a log scale, keeps the default the default:
     * {@code weight = ⌈10^((L² + 125·L)/612 − 7/34)⌉} with {@code L = log2(shares)}.
     * Out-of-range shares are clamped; 0 means unset and gives 0.
     */
    static long cpuWeight(long shares) {
        if (shares == 0) return 0;
        if (Long.compareUnsigned(shares, SHARES_MIN) <= 0) return WEIGHT_MIN;
        if (Long.compareUnsigned(shares, SHARES_MAX) >= 0) return WEIGHT_MAX;
        double l = log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }

    /** log2 exact for powers of two, as Go's math.Log2 is (so 1024 gives exactly 10, and weight 100). */
    private static double log2(long value) {
        if (Long.bitCount(value) == 1) return 63 - Long.numberOfLeadingZeros(value);
        return Math.log(value) / Math.log(2);
    }

    /**
     * {@code blkio.weight} (10..1000) to {@code io.weight} (1..10000), linearly, as runc and crun
     * do when the device's scheduler is not BFQ (BFQ's own io.bfq.weight takes the v1 value).
     */
    static long ioWeight(long blkioWeight) {
        if (blkioWeight == 0) return 0;
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /**
     * The spec's {@code memory.swap} is cgroup v1's memory+swap limit; cgroup v2's
     * {@code memory.swap.max} counts swap alone. Returns the value to write, "max", or null when
     * there is nothing to write. {@code memory} is the memory limit in force (-1 for none, 0 when
     * unknown/unset). Throws IllegalArgumentException with the reason for values that cannot be
     * converted.
     */
    static String swapMax(long swap, long memory) {
        // As with v1: memory unlimited and swap unset means both unlimited.
        if (memory == -1 && swap == 0) return "max";
        if (swap == -1) return "max";
        if (swap == 0) return null;
        if (swap < 0) throw new IllegalArgumentException("must be -1 (no limit) or a positive number of bytes, got " + swap);
        if (memory == 0 || memory == -1) {
            throw new IllegalArgumentException("needs linux.resources.memory.limit: in the spec, swap limits memory and swap together");
        }
        if (swap < memory) {
            throw new IllegalArgumentException(swap + " is below the memory limit " + memory
                    + " (the spec's swap counts memory plus swap, so it must be at least memory.limit)");
        }
        return Long.toString(swap - memory);
    }

    /** A signed limit where -1 means none ({@code max}), as the v2 *.max, *.high and *.low files want. */
    static String maxOrNumber(long value) {
        return value == -1 ? "max" : Long.toString(value);
    }
}
