package hako.image;

import hako.Warnings;
import hako.sys.Caller;
import hako.sys.Libc;
import hako.sys.SysException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks one layer's tar stream into a directory: files with their mode, owner and mtime,
 * directories, symlinks, hard links, device nodes, FIFOs and xattrs. Every name is resolved by
 * {@link InRoot}, so no entry, link target or symlink on the way leads out of the directory.
 *
 * <p>OCI whiteouts either take effect ({@link Whiteouts#APPLY}: layers unpacked in order into one
 * tree, {@code .wh.NAME} deletes NAME and {@code .wh..wh..opq} empties the directory of what lower
 * layers put there) or are kept in overlayfs's form ({@link Whiteouts#OVERLAY}: a 0/0 character
 * device and the {@code trusted.overlay.opaque} xattr, {@code user.overlay.opaque} for a user's
 * store), for a layer unpacked alone, to be a lower directory of an overlay mount.
 */
public final class Unpacker {
    public enum Whiteouts { APPLY, OVERLAY }

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    private final InRoot root;
    private final Whiteouts whiteouts;
    private final boolean privileged;
    /** What this layer wrote, and every directory above it: an opaque directory keeps these. */
    private final Set<Path> written = new HashSet<>();
    private final Set<Path> above = new HashSet<>();
    /** Directory times are set last: every entry made inside a directory changes its mtime. */
    private final List<Map.Entry<Path, Long>> directoryTimes = new ArrayList<>();
    private boolean warnedXattrs;
    private long bytes;

    public Unpacker(Path directory, Whiteouts whiteouts) {
        this(directory, whiteouts, !Caller.current().rootless());
    }

    Unpacker(Path directory, Whiteouts whiteouts, boolean privileged) {
        this.root = new InRoot(directory.toAbsolutePath());
        this.whiteouts = whiteouts;
        this.privileged = privileged;
    }

    /** The bytes of regular files unpacked so far. */
    public long bytes() {
        return bytes;
    }

