package hako.cgroup;

import hako.sys.SysException;

import java.nio.file.Path;

/**
 * Waits for the OOM killer to kill processes of a cgroup, as {@code runc events} reports them:
 * the {@code oom_kill} count of memory.events (which covers the cgroup's whole subtree) going up.
 * The kernel signals each change of that file through inotify, so waiting costs nothing.
 */
public final class OomWatch implements AutoCloseable {
    private final CgroupFiles files;
    private final Path events;
    private final int inotify;
    private long seen;

    OomWatch(CgroupFiles files, Path cgroup) {
        this.files = files;
        this.events = cgroup.resolve("memory.events");
        if (!files.exists(events)) {
            throw new CgroupException("cannot watch " + cgroup + " for OOM kills: it has no memory.events "
                    + "(the memory controller is not enabled for it)");
        }
        try {
            this.inotify = files.watch(events, "watching " + events);
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
        this.seen = kills();
    }

    /** How many processes the OOM killer has killed in the cgroup since it was made; -1 when it is gone. */
    public long kills() {
        String text = files.read(events);
        if (text == null) return -1;
        return Stats.flatKeyed(text).getOrDefault("oom_kill", 0L);
    }

    /**
     * Waits up to {@code millis} for OOM kills not reported yet. Returns how many there were (0
     * when the time ran out), or -1 once the cgroup is gone.
     */
    public long await(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long now = kills();
            if (now < 0) return -1;
            if (now > seen) {
                long fresh = now - seen;
                seen = now;
                return fresh;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) return 0;
            files.awaitChange(inotify, left, "waiting for " + events + " to change");
        }
    }

    @Override
    public void close() {
        files.close(inotify);
    }
}
