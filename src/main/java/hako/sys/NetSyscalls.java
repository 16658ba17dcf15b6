package hako.sys;

/**
 * The system call numbers that networking needs, beside {@link Syscalls} rather than in it so that
 * the network code stays in classes of its own (asm/unistd_64.h, asm-generic/unistd.h).
 */
final class NetSyscalls {
    static final int SOCKET, BIND, SETSOCKOPT, SETNS, OPENAT;

    static {
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> {
                SOCKET = 41; BIND = 49; SETSOCKOPT = 54; SETNS = 308; OPENAT = 257;
            }
            case "aarch64", "arm64" -> {
                SOCKET = 198; BIND = 200; SETSOCKOPT = 208; SETNS = 268; OPENAT = 56;
            }
            default -> throw new UnsupportedOperationException(
                    "hako does not know the system calls of " + System.getProperty("os.arch"));
        }
    }

    private NetSyscalls() {}
}