    /** Unpacks a whole (decompressed) tar stream. */
    public void unpack(InputStream tar) throws IOException {
        TarReader reader = new TarReader(tar);
        for (TarEntry entry; (entry = reader.next()) != null; ) apply(entry, reader.content());
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            setTime(directoryTimes.get(i).getKey(), directoryTimes.get(i).getValue());
        }
    }

    /** Decompresses (gzip or none) and unpacks. */
    public void unpackCompressed(InputStream layer) throws IOException {
        unpack(Compression.decompress(layer));
    }

    private void apply(TarEntry entry, InputStream content) throws IOException {
        String name = entry.name();
        if (name.startsWith("/")) throw InRoot.escape(name);
        String base = baseName(name);
        if (base.startsWith(WHITEOUT + WHITEOUT) && !base.equals(OPAQUE)) {
            return; // aufs's own metadata (.wh..wh.plnk, .wh..wh.aufs), which Docker skips too
        }
        if (base.startsWith(WHITEOUT)) {
            whiteout(entry, parentName(name), base);
            return;
        }
        Path path = root.resolve(name);
        if (path.equals(root.root())) {
            // "./": the root directory's own mode and owner
            if (entry.type() == TarEntry.Type.DIRECTORY) metadata(entry, path);
            return;
        }
        Files.createDirectories(path.getParent());
        switch (entry.type()) {
            case DIRECTORY -> {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    remove(path);
                    Files.createDirectory(path);
                }
            }
            case FILE -> {
                remove(path);
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    bytes += content.transferTo(out);
                }
            }
            case SYMLINK -> {
                remove(path);
                Files.createSymbolicLink(path, Path.of(entry.linkName()));
            }
            case HARDLINK -> {
                Path target = root.resolve(entry.linkName());
                if (!InRoot.exists(target)) {
                    throw new ImageException("entry \"" + name + "\" is a hard link to \"" + entry.linkName()
                            + "\", which is not in the layer before it");
                }
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ImageException("entry \"" + name + "\" is a hard link to a directory");
                }
                if (!target.equals(path)) {
                    remove(path);
                    Files.createLink(path, target);
                }
                mark(path);
                return; // the link shares its target's inode, and so its metadata
            }
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                if (!privileged) {
                    throw new ImageException("entry \"" + name + "\" is a device node, which only root can make");
                }
                remove(path);
                int type = entry.type() == TarEntry.Type.CHAR_DEVICE ? S_IFCHR : S_IFBLK;
                Libc.mknod(path.toString(), type | (entry.mode() & 0777), entry.devMajor(), entry.devMinor(),
                        "making the device node " + name);
            }
            case FIFO -> {
                remove(path);
                Libc.mknod(path.toString(), S_IFIFO | (entry.mode() & 0777), 0, 0, "making the FIFO " + name);
            }
        }
        metadata(entry, path);
        mark(path);
    }

    private void whiteout(TarEntry entry, String parent, String base) throws IOException {
        Path directory = root.resolve(parent.isEmpty() ? "." : parent);
        if (base.equals(OPAQUE)) {
            Files.createDirectories(directory);
            if (whiteouts == Whiteouts.APPLY) {
                clearLower(directory);
            } else {
                Libc.setXattr(directory.toString(), opaqueXattr(), new byte[] {'y'},
                        "marking " + (parent.isEmpty() ? "/" : parent) + " opaque");
            }
            return;
        }
        String hidden = base.substring(WHITEOUT.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw new ImageException("entry \"" + entry.name() + "\" is a whiteout of no file");
        }
        Path target = root.resolve((parent.isEmpty() ? "" : parent + "/") + hidden);
        if (whiteouts == Whiteouts.APPLY) {
            remove(target);
        } else {
            Files.createDirectories(directory);
            remove(target);
            // a 0/0 device: any user may make one since Linux 5.8, for overlayfs's whiteouts
            Libc.mknod(target.toString(), S_IFCHR, 0, 0, "making the whiteout of " + hidden);
            mark(target);
        }
    }

    /**
     * Where overlayfs looks for an opaque mark: trusted.* for root's mounts, user.* for the
     * mounts a user makes in a user namespace of its own (with userxattr), where trusted.* is
     * out of reach.
     */
    private String opaqueXattr() {
        return (privileged ? "trusted" : "user") + ".overlay.opaque";
    }

    /** An opaque directory: what lower layers put in it goes; what this layer wrote stays. */
    private void clearLower(Path directory) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                boolean isDirectory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
                if (isDirectory && (written.contains(child) || above.contains(child))) clearLower(child);
                else if (!written.contains(child)) remove(child);
            }
        }
    }

    private void mark(Path path) {
        written.add(path);
        for (Path p = path.getParent(); p != null && !p.equals(root.root()) && above.add(p); p = p.getParent()) {
            // every directory above what this layer wrote
        }
    }

    /** Owner first (chown clears set-id bits), then the whole mode with set-id and sticky bits, then times. */
    private void metadata(TarEntry entry, Path path) throws IOException {
        boolean symlink = entry.type() == TarEntry.Type.SYMLINK;
        if (privileged) {
            Files.setAttribute(path, "unix:uid", entry.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", entry.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        // not root: the files are the caller's, as a rootless unpacker can make them
        boolean node = switch (entry.type()) {
            case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> true;
            default -> false;
        };
        if (node) Libc.chmod(path.toString(), entry.mode(), "setting the mode of " + entry.name());
        else if (!symlink) Files.setAttribute(path, "unix:mode", entry.mode(), LinkOption.NOFOLLOW_LINKS);
        if (!entry.xattrs().isEmpty()) xattrs(entry, path);
        if (entry.type() == TarEntry.Type.DIRECTORY) directoryTimes.add(Map.entry(path, entry.mtime()));
        else setTime(path, entry.mtime());
    }

    private void xattrs(TarEntry entry, Path path) {
        for (Map.Entry<String, byte[]> xattr : entry.xattrs().entrySet()) {
            try {
                Libc.setXattr(path.toString(), xattr.getKey(), xattr.getValue(), "setting " + xattr.getKey() + " on " + entry.name());
            } catch (SysException e) {
                // trusted.* and security.* need root, and some filesystems have no xattrs: the file itself is still right
                if (!warnedXattrs) Warnings.print(e.getMessage() + " (further xattrs that fail are skipped silently)");
                warnedXattrs = true;
            }
        }
    }

    private static void setTime(Path path, long seconds) {
        Libc.setTimes(path.toString(), seconds, "setting the times of " + path);
    }

    /**
     * Removes what is at {@code path}, a whole tree if it is a directory, never following a
     * symlink and never leaving its file system: a mount still inside the tree (a container's
     * root, a bind mount) is refused rather than emptied.
     */
    public static void remove(Path path) throws IOException {
        if (!InRoot.exists(path)) return;
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(path);
            return;
        }
        Object device = Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (!device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException(dir + " is still mounted");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // A user's own directory closed to it (overlayfs makes one of its work directory
                // with mode 0): opened to its owner, then removed
                if (!(e instanceof java.nio.file.AccessDeniedException) || !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) throw e;
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                remove(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String baseName(String name) {
        String trimmed = trimSlashes(name);
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static String parentName(String name) {
        String trimmed = trimSlashes(name);
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? "" : trimmed.substring(0, slash);
    }

    private static String trimSlashes(String name) {
        int end = name.length();
        while (end > 1 && name.charAt(end - 1) == '/') end--;
        return name.substring(0, end);
    }
}
