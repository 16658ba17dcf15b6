package hako.sys;

/** System call numbers of the architectures hako runs on (asm/unistd_64.h, asm-generic/unistd.h). */
final class Syscalls {
    static final int WRITE, CLOSE, SENDTO, RECVFROM, SENDMSG, RECVMSG, SOCKETPAIR, WAIT4, KILL, FCNTL, GETEUID, MEMFD_CREATE;

    static {
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> {
                WRITE = 1; CLOSE = 3; SENDTO = 44; RECVFROM = 45; SENDMSG = 46; RECVMSG = 47; SOCKETPAIR = 53; WAIT4 = 61; KILL = 62;
                FCNTL = 72; GETEUID = 107; MEMFD_CREATE = 319;
            }
            case "aarch64", "arm64" -> {
                WRITE = 64; CLOSE = 57; SENDTO = 206; RECVFROM = 207; SENDMSG = 211; RECVMSG = 212; SOCKETPAIR = 199; WAIT4 = 260; KILL = 129;
                FCNTL = 25; GETEUID = 175; MEMFD_CREATE = 279;
            }
            default -> throw new UnsupportedOperationException(
                    "hako does not know the system calls of " + System.getProperty("os.arch"));
        }
    }

    private Syscalls() {}
}
