package hako.spec;

/** The device node types of {@code linux.devices[].type}, with the file type bits mknod(2) needs. */
public enum DeviceType {
    /** {@code c}: a character device. */
    CHAR('c', 0020000),
    /** {@code b}: a block device. */
    BLOCK('b', 0060000),
    /** {@code u}: an unbuffered character device; to the kernel simply a character device. */
    UNBUFFERED_CHAR('u', 0020000),
    /** {@code p}: a FIFO (named pipe); has no major and minor numbers. */
    FIFO('p', 0010000);

    private static final DeviceType[] ALL = values();

    private final char code;
    private final int fileTypeBits;

    DeviceType(char code, int fileTypeBits) {
        this.code = code;
        this.fileTypeBits = fileTypeBits;
    }

    /** The letter in config.json. */
    public char code() {
        return code;
    }

    /** S_IFCHR, S_IFBLK or S_IFIFO, to be or-ed into the mode given to mknod(2). */
    public int fileTypeBits() {
        return fileTypeBits;
    }

    /** Whether {@code major} and {@code minor} are required (all but FIFOs). */
    public boolean hasDeviceNumbers() {
        return this != FIFO;
    }

    /** The type written as this string in config.json, or null when there is none. */
    public static DeviceType byCode(String code) {
        if (code == null || code.length() != 1) {
            return null;
        }
        for (DeviceType type : ALL) {
            if (type.code == code.charAt(0)) {
                return type;
            }
        }
        return null;
    }
}
