package hako.image;

import hako.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The OCI distribution API of one registry, for one repository, over {@link HttpClient}: the
 * scheme chosen by a first {@code GET /v2/} (HTTPS; with --tls-verify=false, HTTPS unverified or
 * else plain HTTP, as podman), the authorization that ping's challenge asks for (a Bearer token
 * for the repository's pull scope, or Basic), kept for every later request; redirects followed
 * by hand, so that credentials never go to another host (blob storage, a CDN).
 */
final class RegistryClient implements AutoCloseable {
    /** How to reach registries: verify TLS or not, the timeouts, where credentials are. */
    record Options(boolean tlsVerify, Duration connectTimeout, Duration stallTimeout, List<java.nio.file.Path> authFiles) {
        static Options defaults(boolean tlsVerify) {
            return new Options(tlsVerify, Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Credentials.files(Invocation.current().env(), java.nio.file.Path.of(System.getProperty("user.home"))));
        }

        /** The same for a registry whose TLS is verified or not (registries.conf's insecure, per mirror). */
        Options withTlsVerify(boolean verify) {
            return new Options(verify, connectTimeout, stallTimeout, authFiles);
        }
    }

    /** A response whose body is still to be read (and closed). */
    record Response(int status, HttpHeaders headers, InputStream body) implements AutoCloseable {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the connection goes; nothing to tell
            }
        }
    }

    private final Reference reference;
    private final Options options;
    private final StallGuard stalls;
    private final Credentials credentials;
    private HttpClient http;
    private String base;
    private String authorization;

    RegistryClient(Reference reference, Options options) {
        this.reference = reference;
        this.options = options;
        this.stalls = new StallGuard(options.stallTimeout());
        this.credentials = Credentials.find(options.authFiles(), reference.domain());
    }

    /** {@code GET /v2/}: which scheme answers, and what authorization the registry wants. */
    void ping() {
        String host = reference.apiHost();
        http = client(options.tlsVerify() ? Tls.verifying() : Tls.trustingAll());
        base = "https://" + host;
        Response response;
        try {
            response = send(URI.create(base + "/v2/"), Map.of());
        } catch (IOException e) {
            if (options.tlsVerify()) throw unreachable(e);
            // as podman: a registry that does not speak TLS is asked again over plain HTTP (whatever
            // failed: a plain server may answer a ClientHello with an error, or with nothing at all)
            http.close();
            http = client(null);
            base = "http://" + host;
            try {
                response = send(URI.create(base + "/v2/"), Map.of());
            } catch (IOException again) {
                throw unreachable(again);
            }
        }
        try (Response answer = response) {
            if (answer.status() == 401) authenticate(answer);
            else if (answer.status() == 404) throw new ImageException(host + " is not an OCI distribution registry (GET /v2/ is 404)");
        }
    }

    /** {@code GET /v2/NAME/PATH} (manifests/REF, blobs/DIGEST), authorized, redirects followed. */
    Response get(String path, Map<String, String> headers) throws IOException {
        URI uri = URI.create(base + "/v2/" + reference.path() + "/" + path);
        Response response = send(uri, headers);
        if (response.status() != 401) return response;
        // the token may have expired, or this resource wants another scope: once more
        String before = authorization;
        authenticate(response);
        if (authorization != null && !authorization.equals(before)) {
            response = send(uri, headers);
            if (response.status() != 401) return response;
            response.close();
        }
        throw refused();
    }

    private Response send(URI uri, Map<String, String> headers) throws IOException {
        boolean authorize = true;
        for (int hop = 0; hop < 6; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(options.stallTimeout()).GET();
            headers.forEach(request::header);
            if (authorize && authorization != null) request.header("Authorization", authorization);
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            } catch (HttpTimeoutException e) {
                if (e instanceof HttpConnectTimeoutException) throw e;
                throw new StallGuard.Stalled(options.stallTimeout());
            }
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (List.of(301, 302, 303, 307, 308).contains(status) && location != null) {
                response.body().close();
                URI next = uri.resolve(location);
                // the registry's credentials are for the registry: not for the storage it redirects to
                if (!next.getAuthority().equals(uri.getAuthority())) authorize = false;
                uri = next;
                continue;
            }
            return new Response(status, response.headers(), stalls.guard(response.body()));
        }
        throw new ImageException(uri + ": too many redirects");
    }

    /** Answers a 401's challenge: a Bearer token from the realm, or Basic credentials. */
    private void authenticate(Response unauthorized) {
        String header = unauthorized.headers().allValues("WWW-Authenticate").stream().findFirst().orElse(null);
        unauthorized.close();
        if (header == null) throw refused();
        Challenge challenge = Challenge.parse(header);
        if (challenge.isBasic()) {
            if (credentials == null) throw refused();
            authorization = credentials.basic();
        } else if (challenge.isBearer()) {
            authorization = "Bearer " + token(challenge);
        } else {
            throw new ImageException(reference.domain() + " asks for " + challenge.scheme() + " authentication, which hako does not speak");
        }
    }

    private String token(Challenge challenge) {
        String realm = challenge.parameter("realm");
        if (realm == null) throw new ImageException(reference.domain() + ": a Bearer challenge without a realm");
        Map<String, String> query = new LinkedHashMap<>();
        if (challenge.parameter("service") != null) query.put("service", challenge.parameter("service"));
        query.put("scope", challenge.parameter("scope") != null ? challenge.parameter("scope") : "repository:" + reference.path() + ":pull");
        StringBuilder uri = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        query.forEach((k, v) -> uri.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        uri.setLength(uri.length() - 1);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(options.stallTimeout()).GET();
        if (credentials != null) request.header("Authorization", credentials.basic());
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = stalls.guard(response.body())) {
                byte[] bytes = body.readNBytes(Blobs.MAX_DOCUMENT);
                if (response.statusCode() == 401 || response.statusCode() == 403) throw refused();
                if (response.statusCode() != 200) {
                    throw new ImageException("the token service " + realm + " answered HTTP " + response.statusCode());
                }
                Map<?, ?> json = Manifests.object(Manifests.parse(bytes, "the token from " + realm), "the token from " + realm);
                Object token = json.get("token") instanceof String t && !t.isEmpty() ? t : json.get("access_token");
                if (!(token instanceof String t) || t.isEmpty()) throw new ImageException("the token service " + realm + " gave no token");
                return t;
            }
        } catch (IOException e) {
            throw new ImageException("asking " + realm + " for a token: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted");
        }
    }

    private ImageException refused() {
        return new ImageException(reference.domain() + ": " + (credentials == null ? "authentication required" : "credentials refused"));
    }

    private ImageException unreachable(IOException e) {
        return new ImageException(reference.apiHost() + ": " + describe(e), e);
    }

    /** An I/O failure as a person reads it. */
    String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return "the registry does not answer (connect timed out after " + options.connectTimeout().toSeconds() + " s)";
        if (e instanceof StallGuard.Stalled) return "the registry stopped sending (" + e.getMessage() + ")";
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof SSLHandshakeException || cause instanceof java.security.cert.CertificateException) {
                return "the registry's certificate is not trusted (" + rootMessage(cause) + "); --tls-verify=false skips the check";
            }
            if (cause instanceof SSLException) return "TLS failed: " + rootMessage(cause) + " (--tls-verify=false also tries plain HTTP)";
            if (cause instanceof ConnectException) {
                // HttpClient's ConnectException often says nothing: an unreachable network is in a cause below
                for (Throwable below = cause; below != null; below = below.getCause()) {
                    String message = String.valueOf(below.getMessage());
                    if (message.contains("unreachable") || message.contains("No route")) {
                        return "the registry does not answer (" + message.toLowerCase() + ")";
                    }
                }
                return "the registry does not answer (connection refused)";
            }
            cause = cause.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.length() > 160 ? message.substring(0, 160) + "…" : message;
    }

    private HttpClient client(javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) builder.sslContext(tls);
        return builder.build();
    }

    @Override
    public void close() {
        stalls.close();
        if (http != null) http.close();
    }
}
