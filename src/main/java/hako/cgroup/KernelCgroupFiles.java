package hako.cgroup;

import hako.sys.Bpf;
import hako.sys.CgroupCalls;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link CgroupFiles} on the machine: java.nio for the tree, {@link CgroupCalls} and {@link Bpf} for the rest. */
final class KernelCgroupFiles implements CgroupFiles {
    static final KernelCgroupFiles INSTANCE = new KernelCgroupFiles();

    private KernelCgroupFiles() {}

    @Override
    public boolean mkdir(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        Files.deleteIfExists(dir);
    }

    @Override
    public List<Path> children(Path dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) children.add(entry);
            }
        } catch (IOException e) {
            // gone: no children
        }
        return children;
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public boolean writable(Path dir) {
        return Files.isWritable(dir);
    }

    @Override
    public void chown(Path path, long uid, long gid) throws IOException {
        // The ids as numbers: the host need not have names for them.
        Files.setAttribute(path, "unix:uid", (int) uid);
        if (gid >= 0) Files.setAttribute(path, "unix:gid", (int) gid);
    }

    @Override
    public String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void write(Path file, String value, String what) {
        CgroupCalls.writeFile(file.toString(), value, what);
    }

    @Override
    public void setXattr(Path path, String name, String value, String what) {
        CgroupCalls.setXattr(path.toString(), name, value, what);
    }

    @Override
    public String getXattr(Path path, String name) {
        return CgroupCalls.getXattr(path.toString(), name);
    }

    @Override
    public int openDirectory(Path dir, String what) {
        return CgroupCalls.openDirectory(dir.toString(), what);
    }

    @Override
    public void close(int fd) {
        Libc.close(fd);
    }

    @Override
    public int watch(Path file, String what) {
        return CgroupCalls.watch(file.toString(), CgroupCalls.IN_MODIFY, what);
    }

    @Override
    public boolean awaitChange(int watch, long millis, String what) {
        return CgroupCalls.awaitChange(watch, millis, what);
    }

    @Override
    public boolean kill(int pid, int signal) {
        return Libc.kill(pid, signal);
    }

    @Override
    public int loadDeviceProgram(byte[] instructions, String what) {
        return Bpf.loadDeviceProgram(instructions, what);
    }

    @Override
    public int[] attachedDevicePrograms(int cgroupFd, String what) {
        return Bpf.attachedDevicePrograms(cgroupFd, what);
    }

    @Override
    public int programById(int id, String what) {
        return Bpf.programById(id, what);
    }

    @Override
    public void attachDeviceProgram(int cgroupFd, int programFd, int replaceFd, String what) {
        Bpf.attachDeviceProgram(cgroupFd, programFd, replaceFd, what);
    }

    @Override
    public void detachDeviceProgram(int cgroupFd, int programFd, String what) {
        Bpf.detachDeviceProgram(cgroupFd, programFd, what);
    }
}
