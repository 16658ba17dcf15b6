package hako.cli;

import hako.image.Image;
import hako.image.ImageRecord;
import hako.image.OciLayout;
import hako.image.RootfsTarball;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako image load DIR|TARBALL [--name NAME:TAG]}: an OCI image layout directory or a plain
 * rootfs tarball into the local store. The name is --name, else the layout's ref.name annotation,
 * else the file's own name; the tag is "latest" unless given.
 */
final class ImageCommand {
    private static final String USAGE = """
            usage: hako image COMMAND

              load [--name NAME[:TAG]] DIR|TARBALL
                         import an OCI image layout directory or a rootfs tarball (.tar, .tar.gz)
                         into the local store; --name picks a tag of a layout holding several
            """;

    private ImageCommand() {}

    static int run(Globals globals, List<String> argv) {
        if (argv.isEmpty() || argv.getFirst().equals("help") || argv.getFirst().equals("--help")) {
            (argv.isEmpty() ? System.err : System.out).print(USAGE);
            return argv.isEmpty() ? 1 : 0;
        }
        if (!argv.getFirst().equals("load")) {
            throw new UsageException("image", "unknown command \"" + argv.getFirst() + "\" (see hako image help)");
        }
        Args args = new Args("image load").value("name").parse(argv.subList(1, argv.size()));
        Path source = Path.of(args.one("an OCI layout directory or a tarball"));
        String[] wanted = args.get("name") == null ? null : Names.split(args.get("name"));
        Image image;
        String fallbackName;
        if (Files.isDirectory(source) && OciLayout.isLayout(source)) {
            image = OciLayout.read(source, wanted == null || !args.get("name").contains(":") ? null : wanted[1]);
            fallbackName = source.toAbsolutePath().normalize().getFileName().toString();
        } else if (Files.isRegularFile(source)) {
            image = RootfsTarball.read(source);
            fallbackName = source.getFileName().toString().replaceFirst("\\.(tar|tar\\.gz|tgz|tar\\.zst)$", "");
        } else {
            throw new UsageException("image load", source + " is neither an OCI image layout directory nor a tarball");
        }
        String[] name = wanted != null ? wanted : Names.fromReference(image.reference(), fallbackName);
        ImageRecord record = globals.images().load(image, name[0], name[1], line -> System.err.println(line));
        System.out.println(record.name() + ":" + record.tag() + " " + record.manifest());
        return 0;
    }
}
