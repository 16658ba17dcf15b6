package hako.container;

import hako.cgroup.CgroupPlan;
import hako.cgroup.Delegation;
import hako.hooks.HookCallsFake;
import hako.net.Attachment;
import hako.net.NetworkRequest;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link HookCallsFake}'s machine with what the container commands ask of it besides: the exec
 * fifo (opening it for reading lets the init that waits on it exec, and reads the byte it
 * writes), the container's cgroup (destroying it kills what runs in it), the network's steps,
 * pidfd signals. Recorded besides HookCallsFake's: {@code mkfifo PATH MODE}, {@code rm PATH},
 * {@code signal PID SIGNAL} (through a pidfd), {@code pidns PID}, {@code subreaper},
 * {@code pid-file PATH PID}, {@code send-fd PATH NAME}, {@code seccomp-listener PATH},
 * {@code make-cgroup PATH}, {@code delegate-cgroup PATH}, {@code destroy-cgroup PATH},
 * {@code signal-cgroup PATH SIGNAL}, {@code prepare-network ID}, {@code wire-network PID},
 * {@code release-network ID}, {@code move-devices PID}, {@code unmount-under PATH}.
 */
final class ContainerCallsFake extends HookCallsFake implements ContainerCalls {
    private final Set<Path> fifos = new HashSet<>();
    private final Set<String> networks = new HashSet<>();

    @Override
    public long startTime(int pid) {
        return startTimeOf(pid);
    }

    @Override
    public boolean pidfdSignal(int pidfd, int signal) {
        int pid = pidOf(pidfd);
        record("signal " + pid + " " + signal, "sending signal " + signal);
        return signal(pid, signal);
    }

    @Override
    public List<Integer> sharingPidNamespace(int pid) {
        record("pidns " + pid, "listing /proc");
        return startTimeOf(pid) >= 0 ? List.of(pid) : List.of();
    }

    @Override
    public void becomeSubreaper() {
        record("subreaper", "becoming the subreaper");
    }

    @Override
    public void mkfifo(Path path, String permissions) {
        record("mkfifo " + path + " " + permissions, "creating the exec fifo " + path);
        fifos.add(path);
    }

    @Override
    public boolean exists(Path path) {
        return fifos.contains(path);
    }

    @Override
    public void deleteIfExists(Path path) {
        record("rm " + path, "removing " + path);
        fifos.remove(path);
    }

    @Override
    protected Descriptor openFile(String path, int flags) {
        Descriptor file = super.openFile(path, flags);
        // Opened for reading, the fifo lets the init that waits on it open its end and write its byte.
        if (fifos.contains(Path.of(path)) && (flags & Libc.O_PATH) == 0 && releaseWaiting()) {
            file.holds(new byte[] {0});
        }
        return file;
    }

    @Override
    public void writePidFile(Path pidFile, int pid) {
        record("pid-file " + pidFile + " " + pid, "writing the pid file " + pidFile);
    }

    @Override
    public void sendFd(String path, String name, int fd, String socketName) {
        record("send-fd " + path + " " + name, "sending " + name + " to " + socketName);
    }

    @Override
    public void sendSeccompListener(String path, byte[] state, int listener) {
        record("seccomp-listener " + path, "sending the seccomp listener to " + path);
    }

    @Override
    public Path makeCgroup(CgroupPlan plan, int firstPid) {
        String unit = plan.systemdUnit() == null ? "" : " as " + plan.systemdUnit().name() + " first " + firstPid;
        record("make-cgroup " + plan.path() + unit, "making the cgroup " + plan.path());
        return plan.path();
    }

    @Override
    public void delegateCgroup(Path cgroup, Delegation delegation) {
        record("delegate-cgroup " + cgroup, "delegating " + cgroup);
    }

    @Override
    public void destroyCgroup(Path cgroup, String systemdUnit) {
        record("destroy-cgroup " + cgroup + (systemdUnit == null ? "" : " stop " + systemdUnit), "removing the cgroup " + cgroup);
        for (int pid : runningIn(cgroup)) signal(pid, Libc.SIGKILL);
    }

    private final java.util.Set<Path> frozen = new java.util.HashSet<>();

    @Override
    public boolean cgroupFrozen(Path cgroup) {
        return frozen.contains(cgroup);
    }

    @Override
    public void freezeCgroup(Path cgroup, boolean freeze) {
        record((freeze ? "freeze-cgroup " : "thaw-cgroup ") + cgroup, (freeze ? "freezing " : "thawing ") + cgroup);
        if (freeze) frozen.add(cgroup);
        else frozen.remove(cgroup);
    }

    @Override
    public List<Integer> cgroupPids(Path cgroup) {
        record("cgroup-pids " + cgroup, "reading " + cgroup);
        return runningIn(cgroup);
    }

    @Override
    public void signalCgroup(Path cgroup, int signal) {
        record("signal-cgroup " + cgroup + " " + signal, "signalling " + cgroup);
        for (int pid : runningIn(cgroup)) signal(pid, signal);
    }

    @Override
    public Attachment prepareNetwork(Path stateRoot, String id, NetworkRequest request, String hostname, Path files) {
        record("prepare-network " + id, "reserving the network of " + id);
        networks.add(id);
        return null;
    }

    @Override
    public void wireNetwork(Path stateRoot, Attachment attachment, int initPid) {
        record("wire-network " + initPid, "wiring the network of " + initPid);
    }

    @Override
    public void releaseNetwork(Path stateRoot, String id) {
        record("release-network " + id, "releasing the network of " + id);
        networks.remove(id);
    }

    @Override
    public boolean networkAllocated(Path stateRoot, String id) {
        return networks.contains(id);
    }

    @Override
    public void moveNetDevices(Map<String, String> devices, int initPid) {
        record("move-devices " + initPid, "moving network devices");
    }

    @Override
    public void unmountUnder(Path rootfs) {
        record("unmount-under " + rootfs, "unmounting under " + rootfs);
    }
}
