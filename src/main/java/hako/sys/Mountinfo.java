package hako.sys;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines of /proc/PID/mountinfo (proc(5)):
 * {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS}.
 *
 * @param root       the directory of the filesystem that is mounted ("/" for all of it)
 * @param mountPoint where, with the kernel's octal escapes undone
 */
public record Mountinfo(String root, String mountPoint, String fstype, String superOptions) {

    public static List<Mountinfo> parse(String text) {
        List<Mountinfo> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) continue;
            entries.add(new Mountinfo(unescape(before[3]), unescape(before[4]), after[0], after[2]));
        }
        return entries;
    }

    /** Octal escapes of mountinfo ({@code \040} for a space). */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
