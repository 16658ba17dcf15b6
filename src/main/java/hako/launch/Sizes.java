package hako.launch;

import java.util.Locale;

/** Sizes as docker's flags take them: a number with an optional b, k, m or g (also kb, mb, gb), powers of 1024. */
final class Sizes {
    private Sizes() {}

    static long bytes(String text, String flag) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        int end = lower.length();
        if (lower.endsWith("b") && end > 1 && Character.isLetter(lower.charAt(end - 2))) end--;
        long unit = 1;
        if (end > 0) {
            switch (lower.charAt(end - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 'b' -> unit = 1;
                default -> unit = 0;
            }
            if (unit != 0) end--;
            else unit = 1;
        }
        String number = lower.substring(0, end);
        if (!number.matches("[0-9]{1,15}(\\.[0-9]{1,9})?")) {
            throw new LaunchException(flag + " " + text + ": not a size (a number with b, k, m or g)");
        }
        return (long) (Double.parseDouble(number) * unit);
    }
}
