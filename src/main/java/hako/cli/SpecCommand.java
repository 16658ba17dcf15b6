package hako.cli;

import hako.spec.DefaultSpec;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** {@code hako spec [--bundle DIR] [--rootless]}: writes a default config.json, as {@code runc spec} does. */
final class SpecCommand {
    private SpecCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("spec").value("bundle", "b").flag("rootless").parse(argv);
        if (!args.positional().isEmpty()) throw new UsageException("spec", "takes no arguments");
        // runc's --rootless: the caller's own ids mapped to root in a user namespace.
        hako.sys.Caller caller = hako.sys.Caller.current();
        String json = args.has("rootless")
                ? hako.json.Json.writePretty(hako.spec.RootlessSpec.tree(caller.uid(), caller.gid())) + "\n"
                : DefaultSpec.json();
        Path config = Bundles.path(args.get("bundle", ".")).resolve("config.json");
        try {
            Files.writeString(config, json, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("spec", config + " exists: remove it first");
        } catch (IOException e) {
            throw new UsageException("spec", "writing " + config + ": " + e.getMessage());
        }
        return 0;
    }
}
