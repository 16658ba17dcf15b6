package hako.cli;

import hako.Invocation;
import hako.image.ImageInspection;
import hako.image.ImageRecord;
import hako.image.ImageStore;
import hako.json.Json;

import java.util.List;
import java.util.Map;

/** {@code hako image inspect NAME[:TAG]}: a stored image as JSON (digests, platform, run config, layers and sizes). */
final class InspectImage {
    private InspectImage() {}

    static int run(Globals globals, List<String> argv) {
        String reference = new Args("image inspect").parse(argv).one("an image name");
        globals.context = "inspecting image " + reference;
        Invocation.current().out().println(Json.writePretty(of(globals.images(), reference)));
        return 0;
    }

    static Map<String, Object> of(ImageStore store, String reference) {
        String[] name = Names.split(reference);
        ImageRecord record = store.find(name[0], name[1]);
        return ImageInspection.of(record, store.blob(record.config()));
    }
}
