package hako.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who runs hako: its effective uid and gid on the host. A caller that is not root is rootless
 * (runc's RootlessEUID): it can map only its own ids, and must deny setgroups to map its gid.
 */
public record Caller(long uid, long gid) {
    public static final Caller ROOT = new Caller(0, 0);

    public boolean rootless() {
        return uid != 0;
    }

    /** The effective ids of this process, from /proc/self/status (Java has no geteuid). */
    public static Caller current() {
        try {
            long uid = -1, gid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                // "Uid:\treal\teffective\tsaved\tfs"
                if (line.startsWith("Uid:")) uid = Long.parseLong(line.split("\\s+")[2]);
                if (line.startsWith("Gid:")) gid = Long.parseLong(line.split("\\s+")[2]);
            }
            return new Caller(uid, gid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
