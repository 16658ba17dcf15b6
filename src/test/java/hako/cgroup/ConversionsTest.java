package hako.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec's cgroup v1 numbers in cgroup v2's terms, as runc and crun convert them today. */
class ConversionsTest {
    @Test
    void sharesMapToWeightKeepingMinimumDefaultAndMaximum() {
        assertEquals(0, Conversions.cpuWeight(0), "0 is unset");
        assertEquals(1, Conversions.cpuWeight(1), "below the range clamps to the minimum");
        assertEquals(1, Conversions.cpuWeight(2));
        assertEquals(2, Conversions.cpuWeight(3));
        assertEquals(100, Conversions.cpuWeight(1024), "the v1 default is the v2 default");
        assertEquals(10000, Conversions.cpuWeight(262143));
        assertEquals(10000, Conversions.cpuWeight(262144));
        assertEquals(10000, Conversions.cpuWeight(262145), "above the range clamps to the maximum");
        assertEquals(10000, Conversions.cpuWeight(-1L), "uint64 max clamps too");
    }

    @Test
    void weightGrowsWithShares() {
        long previous = 0;
        for (long shares = 2; shares <= 262144; shares += 97) {
            long weight = Conversions.cpuWeight(shares);
            assertTrue(weight >= previous && weight >= 1 && weight <= 10000, shares + " -> " + weight);
            previous = weight;
        }
        // Half the default is well under the default, twice it well over: the curve is not flat.
        assertTrue(Conversions.cpuWeight(512) < 60 && Conversions.cpuWeight(2048) > 150);
    }

    @Test
    void blkioWeightMapsLinearlyOntoIoWeight() {
        assertEquals(0, Conversions.ioWeight(0));
        assertEquals(1, Conversions.ioWeight(10));
        assertEquals(4950, Conversions.ioWeight(500));
        assertEquals(10000, Conversions.ioWeight(1000));
    }

    @Test
    void swapIsMemoryPlusSwapInTheSpecAndSwapAloneInCgroupV2() {
        assertEquals("300", Conversions.swapMax(500, 200));
        assertEquals("0", Conversions.swapMax(1000, 1000), "swap equal to memory: no swap at all");
        assertEquals("max", Conversions.swapMax(-1, 1000));
        assertEquals("max", Conversions.swapMax(-1, 0));
        assertEquals("max", Conversions.swapMax(0, -1), "memory unlimited, swap unset: both unlimited");
        assertNull(Conversions.swapMax(0, 0), "unset");
        assertNull(Conversions.swapMax(0, 1000), "unset");
    }

    @Test
    void impossibleSwapValuesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conversions.swapMax(300, 400)).getMessage()
                .startsWith("300 is below the memory limit 400"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conversions.swapMax(300, 0)).getMessage()
                .contains("needs linux.resources.memory.limit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conversions.swapMax(-2, 100)).getMessage()
                .contains("-1 (no limit)"));
    }
}
