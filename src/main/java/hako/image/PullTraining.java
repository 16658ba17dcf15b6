package hako.image;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The AOT training's registry: a pull is mostly class loading (java.net.http, TLS, JSON, the
 * store), ~900 classes no other command loads, so the training pulls one small image from a
 * registry on loopback in the training process itself. It listens on 127.0.0.1 at a port the
 * kernel picks, only for the training's few requests, and changes nothing of the machine's network.
 */
public final class PullTraining {
    private static final String MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar";

    private PullTraining() {}

    /** Serves one image as {@code 127.0.0.1:PORT/training:1} while {@code pull} runs with that reference. */
    public static void run(Consumer<String> pull) {
        byte[] layer = layer();
        byte[] config = ("{\"architecture\":\"" + Platform.host().architecture() + "\",\"os\":\"linux\","
                + "\"config\":{\"Cmd\":[\"/bin/true\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.of(layer) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.of(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MEDIA_LAYER + "\",\"digest\":\""
                + Digest.of(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> paths = new HashMap<>();
        paths.put("/v2/", new byte[0]);
        paths.put("/v2/training/manifests/1", manifest);
        paths.put("/v2/training/blobs/" + Digest.of(config), config);
        paths.put("/v2/training/blobs/" + Digest.of(layer), layer);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = paths.get(exchange.getRequestURI().getPath());
            if (exchange.getRequestURI().getPath().contains("/manifests/")) {
                exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                exchange.getResponseHeaders().add("Docker-Content-Digest", Digest.of(manifest).toString());
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null || head ? -1 : body.length == 0 ? -1 : body.length);
            if (body != null && !head && body.length > 0) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            pull.accept("127.0.0.1:" + server.getAddress().getPort() + "/training:1");
        } finally {
            server.stop(0);
        }
    }

    /** One directory and one file, as a tar stream. */
    private static byte[] layer() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] content = "trained\n".getBytes(StandardCharsets.UTF_8);
        try (TarOutput tar = new TarOutput(bytes)) {
            tar.write(new TarEntry("etc/", TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0, Map.of()), null);
            tar.write(new TarEntry("etc/training", TarEntry.Type.FILE, 0644, 0, 0, content.length, 0, "", 0, 0, Map.of()),
                    new java.io.ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
