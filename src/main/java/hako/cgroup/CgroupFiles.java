package hako.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the cgroup package asks of the kernel, in one place, so that what a command does to
 * the cgroup tree — which directories it makes and removes, which files it writes and in what
 * order, the device filter it attaches — is tested without root against a recording fake
 * (CgroupFilesFake in the tests). {@link KernelCgroupFiles} is the one real implementation.
 *
 * <p>Failures keep what the code branches on: the directory calls throw java.nio's exceptions
 * ({@link java.nio.file.NoSuchFileException} for a parent gone,
 * {@link java.nio.file.DirectoryNotEmptyException}, or a {@link java.nio.file.FileSystemException}
 * whose reason is the kernel's, such as EBUSY); the others a {@link hako.sys.SysException} with the
 * kernel's errno (ENOENT for a file a cgroup does not have, EOPNOTSUPP, EINVAL).
 */
interface CgroupFiles {
    /** The machine itself. */
    static CgroupFiles kernel() {
        return KernelCgroupFiles.INSTANCE;
    }

    // ---------------------------------------------------------------- the tree

    /** Makes a directory; false when it was there already. NoSuchFileException when its parent is not. */
    boolean mkdir(Path dir) throws IOException;

    /** Removes an empty directory; one that is not there is no error. */
    void rmdir(Path dir) throws IOException;

    /** The directories directly below {@code dir} (not following links); empty when it is gone. */
    List<Path> children(Path dir);

    boolean exists(Path path);

    boolean isDirectory(Path path);

    /** Whether this process may make entries in the directory. */
    boolean writable(Path dir);

    /** Gives a file or directory to a uid and, when {@code gid} >= 0, a gid. */
    void chown(Path path, long uid, long gid) throws IOException;

    // ---------------------------------------------------------------- files and attributes

    /** A file's whole text, or null when it cannot be read (not there). */
    String read(Path file);

    /** Writes the value in one write(2), as the kernel wants each value of a cgroup file. */
    void write(Path file, String value, String what);

    void setXattr(Path path, String name, String value, String what);

    /** The attribute's value, or null when there is none of that name. */
    String getXattr(Path path, String name);

    // ---------------------------------------------------------------- descriptors

    /** An O_PATH directory descriptor of the cgroup (clone3's CLONE_INTO_CGROUP, bpf(2)). */
    int openDirectory(Path dir, String what);

    void close(int fd);

    /** An inotify descriptor watching {@code file} for IN_MODIFY, the change a cgroup file reports. */
    int watch(Path file, String what);

    /** Waits up to {@code millis} for the watched file to change; false on timeout. */
    boolean awaitChange(int watch, long millis, String what);

    /** Sends a signal; false when the process is gone. */
    boolean kill(int pid, int signal);

    // ---------------------------------------------------------------- the device filter (bpf(2))

    /** BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program; its descriptor. */
    int loadDeviceProgram(byte[] instructions, String what);

    /** BPF_PROG_QUERY: the ids of the device programs attached to the cgroup itself. */
    int[] attachedDevicePrograms(int cgroupFd, String what);

    /** BPF_PROG_GET_FD_BY_ID; -1 when the program is gone. */
    int programById(int id, String what);

    /** BPF_PROG_ATTACH, replacing {@code replaceFd} in one step when it is >= 0. */
    void attachDeviceProgram(int cgroupFd, int programFd, int replaceFd, String what);

    /** BPF_PROG_DETACH; one already gone is no error. */
    void detachDeviceProgram(int cgroupFd, int programFd, String what);
}
