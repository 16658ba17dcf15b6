package hako.cli;

/** Signal names (with or without SIG) and numbers, as kill(1) and runc take them. */
final class Signals {
    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS",
    };
    private static final int SIGRTMIN = 34, SIGRTMAX = 64;

    private Signals() {}

    static int parse(String text) {
        if (!text.isEmpty() && Character.isDigit(text.charAt(0))) {
            try {
                int number = Integer.parseInt(text);
                if (number >= 1 && number <= SIGRTMAX) return number;
            } catch (NumberFormatException e) {
                // fall through to the error
            }
            throw new UsageException("kill", "invalid signal \"" + text + "\"");
        }
        String name = text.toUpperCase();
        if (name.startsWith("SIG")) name = name.substring(3);
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) return i;
        }
        if (name.equals("IOT")) return 6;
        if (name.equals("POLL")) return 29;
        if (name.startsWith("RTMIN") || name.startsWith("RTMAX")) {
            int offset = name.length() == 5 ? 0 : parseOffset(name.substring(5), text);
            int number = name.startsWith("RTMIN") ? SIGRTMIN + offset : SIGRTMAX + offset;
            if (number >= SIGRTMIN && number <= SIGRTMAX) return number;
        }
        throw new UsageException("kill", "invalid signal \"" + text + "\"");
    }

    private static int parseOffset(String offset, String text) {
        try {
            return Integer.parseInt(offset.startsWith("+") ? offset.substring(1) : offset);
        } catch (NumberFormatException e) {
            throw new UsageException("kill", "invalid signal \"" + text + "\"");
        }
    }
}
