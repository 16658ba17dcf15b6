package hako.spec;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CpuListTest {
    @Test
    void listsAndRangesRoundTrip() {
        BitSet set = CpuList.parse("0-3,8,10-11\n");
        assertEquals(7, set.cardinality());
        assertEquals("0-3,8,10-11", CpuList.format(set));
        assertEquals("", CpuList.format(CpuList.parse("")));
    }

    @Test
    void malformedListsSayWhy() {
        assertEquals("\"3-1\" has the range 3-1, which runs backwards",
                assertThrows(IllegalArgumentException.class, () -> CpuList.parse("3-1")).getMessage());
        assertEquals("\"0,,1\" is not a list like 0-3,6",
                assertThrows(IllegalArgumentException.class, () -> CpuList.parse("0,,1")).getMessage());
        assertEquals("\"0-99999\" names 99999, more than any machine has",
                assertThrows(IllegalArgumentException.class, () -> CpuList.parse("0-99999")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("a"));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("-1"));
    }
}
