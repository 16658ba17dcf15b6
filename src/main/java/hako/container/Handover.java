package hako.container;

import java.nio.file.Path;

/**
 * What the caller of create, run or exec hands over with the process, as runc's flags say it:
 * where to write its pid, where to send its terminal, and how many of the caller's descriptors
 * from 3 up it inherits.
 *
 * @param pidFile       --pid-file, or null
 * @param consoleSocket --console-socket, or null
 * @param preserveFds   --preserve-fds: descriptors 3 to 3 + n - 1 go to the process as they are
 * @param noPivot       --no-pivot: chroot into the rootfs instead of pivot_root (create and run)
 * @param noNewKeyring  --no-new-keyring: the process keeps the caller's session keyring (create and run)
 * @param pidfdSocket   --pidfd-socket: where to send a pidfd of the process, or null
 */
public record Handover(Path pidFile, String consoleSocket, int preserveFds, boolean noPivot, boolean noNewKeyring,
                       String pidfdSocket) {
    /** Nothing handed over: runc's defaults (what hako plan assumes). */
    public static final Handover NONE = new Handover(null, null, 0, false, false, null);
}
