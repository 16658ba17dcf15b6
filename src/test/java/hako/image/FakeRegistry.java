package hako.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A tiny OCI distribution registry in the test's JVM, on 127.0.0.1 (no root, no namespace): the
 * manifests and blobs a test puts in, Bearer auth when asked, and blobs that misbehave the ways
 * real networks do — a connection dropped or stalled half-way (once), a server that ignores
 * Range, content that does not match its digest. Every request is recorded with its Range.
 */
final class FakeRegistry implements AutoCloseable {
    enum Blob { GOOD, DROP_ONCE, STALL_ONCE, IGNORE_RANGE, CORRUPT }

    record Request(String method, String path, String range, String authorization) {}

    private final HttpServer server;
    private final Map<String, String[]> manifests = new ConcurrentHashMap<>(); // ref → {mediaType, body}
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Blob> behaviour = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String user, password;
    private volatile String contentDigest;
    static final String TOKEN = "t0ken";

    FakeRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Bearer auth: /token hands out a token for these credentials. */
    void requireLogin(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** A Docker-Content-Digest header on every manifest (a lie, if the test wants one). */
    void sayDigest(String digest) {
        this.contentDigest = digest;
    }

    void manifest(String reference, String mediaType, byte[] body) {
        manifests.put(reference, new String[] {mediaType, new String(body, StandardCharsets.UTF_8)});
    }

    Digest blob(byte[] content, Blob how) {
        Digest digest = Digest.of(content);
        blobs.put(digest.toString(), content);
        behaviour.put(digest.toString(), how);
        return digest;
    }

    long blobGets(Digest digest) {
        return requests.stream().filter(r -> r.path().endsWith("/blobs/" + digest)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Range"), authorization));
        try (exchange) {
            if (path.equals("/token")) {
                String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(authorization)) {
                    send(exchange, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                } else {
                    send(exchange, 200, "application/json", "{\"token\":\"" + TOKEN + "\"}");
                }
                return;
            }
            if (user != null && !("Bearer " + TOKEN).equals(authorization)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"fake\"");
                send(exchange, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            if (path.equals("/v2/")) {
                send(exchange, 200, "application/json", "{}");
                return;
            }
            int manifestsAt = path.indexOf("/manifests/");
            if (manifestsAt > 0) {
                String[] manifest = manifests.get(path.substring(manifestsAt + "/manifests/".length()));
                if (manifest == null) {
                    send(exchange, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                    return;
                }
                byte[] body = manifest[1].getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Docker-Content-Digest", contentDigest != null ? contentDigest : Digest.of(body).toString());
                send(exchange, 200, manifest[0], manifest[1]);
                return;
            }
            int blobsAt = path.indexOf("/blobs/");
            String digest = blobsAt > 0 ? path.substring(blobsAt + "/blobs/".length()) : "";
            byte[] content = blobs.get(digest);
            if (content == null) {
                send(exchange, 404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}");
                return;
            }
            serveBlob(exchange, digest, content);
        }
    }

    private void serveBlob(HttpExchange exchange, String digest, byte[] content) throws IOException {
        Blob how = behaviour.get(digest);
        if (how == Blob.CORRUPT) {
            content = content.clone();
            content[content.length / 2] ^= 1;
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null && how != Blob.IGNORE_RANGE) {
            from = Integer.parseInt(range.replaceFirst("bytes=(\\d+)-", "$1"));
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(from > 0 ? 206 : 200, content.length - from);
        OutputStream out = exchange.getResponseBody();
        if (how == Blob.DROP_ONCE || how == Blob.STALL_ONCE) {
            behaviour.put(digest, Blob.GOOD);
            out.write(content, from, (content.length - from) / 2);
            out.flush();
            if (how == Blob.STALL_ONCE) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return; // closed short: the client sees the connection end before Content-Length
        }
        out.write(content, from, content.length - from);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
