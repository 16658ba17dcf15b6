package hako.cli;

import hako.image.ImageInspection;
import hako.image.ImageRecord;
import hako.image.ImageStore;
import hako.json.Json;

import java.util.List;

/** {@code hako image inspect NAME[:TAG]}: a stored image as JSON (digests, platform, run config, layers and sizes). */
final class InspectImage {
    private InspectImage() {}

    static int run(Globals globals, List<String> argv) {
        String reference = new Args("image inspect").parse(argv).one("an image name");
        String[] name = Names.split(reference);
        globals.context = "inspecting image " + name[0] + ":" + name[1];
        ImageStore store = globals.images();
        ImageRecord record = store.find(name[0], name[1]);
        System.out.println(Json.writePretty(ImageInspection.of(record, store.blob(record.config()))));
        return 0;
    }
}
