package hako.container;

import hako.security.IdMaps;
import hako.stage.Op;
import hako.hooks.HookCalls;
import hako.stage.StageChannel;
import hako.sys.Libc;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The runtime's part of user namespaces: writing a new namespace's maps while the process that
 * made it waits for its next batch (docs/stage-protocol.md), and making the namespaces that
 * id-mapped mounts take.
 */
final class UserNamespaces {
    private static final long CLONE_NEWUSER = 0x10000000L;

    private final HookCalls calls;

    UserNamespaces(HookCalls calls) {
        this.calls = calls;
    }

    /**
     * setgroups (when denied), uid_map, gid_map of process {@code pid}, in the order the kernel
     * requires: each map is written once, in a single write(2).
     */
    void writeMaps(int pid, IdMaps maps) {
        if (maps.denySetgroups()) write(pid, "setgroups", "deny");
        if (maps.newuidmap() != null) MappingTool.run(maps.newuidmap(), pid, "uid_map", maps.uids());
        else write(pid, "uid_map", IdMaps.text(maps.uids()));
        if (maps.newgidmap() != null) MappingTool.run(maps.newgidmap(), pid, "gid_map", maps.gids());
        else write(pid, "gid_map", IdMaps.text(maps.gids()));
    }

    private void write(int pid, String file, String text) {
        String path = "/proc/" + pid + "/" + file;
        int fd = calls.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, "writing " + file);
        try {
            calls.writeFully(fd, text.getBytes(StandardCharsets.US_ASCII), "writing " + file);
        } finally {
            calls.close(fd);
        }
    }

    /**
     * A user namespace with these maps, as a descriptor (its ns/user) that outlives the process
     * made to hold it: a stage clones a process into a new user namespace only, the maps are
     * written, the namespace opened, and the process let go (its socket closed, it exits).
     */
    int open(IdMaps maps) {
        StageChannel stage = calls.launchStage(0);
        int pid = 0;
        try {
            pid = stage.cloneInit(List.of(new Op.Clone(CLONE_NEWUSER, Op.Clone.NO_CGROUP)));
            writeMaps(pid, maps);
            return calls.open("/proc/" + pid + "/ns/user", Libc.O_RDONLY | Libc.O_CLOEXEC,
                    "opening the user namespace of an id-mapped mount");
        } finally {
            stage.close(); // the process reads end-of-file and exits
            if (pid > 0) calls.waitpid(pid, "waiting for the user namespace's process to end");
        }
    }

    /** One namespace per map set, in order; all closed if one fails. */
    int[] open(List<IdMaps> mapSets) {
        int[] fds = new int[mapSets.size()];
        int made = 0;
        try {
            for (IdMaps maps : mapSets) fds[made++] = open(maps);
            return fds;
        } catch (RuntimeException e) {
            for (int i = 0; i < made; i++) calls.close(fds[i]);
            throw e;
        }
    }
}
