package hako.cli;

import hako.Invocation;
import hako.image.ImageRecord;

import java.util.List;

/** {@code hako images [--quiet]}: the images in the local store, with the size of their unpacked layers. */
final class ImagesCommand {
    private ImagesCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("images").flag("quiet", "q").parse(argv);
        if (!args.positional().isEmpty()) throw new UsageException("images", "takes no arguments");
        List<ImageRecord> records = globals.images().list();
        if (args.has("quiet")) {
            for (ImageRecord r : records) Invocation.current().out().println(Names.join(r.name(), r.tag()));
            return 0;
        }
        int width = "REPOSITORY".length();
        for (ImageRecord r : records) width = Math.max(width, r.name().length());
        Invocation.current().out().printf("%-" + width + "s   %-16s %-19s %s%n", "REPOSITORY", "TAG", "DIGEST", "SIZE");
        for (ImageRecord r : records) {
            Invocation.current().out().printf("%-" + width + "s   %-16s %-19s %s%n", r.name(), r.tag(), "sha256:" + r.manifest().shortHex(), size(r.size()));
        }
        return 0;
    }

    /** Sizes as podman prints them: decimal units. */
    static String size(long bytes) {
        if (bytes < 1000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format("%.3g %s", value, units[unit]);
    }
}
