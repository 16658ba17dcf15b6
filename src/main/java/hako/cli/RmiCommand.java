package hako.cli;

import hako.image.ImageRecord;

import java.util.List;

/** {@code hako rmi NAME[:TAG]…}: removes images, and the layers and blobs no other image uses. */
final class RmiCommand {
    private RmiCommand() {}

    static int run(Globals globals, List<String> argv) {
        List<String> names = new Args("rmi").parse(argv).positional();
        if (names.isEmpty()) throw new UsageException("rmi", "an image name is required");
        for (String reference : names) {
            String[] name = Names.split(reference);
            globals.context = "removing image " + Names.join(name[0], name[1]);
            ImageRecord removed = globals.images().remove(name[0], name[1]);
            System.out.println("removed " + Names.join(removed.name(), removed.tag()) + " " + removed.manifest());
        }
        return 0;
    }
}
