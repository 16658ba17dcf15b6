package hako.launch;

import hako.sys.Libc;
import hako.sys.SysException;

import java.nio.file.Path;
import java.util.List;

/**
 * A container's root filesystem: the image's layers, shared read-only by every container of the
 * image, under an upper directory of the container's own, joined by overlayfs. The store keeps
 * layers in overlayfs's own form (whiteouts as 0/0 character devices, opaque directories marked
 * with trusted.overlay.opaque), so they are lower directories as they are.
 */
final class Overlay {
    /** mount(2)'s data is one page at most. */
    private static final int MAX_DATA = 4095;

    private Overlay() {}

    /** The mount's data; {@code layers} lowest first, as images list them (overlayfs wants the top first). */
    static String options(List<Path> layers, Path upper, Path work) {
        StringBuilder lower = new StringBuilder();
        for (int i = layers.size() - 1; i >= 0; i--) {
            String path = layers.get(i).toString();
            // overlayfs separates lower directories with ':' and options with ','; store paths have neither
            if (path.contains(":") || path.contains(",")) throw new LaunchException("layer path " + path + " holds ':' or ','");
            if (!lower.isEmpty()) lower.append(':');
            lower.append(path);
        }
        String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        if (data.length() > MAX_DATA) {
            throw new LaunchException("the image has " + layers.size() + " layers: too many for one overlayfs mount");
        }
        return data;
    }

    static void mount(List<Path> layers, Path upper, Path work, Path target) {
        try {
            Libc.mount("overlay", target.toString(), "overlay", options(layers, upper, work), "mounting the image's layers on " + target);
        } catch (SysException e) {
            throw new LaunchException(e.getMessage() + " (overlayfs is needed for containers from images)");
        }
    }

    static void unmount(Path target) {
        // a user's is mounted in the container's own mount namespace, and went with it
        if (hako.sys.Caller.current().rootless()) return;
        try {
            Libc.unmountLazily(target.toString(), "unmounting " + target);
        } catch (SysException e) {
            if (e.errno() != 22 /* EINVAL: not mounted */ && e.errno() != 2 /* ENOENT */) throw e;
        }
    }
}
