package hako.warm;

import hako.sys.Errno;
import hako.sys.Libc;
import hako.sys.SysException;
import hako.sys.UnixServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A warm hako runtime: a JVM that takes the calls of hako commands in one context (user,
 * credentials, namespaces: the command names the socket after them) on an abstract unix
 * socket, runs each on a thread of its own as the caller (hako.Invocation), and ends after a
 * while without calls. It keeps nothing of its own: every container's state is in its state
 * directory, as with the one-shot path, so a warm runtime that dies or is replaced loses
 * nothing. docs/warm.md.
 */
public final class WarmServer {
    private static final List<String> NAMESPACES = List.of("mnt", "pid", "user", "cgroup", "ipc", "uts", "net", "time");

    private final int socket;
    private final long idleMillis;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastCall = System.nanoTime();

    private WarmServer(int socket, long idleMillis) {
        this.socket = socket;
        this.idleMillis = idleMillis;
    }

    /**
     * {@code warm-serve NAME [LOCK_FD [IDLE_SECONDS]]}: serves on the abstract socket NAME; LOCK_FD,
     * the command's claim on starting it, is let go once it listens.
     */
    public static int serve(List<String> args) {
        if (args.isEmpty()) throw new IllegalArgumentException("usage: hako warm-serve NAME [LOCK_FD [IDLE_SECONDS]]");
        int lock = args.size() > 1 ? Integer.parseInt(args.get(1)) : -1;
        long idle = args.size() > 2 ? Long.parseLong(args.get(2)) : 30;
        // Before it listens: a runtime that serves is out of its first caller's cgroup.
        WarmScope.settle(args.getFirst());
        int socket;
        try {
            socket = UnixServer.listen(args.getFirst(), "listening for hako's calls");
        } catch (SysException e) {
            if (e.errno() == Errno.EADDRINUSE) return 0; // another one serves this context already
            throw e;
        } finally {
            if (lock >= 0 && isSocket(lock)) Libc.close(lock);
        }
        new WarmServer(socket, idle * 1000).run();
        return 0;
    }

    private void run() {
        Thread.ofPlatform().daemon().name("hako-warm-idle").start(this::endWhenIdle);
        while (true) {
            int connection;
            try {
                connection = UnixServer.accept(socket, "taking a call");
            } catch (SysException e) {
                return; // shut down when idle: the calls in flight end, then the JVM
            }
            active.incrementAndGet();
            Thread.ofPlatform().name("hako-call").start(() -> {
                try {
                    new WarmCall(connection).serve();
                } finally {
                    Libc.close(connection);
                    lastCall = System.nanoTime();
                    active.decrementAndGet();
                }
            });
        }
    }

    private void endWhenIdle() {
        while (true) {
            try {
                Thread.sleep(Math.min(1000, idleMillis));
            } catch (InterruptedException e) {
                return;
            }
            if (active.get() == 0 && (System.nanoTime() - lastCall) / 1_000_000 >= idleMillis) {
                // Stop taking calls first: a command that connects now is refused and runs
                // one-shot; one that got in just before is served to its end, or, not yet
                // accepted, falls back to one-shot when we go.
                Libc.close(socket);
                while (active.get() > 0) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                Runtime.getRuntime().halt(0);
            }
        }
    }

    /** The lock descriptor is the command's socket, never one of the JVM's own files. */
    private static boolean isSocket(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("socket:");
        } catch (IOException e) {
            return false;
        }
    }

    /** What a caller's /proc/PID/status must say as ours does: its ids, capabilities and confinement. */
    private static final List<String> STATUS = List.of("Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
            "CapAmb:", "NoNewPrivs:", "Seccomp:");

    /**
     * Whether the process {@code pid} is in the context we serve: in every namespace this one is
     * in, with the same ids, groups, capabilities, no_new_privs, seccomp mode and LSM label. A
     * caller with less (a dropped capability, a seccomp filter, an AppArmor profile) would
     * otherwise have us do what it may not.
     */
    static boolean sameContext(int pid) {
        Path self = Path.of("/proc/self"), peer = Path.of("/proc", Integer.toString(pid));
        try {
            for (String ns : NAMESPACES) {
                Path own = self.resolve("ns").resolve(ns);
                if (Files.exists(own) && !Files.readSymbolicLink(own).equals(Files.readSymbolicLink(peer.resolve("ns").resolve(ns)))) {
                    return false;
                }
            }
            if (!status(self).equals(status(peer))) return false;
            return label(self).equals(label(peer));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> status(Path process) throws IOException {
        return Files.readAllLines(process.resolve("status")).stream()
                .filter(line -> STATUS.stream().anyMatch(line::startsWith)).toList();
    }

    private static String label(Path process) {
        try {
            return Files.readString(process.resolve("attr/current"));
        } catch (IOException e) {
            return ""; // no LSM: nothing to differ
        }
    }
}
