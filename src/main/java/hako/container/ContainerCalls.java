package hako.container;

import hako.cgroup.CgroupPlan;
import hako.cgroup.Delegation;
import hako.hooks.HookCalls;
import hako.net.Attachment;
import hako.net.NetworkRequest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the container commands ask of the machine besides the state directory, in one
 * place, so that what create, run, start, kill and delete do — the stage launched and the batches
 * sent, the fifo, the cgroup and network made and undone, the processes signalled and waited for,
 * in their order — is tested without root against a recording fake (ContainerCallsFake in the
 * tests), as youki tests its commands against its Syscall trait's test implementation.
 * {@link KernelContainerCalls} is the one real implementation. The hooks' calls are a part of
 * these: a command and its hooks are recorded in one order.
 *
 * <p>The cgroup and the network are asked for whole steps (make, destroy; prepare, wire,
 * release), not for their kernel calls: those are their own packages' (the cgroup's through
 * {@code cgroup/CgroupFiles}). The state directory is {@link hako.state.StateDir}'s, whose files
 * tests keep in a temporary directory.
 */
interface ContainerCalls extends HookCalls {
    /** The machine itself. */
    static ContainerCalls kernel() {
        return KernelContainerCalls.INSTANCE;
    }

    // ---------------------------------------------------------------- processes

    /** The process's start time (its identity beside the pid), or -1 when it has ended or is a zombie. */
    long startTime(int pid);

    /** Whether {@code pid} is alive and still the process that started at {@code startTime}. */
    default boolean alive(int pid, long startTime) {
        long now = startTime(pid);
        return now >= 0 && now == startTime;
    }

    /** Sends a signal through a pidfd; false when its process has ended. */
    boolean pidfdSignal(int pidfd, int signal);

    /** Every process in the PID namespace of {@code pid}, as the host numbers them, sorted. */
    List<Integer> sharingPidNamespace(int pid);

    /** Makes this process the reaper of its orphaned descendants. */
    void becomeSubreaper();

    // ---------------------------------------------------------------- files and sockets

    /** A fifo with exactly these permissions ({@code rw--w--w-}): mkfifo's mode goes through the umask. */
    void mkfifo(Path path, String permissions);

    boolean exists(Path path);

    void deleteIfExists(Path path) throws IOException;

    /** The pid written to {@code pidFile} in one step: a reader sees no file or the whole pid. */
    void writePidFile(Path pidFile, int pid);

    /** Connects to the AF_UNIX socket at {@code path} and sends {@code fd} with SCM_RIGHTS, named {@code name}. */
    void sendFd(String path, String name, int fd, String socketName);

    /** The seccomp listener to the agent at {@code path}, with the container's process state. */
    void sendSeccompListener(String path, byte[] state, int listener);

    // ---------------------------------------------------------------- the cgroup, the network, the mounts

    /**
     * Makes the planned cgroup and returns its directory; a systemd scope gets {@code firstPid}
     * as its first process (-1 when none is needed: {@link CgroupPlan#needsFirstProcess}).
     */
    Path makeCgroup(CgroupPlan plan, int firstPid);

    void delegateCgroup(Path cgroup, Delegation delegation);

    /**
     * Kills what still runs in the cgroup and removes it, and the empty parents hako made; for a
     * systemd unit ({@code systemdUnit} not null), stops the unit too.
     */
    void destroyCgroup(Path cgroup, String systemdUnit);

    boolean cgroupFrozen(Path cgroup);

    /** Freezes (pause) or thaws (resume) every process of the cgroup, and waits until it is so. */
    void freezeCgroup(Path cgroup, boolean frozen);

    List<Integer> cgroupPids(Path cgroup);

    void signalCgroup(Path cgroup, int signal);

    /** The address and ports reserved and the /etc files written (hako.net). */
    Attachment prepareNetwork(Path stateRoot, String id, NetworkRequest request, String hostname, Path files);

    /** The veth, addresses, routes and firewall rules, once init lives in its network namespace. */
    void wireNetwork(Path stateRoot, Attachment attachment, int initPid);

    void releaseNetwork(Path stateRoot, String id);

    /** Whether the container has an address record (a create killed before its first state). */
    boolean networkAllocated(Path stateRoot, String id);

    void moveNetDevices(Map<String, String> devices, int initPid);

    /** Unmounts what a container without a mount namespace of its own mounted on the host. */
    void unmountUnder(Path rootfs);
}
