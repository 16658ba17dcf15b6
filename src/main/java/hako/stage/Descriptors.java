package hako.stage;

import hako.sys.Errno;
import hako.sys.Libc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which descriptors hako's caller gave it, told apart from those the JVM opened itself.
 *
 * <p>A JVM opens files before any Java code runs ({@code lib/modules}, the jar) and takes the
 * lowest free numbers for them: when the caller closed stdin ({@code hako run … <&-}), fd 0 is
 * the JDK's {@code lib/modules}; when it passed fewer descriptors than {@code --preserve-fds} says,
 * fd 4 is {@code hako.jar}. Handed on as they are, the container would read host files. So at
 * the very start ({@link #snapshot}, before hako opens anything) we note which descriptors are
 * open and are not the JVM's own files; a descriptor the snapshot did not see is not the caller's,
 * whatever it is now. The stage then gets /dev/null on 0, 1 and 2 where they are not the caller's,
 * and {@code --preserve-fds} naming a descriptor the caller did not pass is refused, as runc
 * refuses it ("unable to stat preserved-fd"). A warm runtime's call says which descriptors its
 * caller has (hako.Invocation).
 */
public final class Descriptors {
    /** The caller's descriptors; null until {@link #snapshot}. */
    private static BitSet callers;
    /** The JVM's own files among the open descriptors: made close-on-exec before a stage is started. */
    private static final List<Integer> jvmFiles = new ArrayList<>();

    private Descriptors() {}

    /**
     * Notes the caller's descriptors. Called first thing in main; cheap (one directory read and a
     * readlink per descriptor).
     */
    public static synchronized void snapshot() {
        if (callers != null) return;
        BitSet found = new BitSet();
        String[] names = new File("/proc/self/fd").list();
        List<String> own = ownFiles();
        for (String name : names == null ? new String[0] : names) {
            int fd;
            try {
                fd = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                continue;
            }
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/self/fd", name)).toString();
            } catch (IOException e) {
                continue; // the directory stream's own descriptor, closed since
            }
            if (isOwn(target, own)) {
                jvmFiles.add(fd);
            } else if (!(target.startsWith("/proc/") && target.endsWith("/fd"))) {
                found.set(fd); // (/proc/PID/fd is the listing's own descriptor, if still open)
            }
        }
        callers = found;
    }

    /** The files the JVM opens of itself: its runtime image and the class path. */
    private static List<String> ownFiles() {
        List<String> own = new ArrayList<>();
        own.add(real(System.getProperty("java.home")) + "/");
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) own.add(real(entry));
        }
        return own;
    }

    private static boolean isOwn(String target, List<String> own) {
        for (String file : own) {
            if (file.endsWith("/") ? target.startsWith(file) : target.equals(file)) return true;
        }
        return false;
    }

    private static String real(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return Path.of(path).toAbsolutePath().normalize().toString();
        }
    }

    /**
     * The descriptors of 0, 1 and 2 that the caller did not give us: the stage gets /dev/null on
     * them. Also checks that descriptors 3 to 3 + preserveFds - 1 are the caller's.
     */
    static int[] notTheCallers(int preserveFds) {
        BitSet callers = hako.Invocation.current().callerFds();
        if (callers == null) {
            snapshot();
            callers = Descriptors.callers;
            closeOnExec();
        }
        for (int fd = 3; fd < 3 + preserveFds; fd++) {
            if (!callers.get(fd)) {
                throw new StageFailure(List.of(), -1, Errno.EBADF, "--preserve-fds " + preserveFds + ": descriptor " + fd
                        + " (preserved fd " + (fd - 3) + " of " + preserveFds + ") was not passed to hako");
            }
        }
        boolean noStdin = hako.Invocation.current().stdinDropped();
        int[] missing = new int[3];
        int n = 0;
        for (int fd = 0; fd < 3; fd++) {
            if (!callers.get(fd) || (fd == 0 && noStdin)) missing[n++] = fd;
        }
        return java.util.Arrays.copyOf(missing, n);
    }

    /** The JVM's files do not reach the stage, or anything else hako starts. */
    private static synchronized void closeOnExec() {
        for (int fd : jvmFiles) {
            try {
                Libc.fcntl(fd, Libc.F_SETFD, 1 /* FD_CLOEXEC */, "marking a descriptor close-on-exec");
            } catch (RuntimeException e) {
                // closed since (the JVM reopens its jar as it likes): nothing to mark
            }
        }
        jvmFiles.clear();
    }
}
