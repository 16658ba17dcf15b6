package hako.image;

import hako.Warnings;
import hako.sys.Libc;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A root filesystem directory as an image of one layer: tarred into the load's scratch directory
 * (owners, modes, times, xattrs, symlinks, hard links, device nodes and FIFOs kept), then loaded
 * as a {@link RootfsTarball}. The tar is written in name order with nothing of the moment in it,
 * so the same directory gives the same layer digest and is stored once. Tarring, not copying,
 * keeps one path into the store: the unpacker, which already refuses what would lead out.
 */
public final class RootfsDirectory {
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000, S_IFSOCK = 0140000;

    private RootfsDirectory() {}

    public static Image read(Path directory, Path scratch) {
        Path root = directory.toAbsolutePath().normalize();
        Path tarball = scratch.resolve("rootfs.tar");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tarball), 1 << 16);
             TarOutput tar = new TarOutput(file)) {
            new Walk(root, tar).run();
        } catch (IOException e) {
            throw new ImageException("tarring " + root + ": " + e.getMessage(), e);
        } catch (hako.sys.SysException e) {
            throw new ImageException("tarring " + root + ": " + e.getMessage(), e);
        }
        return RootfsTarball.read(tarball);
    }

    private static final class Walk {
        private final Path root;
        private final TarOutput tar;
        /** Files with more than one link, by device and inode: the first name each was written under. */
        private final Map<String, String> linked = new HashMap<>();
        private boolean warnedSockets;

        Walk(Path root, TarOutput tar) {
            this.root = root;
            this.tar = tar;
        }

        void run() throws IOException {
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) throw new ImageException(root + " is not a directory");
            visit(root, "./");
        }

        private void visit(Path path, String name) throws IOException {
            Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid,size,ino,dev,nlink,rdev,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (int) unix.get("mode");
            int uid = (int) unix.get("uid"), gid = (int) unix.get("gid");
            long mtime = ((java.nio.file.attribute.FileTime) unix.get("lastModifiedTime")).toMillis() / 1000;
            Map<String, byte[]> xattrs = Libc.xattrs(path.toString(), "reading the xattrs of " + path);
            int format = mode & S_IFMT;
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                tar.write(new TarEntry(name, TarEntry.Type.DIRECTORY, mode & 07777, uid, gid, 0, mtime, "", 0, 0, xattrs), null);
                List<Path> children;
                try (var list = Files.list(path)) {
                    children = list.sorted().toList();
                }
                for (Path child : children) {
                    String childName = (name.equals("./") ? "" : name) + child.getFileName();
                    visit(child, Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) ? childName + "/" : childName);
                }
                return;
            }
            if (Files.isSymbolicLink(path)) {
                String target = Files.readSymbolicLink(path).toString();
                tar.write(new TarEntry(name, TarEntry.Type.SYMLINK, 0777, uid, gid, 0, mtime, target, 0, 0, xattrs), null);
                return;
            }
            if (format == S_IFSOCK) {
                // a socket is a live thing of a running system, not part of an image; tar skips them too
                if (!warnedSockets) Warnings.print("skipping the socket " + path + " (and any others)");
                warnedSockets = true;
                return;
            }
            if ((int) unix.get("nlink") > 1) {
                String key = unix.get("dev") + ":" + unix.get("ino");
                String first = linked.putIfAbsent(key, name);
                if (first != null) {
                    tar.write(new TarEntry(name, TarEntry.Type.HARDLINK, mode & 07777, uid, gid, 0, mtime, first, 0, 0, Map.of()), null);
                    return;
                }
            }
            if (format == S_IFCHR || format == S_IFBLK || format == S_IFIFO) {
                long rdev = (long) unix.get("rdev");
                int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
                int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
                TarEntry.Type type = format == S_IFCHR ? TarEntry.Type.CHAR_DEVICE : format == S_IFBLK ? TarEntry.Type.BLOCK_DEVICE
                        : TarEntry.Type.FIFO;
                tar.write(new TarEntry(name, type, mode & 07777, uid, gid, 0, mtime, "", major, minor, xattrs), null);
                return;
            }
            long size = (long) unix.get("size");
            try (InputStream content = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                tar.write(new TarEntry(name, TarEntry.Type.FILE, mode & 07777, uid, gid, size, mtime, "", 0, 0, xattrs), content);
            }
        }
    }
}
