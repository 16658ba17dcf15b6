package hako.hooks;

import hako.cgroup.Cgroup;
import hako.stage.Stage;
import hako.stage.StageChannel;
import hako.sys.Libc;

import java.nio.file.Path;

/**
 * {@link HookCalls} on the machine: {@link Libc}, {@link Stage} and {@link Cgroup}. Open to
 * extension only so that the container package's calls, a superset, share these.
 */
public class KernelHookCalls implements HookCalls {
    static final KernelHookCalls INSTANCE = new KernelHookCalls();

    protected KernelHookCalls() {}

    @Override
    public StageChannel launchStage(int preserveFds) {
        return Stage.launch(preserveFds);
    }

    @Override
    public int waitpid(int pid, String what) {
        return hako.Invocation.current().children().waitpid(pid, what);
    }

    @Override
    public int pidfdOpen(int pid) {
        return Libc.pidfdOpen(pid);
    }

    @Override
    public int poll(int fd, short events, long millis, String what) {
        return Libc.poll(fd, events, millis, what);
    }

    @Override
    public boolean kill(int pid, int signal) {
        return Libc.kill(pid, signal);
    }

    @Override
    public int open(String path, int flags, String what) {
        return Libc.open(path, flags, what);
    }

    @Override
    public void close(int fd) {
        Libc.close(fd);
    }

    @Override
    public int memfd(String name) {
        return Libc.memfdCreate(name, Libc.MFD_CLOEXEC);
    }

    @Override
    public void writeFully(int fd, byte[] data, String what) {
        Libc.writeFully(fd, data, what);
    }

    @Override
    public long seek(int fd, long offset, int whence, String what) {
        return Libc.seek(fd, offset, whence, what);
    }

    @Override
    public byte[] read(int fd, int max, String what) {
        return Libc.read(fd, max, what);
    }

    @Override
    public int openCgroup(Path cgroup) {
        return Cgroup.open(cgroup).openDirectoryFd();
    }

    @Override
    public void adoptIntoCgroup(Path cgroup, int pid) {
        Cgroup.open(cgroup).adopt(pid);
    }
}
