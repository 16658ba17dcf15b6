package hako.sys;

/** System call numbers of the architectures hako runs on (asm/unistd_64.h, asm-generic/unistd.h). */
final class Syscalls {
    static final int READ, WRITE, CLOSE, OPENAT, MKNODAT, PPOLL, IOCTL, SOCKET, CONNECT, SENDTO, RECVFROM, SENDMSG,
            RECVMSG, SOCKETPAIR, WAIT4, KILL, FCNTL, FLOCK, MEMFD_CREATE, LSEEK, PRCTL, UMOUNT2, LSETXATTR, FCHMODAT, UTIMENSAT,
            MOUNT, DUP3, SHUTDOWN;
    /** A warm runtime's: its socket, and each call's own working directory and umask. */
    static final int BIND, LISTEN, ACCEPT4, GETSOCKOPT, UNSHARE, CHDIR, UMASK;
    /** Reading a file's extended attributes, for a rootfs directory loaded as an image. */
    static final int LGETXATTR, LLISTXATTR;
    /** The same number on every architecture (added after the tables were unified). */
    static final int PIDFD_SEND_SIGNAL = 424, PIDFD_OPEN = 434, OPENAT2 = 437;

    static {
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> {
                READ = 0; OPENAT = 257; MKNODAT = 259; PPOLL = 271; IOCTL = 16; SOCKET = 41; CONNECT = 42;
                WRITE = 1; CLOSE = 3; SENDTO = 44; RECVFROM = 45; SENDMSG = 46; RECVMSG = 47; SOCKETPAIR = 53; WAIT4 = 61; KILL = 62;
                FCNTL = 72; FLOCK = 73; MEMFD_CREATE = 319; LSEEK = 8; PRCTL = 157; UMOUNT2 = 166; LSETXATTR = 189; FCHMODAT = 268; UTIMENSAT = 280;
                MOUNT = 165; DUP3 = 292; SHUTDOWN = 48;
                BIND = 49; LISTEN = 50; ACCEPT4 = 288; GETSOCKOPT = 55; UNSHARE = 272; CHDIR = 80; UMASK = 95;
                LGETXATTR = 192; LLISTXATTR = 195;
            }
            case "aarch64", "arm64" -> {
                READ = 63; OPENAT = 56; MKNODAT = 33; PPOLL = 73; IOCTL = 29; SOCKET = 198; CONNECT = 203;
                WRITE = 64; CLOSE = 57; SENDTO = 206; RECVFROM = 207; SENDMSG = 211; RECVMSG = 212; SOCKETPAIR = 199; WAIT4 = 260; KILL = 129;
                FCNTL = 25; FLOCK = 32; MEMFD_CREATE = 279; LSEEK = 62; PRCTL = 167; UMOUNT2 = 39; LSETXATTR = 6; FCHMODAT = 53; UTIMENSAT = 88;
                MOUNT = 40; DUP3 = 24; SHUTDOWN = 210;
                BIND = 200; LISTEN = 201; ACCEPT4 = 242; GETSOCKOPT = 209; UNSHARE = 97; CHDIR = 49; UMASK = 166;
                LGETXATTR = 9; LLISTXATTR = 12;
            }
            default -> throw new UnsupportedOperationException(
                    "hako does not know the system calls of " + System.getProperty("os.arch"));
        }
    }

    private Syscalls() {}
}
