package hako.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tar file told apart by what is in it, not by its name: an OCI archive (a tar of an OCI
 * layout: {@code podman save --format oci-archive}, {@code skopeo copy … oci-archive:F:TAG}), a
 * {@code docker save} archive (manifest.json), or else a root filesystem tarball. An archive is
 * unpacked into the load's scratch directory, with the unpacker that refuses escapes, and read
 * there as a directory.
 */
public final class ImageArchive {
    public enum Kind { OCI_ARCHIVE, DOCKER_ARCHIVE, ROOTFS_TARBALL }

    /** What the top of an OCI or docker archive holds; a name outside these ends the look at once: a rootfs. */
    private static final Set<String> ARCHIVE_NAMES = Set.of("oci-layout", "index.json", "blobs", "manifest.json", "repositories");
    private static final Pattern DOCKER_V1_NAME = Pattern.compile("[0-9a-f]{64}(\\.json|\\.tar)?");

    private ImageArchive() {}

    /**
     * Reads entry names until one settles it: an oci-layout (OCI archive, even beside a
     * manifest.json, which docker 25 writes too: the layout is the fuller description), a
     * manifest.json with no layout by the end, or a name no archive has (a rootfs: only its first
     * entries are read).
     */
    public static Kind kind(Path file) {
        boolean manifest = false;
        try (InputStream raw = Files.newInputStream(file); InputStream in = Compression.decompress(new BufferedInputStream(raw, 1 << 16))) {
            TarReader reader = new TarReader(in);
            TarEntry first;
            try {
                first = reader.next();
            } catch (ImageException e) {
                throw new ImageException("not an image: neither a tar archive (plain, gzip or zstd) nor a directory ("
                        + e.getMessage() + ")");
            }
            for (TarEntry entry = first; entry != null; entry = reader.next()) {
                String name = entry.name();
                while (name.startsWith("./")) name = name.substring(2);
                if (name.isEmpty()) continue;
                String top = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
                if (name.equals("oci-layout")) return Kind.OCI_ARCHIVE;
                if (name.equals("manifest.json")) manifest = true;
                else if (!ARCHIVE_NAMES.contains(top) && !DOCKER_V1_NAME.matcher(top).matches()) {
                    return manifest ? Kind.DOCKER_ARCHIVE : Kind.ROOTFS_TARBALL;
                }
            }
            return manifest ? Kind.DOCKER_ARCHIVE : Kind.ROOTFS_TARBALL;
        } catch (IOException e) {
            throw new ImageException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks the archive into {@code directory}: plain files and directories, links only inside it. */
    public static void unpack(Path file, Path directory) {
        try (InputStream raw = Files.newInputStream(file)) {
            // not as root: owners and device nodes mean nothing in an archive of blobs
            new Unpacker(directory, Unpacker.Whiteouts.APPLY, false).unpackCompressed(new BufferedInputStream(raw, 1 << 16));
            refuseOutwardLinks(directory);
        } catch (IOException e) {
            throw new ImageException("unpacking " + file + ": " + e.getMessage(), e);
        } catch (ImageException e) {
            throw new ImageException("unpacking " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The unpacker reads an absolute symlink from the layer's root, as a container would; here the
     * files are read by hako on the host, which would follow it out. Old docker archives link a
     * repeated layer to its first copy ("../HEX/layer.tar"): relative links that stay inside are kept.
     */
    private static void refuseOutwardLinks(Path directory) throws IOException {
        Path root = directory.toRealPath();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isSymbolicLink()) {
                    Path target = Files.readSymbolicLink(file);
                    Path resolved;
                    try {
                        resolved = file.toRealPath(); // the kernel's walk, links in links included
                    } catch (IOException e) {
                        resolved = null; // dangling: no archive needs that
                    }
                    if (target.isAbsolute() || resolved == null || !resolved.startsWith(root)) {
                        throw new ImageException("entry \"" + root.relativize(file) + "\" is a symlink to \"" + target
                                + "\", outside the archive");
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
