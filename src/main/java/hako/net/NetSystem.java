package hako.net;

import hako.sys.ProcessRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the network package asks of the machine, in one place, so that what a container's
 * network does — which links, addresses, routes and rules it makes, in what order, what it undoes
 * after a failure, when it holds the store's lock — is tested without root against a recording
 * fake (NetSystemFake in the tests). {@link KernelNetSystem} is the one real implementation; the
 * system calls themselves are in hako.sys.
 *
 * <p>Failures keep what the code branches on: rtnetlink refusals are {@link NetworkException}s
 * with the kernel's errno (see {@link Rtnetlink}); a failed nft transaction is a
 * {@link NetworkException} with nft's reason; the file calls throw java.nio's exceptions
 * ({@link java.nio.file.NoSuchFileException} for a file or directory not there).
 */
interface NetSystem {
    /** The machine itself. */
    static NetSystem kernel() {
        return KernelNetSystem.INSTANCE;
    }

    // ---------------------------------------------------------------- rtnetlink

    /** rtnetlink in this process's network namespace: the host's, as hako sees it. */
    Rtnetlink rtnetlink();

    /** rtnetlink in the network namespace of process {@code pid} (a container's init), entered for the purpose. */
    Rtnetlink rtnetlinkOf(int pid);

    // ---------------------------------------------------------------- nftables

    /** Applies an nft script as one transaction: whole, or on failure not at all. */
    void nft(String script, String what);

    // ---------------------------------------------------------------- the host's ports

    /**
     * Whether a process of this network namespace holds the port: a published port that a host
     * service listens on would send that service's traffic into the container, so it is refused.
     */
    boolean portInUse(int port, String protocol);

    // ---------------------------------------------------------------- files: the store, the DNS files, /proc/sys/net

    String readString(Path file) throws IOException;

    /** Creates or truncates the file, then writes it. */
    void writeString(Path file, String text) throws IOException;

    /**
     * Replaces a file's content in place, written then truncated to its length: a rename would
     * leave a bind mount of the file showing the old one. NoSuchFileException when it is not there.
     */
    void overwrite(Path file, String text) throws IOException;

    /** rename(2): atomic, replacing {@code to}. */
    void rename(Path from, Path to) throws IOException;

    boolean exists(Path path);

    /** What the directory holds, sorted by name; NoSuchFileException when it is not there. */
    List<Path> list(Path dir) throws IOException;

    /** Removes a file; one not there is no error. */
    void delete(Path file) throws IOException;

    void createDirectories(Path dir) throws IOException;

    /** An exclusive lock on the file (made if missing), waited for; released by closing what it returns. */
    AutoCloseable lock(Path file) throws IOException;

    // ---------------------------------------------------------------- processes

    /** This hako process. */
    ProcessRef self();

    /** A live process by its pid; an error when it has ended. */
    ProcessRef process(int pid);

    /** Whether the process still runs (the same start time, not a zombie). */
    boolean alive(ProcessRef process);

    /** Whether hako runs without root: then a new network namespace is its user namespace's, not hako's to configure. */
    boolean rootless();
}
