package hako.spec;

import java.util.BitSet;

/** The kernel's list format for CPUs and memory nodes: {@code 0-3,8,10-11}. */
public final class CpuList {
    /** No one has a machine with more; it keeps a typo like 0-99999999 from allocating gigabytes. */
    private static final int LIMIT = 1 << 16;

    private CpuList() {}

    /** The set a list names; IllegalArgumentException with the reason for a malformed one. */
    public static BitSet parse(String list) {
        BitSet set = new BitSet();
        String trimmed = list.strip();
        if (trimmed.isEmpty()) return set;
        for (String range : trimmed.split(",", -1)) {
            int dash = range.indexOf('-');
            int first = number(dash < 0 ? range : range.substring(0, dash), list);
            int last = dash < 0 ? first : number(range.substring(dash + 1), list);
            if (last < first) throw new IllegalArgumentException("\"" + list + "\" has the range " + range + ", which runs backwards");
            set.set(first, last + 1);
        }
        return set;
    }

    private static int number(String text, String list) {
        if (text.isEmpty() || text.length() > 6) throw malformed(list);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') throw malformed(list);
        }
        int value = Integer.parseInt(text);
        if (value >= LIMIT) throw new IllegalArgumentException("\"" + list + "\" names " + value + ", more than any machine has");
        return value;
    }

    private static IllegalArgumentException malformed(String list) {
        return new IllegalArgumentException("\"" + list + "\" is not a list like 0-3,6");
    }

    /** The set written back in the kernel's format. */
    public static String format(BitSet set) {
        StringBuilder out = new StringBuilder();
        for (int first = set.nextSetBit(0); first >= 0; ) {
            int last = set.nextClearBit(first) - 1;
            if (!out.isEmpty()) out.append(',');
            out.append(first);
            if (last > first) out.append('-').append(last);
            first = set.nextSetBit(last + 1);
        }
        return out.toString();
    }
}
