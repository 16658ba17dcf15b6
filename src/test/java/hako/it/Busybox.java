package hako.it;

import hako.spec.DefaultSpec;
import hako.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Bundles for integration tests: a busybox rootfs (made once) and config.json files around it. */
final class Busybox {
    static final Path BASEDIR = Path.of(System.getProperty("hako.basedir", "."));

    private Busybox() {}

    /** Makes a busybox rootfs at {@code dir} with the project's own script. */
    static void rootfs(Path dir) {
        Hako.Result result = Hako.exec(List.of(BASEDIR.resolve("scripts/busybox-rootfs.sh").toString(), dir.toString()), "");
        if (result.code() != 0) throw new IllegalStateException("busybox-rootfs.sh failed: " + result.stderr());
    }

    /** The default spec ({@code hako spec}) as a mutable tree, with {@code root.path} and args set. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Path rootfs, String... args) {
        Map<String, Object> spec = (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
        ((Map<String, Object>) spec.get("root")).put("path", rootfs.toString());
        process(spec).put("args", new ArrayList<>(List.of(args)));
        return spec;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> process(Map<String, Object> spec) {
        return (Map<String, Object>) spec.get("process");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> linux(Map<String, Object> spec) {
        return (Map<String, Object>) spec.get("linux");
    }

    @SuppressWarnings("unchecked")
    static List<Object> mounts(Map<String, Object> spec) {
        return (List<Object>) spec.get("mounts");
    }

    /** A new bundle directory under {@code parent} holding {@code spec} as its config.json. */
    static Path bundle(Path parent, Map<String, Object> spec) {
        return bundle(parent, Json.writePretty(spec));
    }

    static Path bundle(Path parent, String configJson) {
        try {
            Path bundle = Files.createTempDirectory(parent, "bundle");
            Files.writeString(bundle.resolve("config.json"), configJson);
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
