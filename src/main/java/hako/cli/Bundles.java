package hako.cli;

import hako.container.ContainerException;

import java.nio.file.Files;
import java.nio.file.Path;

/** The --bundle flag: an existing directory, made absolute (the stage has no working directory to resolve against). */
final class Bundles {
    private Bundles() {}

    static Path path(String flag) {
        Path bundle = hako.Invocation.current().path(flag).normalize();
        if (!Files.isDirectory(bundle)) {
            throw new ContainerException("bundle " + bundle + " does not exist or is not a directory");
        }
        return bundle;
    }
}
