package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** A terminal's settings and window size (termios and winsize, through ioctl). */
public final class Terminal {
    private static final long TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
    private static final int TERMIOS_SIZE = 60, WINSIZE_SIZE = 8;

    private Terminal() {}

    /**
     * cfmakeraw(3) on the terminal: keys go through as typed, output comes back untouched.
     * Returns the settings it had, for {@link #restore}.
     */
    public static byte[] makeRaw(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment original = arena.allocate(TERMIOS_SIZE, 4);
            Libc.ioctl(fd, TCGETS, original, "reading the terminal's settings");
            MemorySegment raw = arena.allocate(TERMIOS_SIZE, 4);
            raw.copyFrom(original);
            raw.set(JAVA_INT, 0, raw.get(JAVA_INT, 0) & ~(01 | 02 | 010 | 040 | 0100 | 0200 | 0400 | 02000)); // iflag
            raw.set(JAVA_INT, 4, raw.get(JAVA_INT, 4) & ~01);                                                // oflag
            raw.set(JAVA_INT, 8, (raw.get(JAVA_INT, 8) & ~(060 | 0400)) | 060);                              // cflag
            raw.set(JAVA_INT, 12, raw.get(JAVA_INT, 12) & ~(010 | 0100 | 02 | 01 | 0100000));                 // lflag
            raw.set(JAVA_BYTE, 17 + 6, (byte) 1); // VMIN
            raw.set(JAVA_BYTE, 17 + 5, (byte) 0); // VTIME
            Libc.ioctl(fd, TCSETS, raw, "setting the terminal raw");
            return original.toArray(JAVA_BYTE);
        }
    }

    /** Puts back settings {@link #makeRaw} returned. */
    public static void restore(int fd, byte[] settings) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.ioctl(fd, TCSETS, arena.allocateFrom(JAVA_BYTE, settings), "restoring the terminal");
        }
    }

    /** The terminal's window size: rows, then columns. */
    public static int[] windowSize(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(WINSIZE_SIZE, 2);
            Libc.ioctl(fd, TIOCGWINSZ, size, "reading the window size");
            return new int[] {Short.toUnsignedInt(size.get(JAVA_SHORT, 0)), Short.toUnsignedInt(size.get(JAVA_SHORT, 2))};
        }
    }

    /** Gives terminal {@code to} the window size of terminal {@code from}. */
    public static void copyWindowSize(int from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(WINSIZE_SIZE, 2);
            Libc.ioctl(from, TIOCGWINSZ, size, "reading the window size");
            Libc.ioctl(to, TIOCSWINSZ, size, "setting the container's window size");
        }
    }
}
