package hako.cli;

import hako.Invocation;
import hako.image.ImageRecord;
import hako.image.ImageSources;
import hako.image.ImageStore;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako image load|inspect}. load takes every source people have, told apart by content:
 * an OCI layout directory or archive, a docker save archive, a rootfs directory or tarball (.tar,
 * .tar.gz, .tar.zst). The name is --name, else what the source says (a layout's ref.name, an
 * archive's RepoTags), else the file's own name; the tag is "latest" unless given.
 */
final class ImageCommand {
    private static final String USAGE = """
            usage: hako image COMMAND

              load [--name NAME[:TAG]] SOURCE
                         import an image into the local store; SOURCE is an OCI image layout
                         directory, an OCI archive (podman save --format oci-archive), a docker
                         save archive, a root filesystem directory, or a rootfs tarball (.tar,
                         .tar.gz, .tar.zst); --name picks an image of a source holding several
              inspect NAME[:TAG]
                         the image's digests, platform, config and layers, as JSON
            """;

    private ImageCommand() {}

    static int run(Globals globals, List<String> argv) {
        if (argv.isEmpty() || argv.getFirst().equals("help") || argv.getFirst().equals("--help")) {
            (argv.isEmpty() ? Invocation.current().err() : Invocation.current().out()).print(USAGE);
            return argv.isEmpty() ? 1 : 0;
        }
        return switch (argv.getFirst()) {
            case "load" -> load(globals, argv.subList(1, argv.size()));
            case "inspect" -> InspectImage.run(globals, argv.subList(1, argv.size()));
            default -> throw new UsageException("image", "unknown command \"" + argv.getFirst() + "\" (see hako image help)");
        };
    }

    private static int load(Globals globals, List<String> argv) {
        Args args = new Args("image load").value("name").parse(argv);
        Path path = Invocation.current().path(args.one("an image source (a directory or a file)"));
        String wanted = args.get("name");
        String[] wantedName = wanted == null ? null : Names.split(wanted);
        globals.context = "loading " + path;
        ImageStore store = globals.images();
        try (ImageStore.Scratch scratch = store.scratch()) {
            ImageSources.Source source = ImageSources.read(path, wanted, scratch.directory());
            String[] name = wantedName != null ? wantedName : Names.fromReference(source.image().reference(), source.fallbackName());
            ImageRecord record = store.load(source.image(), name[0], name[1], PullCommand.progress(false));
            Invocation.current().out().println(record.name() + ":" + record.tag() + " " + record.manifest() + " (" + source.kind() + ")");
        }
        return 0;
    }
}
