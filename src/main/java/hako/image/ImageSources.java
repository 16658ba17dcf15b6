package hako.image;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every kind of source {@code hako image load} takes, told apart by content: a directory is an
 * OCI layout (it has oci-layout) or else a root filesystem; a file is an OCI archive, a docker
 * archive or a rootfs tarball ({@link ImageArchive#kind}), plain, gzip'd or zstd'd.
 */
public final class ImageSources {
    /** An image read from a source, the name to give it when neither --name nor the source names it, and what the source was. */
    public record Source(Image image, String fallbackName, String kind) {}

    private ImageSources() {}

    /**
     * Reads {@code path}; {@code wanted} is --name as given (NAME:TAG, NAME, or null), which picks
     * an image from a layout or archive holding several. Archives and directories are unpacked or
     * tarred into {@code scratch}, which must outlive the load.
     */
    public static Source read(Path path, String wanted, Path scratch) {
        String tag = wanted != null && wanted.contains(":") && wanted.lastIndexOf(':') > wanted.lastIndexOf('/')
                ? wanted.substring(wanted.lastIndexOf(':') + 1) : null;
        Path absolute = path.toAbsolutePath().normalize();
        String baseName = absolute.getFileName() == null ? "rootfs" : absolute.getFileName().toString();
        if (Files.isDirectory(path)) {
            if (OciLayout.isLayout(path)) return new Source(OciLayout.read(path, tag), baseName, "OCI layout");
            return new Source(RootfsDirectory.read(path, scratch), baseName, "rootfs directory");
        }
        if (!Files.exists(path)) throw new ImageException("no such file or directory");
        if (!Files.isRegularFile(path)) throw new ImageException("neither a directory nor a regular file");
        String stem = baseName.replaceFirst("\\.(tar|tar\\.gz|tgz|tar\\.zst|tzst)$", "");
        return switch (ImageArchive.kind(path)) {
            case OCI_ARCHIVE -> {
                Path layout = scratch.resolve("archive");
                ImageArchive.unpack(path, layout);
                // docker 25+ writes a layout and a manifest.json: read as a docker archive, it is named by RepoTags
                if (Files.isRegularFile(layout.resolve("manifest.json"))) {
                    yield new Source(DockerArchive.read(layout, wanted), stem, "docker archive");
                }
                yield new Source(OciLayout.read(layout, tag), stem, "OCI archive");
            }
            case DOCKER_ARCHIVE -> {
                Path archive = scratch.resolve("archive");
                ImageArchive.unpack(path, archive);
                yield new Source(DockerArchive.read(archive, wanted), stem, "docker archive");
            }
            case ROOTFS_TARBALL -> new Source(RootfsTarball.read(path), stem, "rootfs tarball");
        };
    }
}
