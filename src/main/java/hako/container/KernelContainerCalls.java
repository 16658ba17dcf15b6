package hako.container;

import hako.cgroup.Cgroup;
import hako.cgroup.CgroupPlan;
import hako.cgroup.Delegation;
import hako.hooks.KernelHookCalls;
import hako.net.Attachment;
import hako.net.NetDevices;
import hako.net.NetworkRequest;
import hako.net.Networking;
import hako.rootfs.HostMounts;
import hako.sys.Libc;
import hako.sys.Libseccomp;
import hako.sys.ProcessRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link ContainerCalls} on the machine: hako.sys, and the cgroup, net and rootfs packages for their steps. */
final class KernelContainerCalls extends KernelHookCalls implements ContainerCalls {
    static final KernelContainerCalls INSTANCE = new KernelContainerCalls();

    private KernelContainerCalls() {}

    @Override
    public long startTime(int pid) {
        return ProcessRef.startTime(pid);
    }

    @Override
    public boolean pidfdSignal(int pidfd, int signal) {
        return Libc.pidfdSignal(pidfd, signal);
    }

    @Override
    public List<Integer> sharingPidNamespace(int pid) {
        return Proc.sharingPidNamespace(pid);
    }

    @Override
    public void becomeSubreaper() {
        Libc.becomeSubreaper();
    }

    @Override
    public void mkfifo(Path path, String permissions) {
        Libc.mkfifo(path.toString(), 0622, "creating the exec fifo " + path);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new ContainerException("changing the mode of " + path + ": " + e.getMessage());
        }
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    /**
     * As runc writes it: to a temporary name beside it, created with O_EXCL (a symlink or file
     * planted there is never followed or reused), then renamed over the path (rename replaces a
     * symlink at the path, it does not write through it).
     */
    @Override
    public void writePidFile(Path pidFile, int pid) {
        Path temporary = pidFile.resolveSibling("." + pidFile.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (SeekableByteChannel out = Files.newByteChannel(temporary,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                out.write(ByteBuffer.wrap(Integer.toString(pid).getBytes(StandardCharsets.US_ASCII)));
            }
            Files.move(temporary, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                if (!(e instanceof FileAlreadyExistsException)) Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // said below
            }
            throw new ContainerException("writing the pid file " + pidFile + ": " + e.getMessage());
        }
    }

    @Override
    public void sendFd(String path, String name, int fd, String socketName) {
        Libc.sendFileTo(path, name, fd, socketName);
    }

    @Override
    public void sendSeccompListener(String path, byte[] state, int listener) {
        Libseccomp.sendListener(path, state, listener);
    }

    @Override
    public Path makeCgroup(CgroupPlan plan, int firstPid) {
        return plan.make(firstPid).path();
    }

    @Override
    public void delegateCgroup(Path cgroup, Delegation delegation) {
        Cgroup.open(cgroup).delegate(delegation);
    }

    @Override
    public void destroyCgroup(Path cgroup, String systemdUnit) {
        if (systemdUnit != null) hako.cgroup.SystemdScope.destroy(cgroup, systemdUnit);
        else Cgroup.open(cgroup).destroy();
    }

    @Override
    public boolean cgroupFrozen(Path cgroup) {
        return Cgroup.open(cgroup).frozen();
    }

    @Override
    public void freezeCgroup(Path cgroup, boolean frozen) {
        if (frozen) Cgroup.open(cgroup).freeze();
        else Cgroup.open(cgroup).thaw();
    }

    @Override
    public List<Integer> cgroupPids(Path cgroup) {
        return Cgroup.open(cgroup).pids();
    }

    @Override
    public void signalCgroup(Path cgroup, int signal) {
        Cgroup.open(cgroup).signalAll(signal);
    }

    @Override
    public Attachment prepareNetwork(Path stateRoot, String id, NetworkRequest request, String hostname, Path files) {
        return Networking.forStateRoot(stateRoot).prepare(id, request, hostname, files);
    }

    @Override
    public void wireNetwork(Path stateRoot, Attachment attachment, int initPid) {
        Networking.forStateRoot(stateRoot).wire(attachment, initPid);
    }

    @Override
    public void releaseNetwork(Path stateRoot, String id) {
        Networking.forStateRoot(stateRoot).release(id);
    }

    @Override
    public boolean networkAllocated(Path stateRoot, String id) {
        return Networking.forStateRoot(stateRoot).allocation(id) != null;
    }

    @Override
    public void moveNetDevices(Map<String, String> devices, int initPid) {
        NetDevices.move(devices, initPid);
    }

    @Override
    public void unmountUnder(Path rootfs) {
        HostMounts.unmountUnder(rootfs);
    }
}
