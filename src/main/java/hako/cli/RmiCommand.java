package hako.cli;

import hako.Invocation;
import hako.image.ImageRecord;
import hako.launch.LaunchException;
import hako.launch.LaunchedContainer;

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
            refuseIfInUse(globals, Names.join(name[0], name[1]));
            ImageRecord removed = globals.images().remove(name[0], name[1]);
            Invocation.current().out().println("removed " + Names.join(removed.name(), removed.tag()) + " " + removed.manifest());
        }
        return 0;
    }

    /** Its layers are the lower directories of a launched container's root: they stay until that container is removed. */
    private static void refuseIfInUse(Globals globals, String image) {
        for (LaunchedContainer container : LaunchCommand.containers(globals).list()) {
            if (image.equals(container.record().get("image"))) {
                throw new LaunchException("image " + image + " is used by container \"" + container.name()
                        + "\" (hako rm " + container.name() + ")");
            }
        }
    }
}
