package hako.image;

import hako.Warnings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * A registry as a source of images ({@code hako pull}): the place to pull from (registries.conf's
 * mirrors and locations, {@link RegistriesConf}), the manifest for a tag or digest (an
 * index or list narrowed to one platform), every document verified against its digest, the
 * layers the store lacks downloaded three at a time into the store's tmp area, then the whole
 * image loaded through {@link ImageStore#load}, which unpacks and records it.
 */
public final class Registry {
    static final String ACCEPT = String.join(", ", Manifests.OCI_INDEX, Manifests.OCI_MANIFEST, Manifests.DOCKER_LIST,
            Manifests.DOCKER_MANIFEST);
    static final int PARALLEL_LAYERS = 3;

    /** A manifest or index as the registry sent it, its digest checked. */
    record Document(String mediaType, byte[] bytes, Digest digest) {}

    private Registry() {}

    /**
     * Pulls what {@code text} names for {@code platform} into {@code store}, with the machine's auth
     * files and timeouts: each reference the name means (registries.conf's unqualified-search-registries),
     * in order, until one is pulled; each from its registry's mirrors, then its location.
     * {@code tlsVerify} is --tls-verify when given, else null: registries.conf's insecure decides.
     */
    public static ImageRecord pull(String text, Platform platform, Boolean tlsVerify, RegistriesConf registries, ImageStore store,
                                   PullProgress progress) {
        RegistryClient.Options options = RegistryClient.Options.defaults(true);
        List<Reference> candidates = registries.candidates(text);
        for (int i = 0; ; i++) {
            Reference candidate = candidates.get(i);
            try {
                return pull(candidate, registries.sources(candidate, tlsVerify), platform, options, store, progress);
            } catch (ImageException e) {
                if (candidates.size() == 1) throw e;
                String line = candidate + ": " + e.getMessage();
                if (i == candidates.size() - 1) throw new ImageException(line, e);
                Warnings.print(line + "; trying " + candidates.get(i + 1));
            }
        }
    }

    static ImageRecord pull(Reference reference, Platform platform, RegistryClient.Options options, ImageStore store, PullProgress progress) {
        return pull(reference, List.of(new RegistryEntry.Source(reference, options.tlsVerify(), false)), platform, options, store, progress);
    }

    /**
     * From the first source that has the image, as podman: a mirror that is down, refuses or
     * lacks it is skipped with a line; the last source's failure is the pull's. The image is
     * recorded under the name asked for, wherever it came from.
     */
    static ImageRecord pull(Reference wanted, List<RegistryEntry.Source> sources, Platform platform, RegistryClient.Options options,
                            ImageStore store, PullProgress progress) {
        for (int i = 0; ; i++) {
            RegistryEntry.Source source = sources.get(i);
            try (RegistryClient client = new RegistryClient(source.reference(), options.withTlsVerify(source.tlsVerify()))) {
                Image image;
                try {
                    client.ping();
                    image = resolve(client, source.reference(), platform);
                } catch (ImageException e) {
                    if (i < sources.size() - 1) {
                        Warnings.print("mirror " + source.reference() + " skipped: " + e.getMessage());
                        continue;
                    }
                    if (source.reference().equals(wanted)) throw e;
                    throw new ImageException(source.reference() + ": " + e.getMessage(), e); // the location it was rewritten to
                }
                return fetch(client, wanted, image, store, progress);
            }
        }
    }

    private static ImageRecord fetch(RegistryClient client, Reference wanted, Image image, ImageStore store, PullProgress progress) {
        Map<Digest, Path> downloaded = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            download(client, image, store, progress, downloaded);
            Image fromFiles = new Image(wanted.toString(), image.manifestDigest(), image.manifest(), image.configDigest(),
                    image.config(), image.layers().stream().map(layer -> new Image.Layer(layer.digest(), layer.size(), layer.diffId(),
                            () -> open(client, layer, store, progress, downloaded))).toList());
            return store.load(fromFiles, wanted.name(), wanted.storedTag(), progress);
        } finally {
            // complete blobs are unpacked now (or of no use): only interrupted downloads stay, to resume
            for (Path file : downloaded.values()) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // tmp is swept by the next pull of the layer
                }
            }
        }
    }

    /** The image's manifest and config, verified; its layers not opened yet. */
    static Image resolve(RegistryClient client, Reference reference, Platform platform) {
        // the error line already names the reference: its own manifest's failures need no prefix
        Document document = manifest(client, reference.manifestReference(), reference.digest(), null);
        for (int depth = 0; Manifests.isIndex(document.mediaType()); depth++) {
            if (depth == 3) throw new ImageException(reference + ": indexes nested more than 3 deep");
            String what = "index " + document.digest();
            Manifests.Descriptor chosen = Manifests.descriptor(platform.choose(Manifests.entries(document.bytes(), what), what), what);
            document = manifest(client, chosen.digest().toString(), chosen.digest(), "the manifest for " + platform + " (" + chosen.digest() + ")");
        }
        Manifests.Manifest manifest = Manifests.manifest(document.bytes(), "manifest " + document.digest());
        byte[] config = config(client, manifest.config());
        return Manifests.image(reference.toString(), document.digest(), document.bytes(), manifest, config, layer -> null);
    }

    static Document manifest(RegistryClient client, String ref, Digest expected, String what) {
        try (RegistryClient.Response response = client.get("manifests/" + ref, Map.of("Accept", ACCEPT))) {
            if (response.status() != 200) throw failure(what, response);
            byte[] bytes = readDocument(response.body(), prefix(what));
            Digest actual = Digest.of(bytes);
            if (expected != null && !actual.equals(expected)) {
                throw new ImageException(prefix(what) + "the manifest does not match its digest " + expected + ": its content is " + actual);
            }
            String said = response.header("Docker-Content-Digest");
            if (said != null && said.startsWith("sha256:") && !Digest.parse(said).equals(actual)) {
                throw new ImageException(prefix(what) + "the registry says the manifest is " + said + ", its content is " + actual);
            }
            String mediaType = response.header("Content-Type") == null ? "" : response.header("Content-Type").replaceFirst(";.*", "").strip();
            if (!Manifests.isIndex(mediaType) && !Manifests.isManifest(mediaType)) {
                // registries that serve a plain application/json: the document says what it is
                String own = Manifests.mediaTypeOf(bytes, what == null ? "the manifest" : what);
                if (mediaType.isEmpty() || mediaType.equals("application/json") || mediaType.equals("text/plain")) mediaType = own;
            }
            if (mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")) {
                throw new ImageException(prefix(what) + "schema 1 manifests are not supported; push the image again with a current client "
                        + "(docker, podman or skopeo write schema 2 or OCI)");
            }
            if (!Manifests.isIndex(mediaType) && !Manifests.isManifest(mediaType)) {
                throw new ImageException(prefix(what) + "the manifest has the media type \"" + mediaType + "\", which hako cannot pull");
            }
            return new Document(mediaType, bytes, actual);
        } catch (IOException e) {
            throw new ImageException(prefix(what) + "" + client.describe(e), e);
        }
    }

    private static byte[] config(RegistryClient client, Manifests.Descriptor descriptor) {
        String what = "config " + descriptor.digest();
        if (descriptor.size() > Blobs.MAX_DOCUMENT) throw new ImageException(what + " is " + descriptor.size() + " bytes: too large");
        try (RegistryClient.Response response = client.get("blobs/" + descriptor.digest(), Map.of())) {
            if (response.status() != 200) throw failure(what, response);
            Sha256Stream in = new Sha256Stream(response.body());
            byte[] bytes = in.readNBytes((int) descriptor.size() + 1);
            if (bytes.length > descriptor.size()) {
                throw new ImageException(what + " is more than the " + descriptor.size() + " bytes its descriptor says");
            }
            in.verify("config", descriptor.digest(), descriptor.size());
            return bytes;
        } catch (IOException e) {
            throw new ImageException(what + ": " + client.describe(e), e);
        }
    }

    /** The layers the store lacks, {@value #PARALLEL_LAYERS} at a time; the first failure stops the others. */
    private static void download(RegistryClient client, Image image, ImageStore store, PullProgress progress, Map<Digest, Path> downloaded) {
        Map<Digest, Image.Layer> missing = new LinkedHashMap<>();
        for (Image.Layer layer : image.layers()) if (!store.hasLayer(layer.digest())) missing.putIfAbsent(layer.digest(), layer);
        if (missing.isEmpty()) return;
        Semaphore slots = new Semaphore(PARALLEL_LAYERS);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Image.Layer layer : missing.values()) {
                futures.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        fetchLayer(client, layer, store, progress, downloaded);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    threads.shutdownNow();
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    throw new ImageException("downloading: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    threads.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted");
                }
            }
        } finally {
            progress.finish();
        }
    }

    private static Path fetchLayer(RegistryClient client, Image.Layer layer, ImageStore store, PullProgress progress,
                                   Map<Digest, Path> downloaded) {
        Path file = store.downloadFile(layer.digest());
        Manifests.Descriptor descriptor = new Manifests.Descriptor("", layer.digest(), layer.size(), Map.of());
        try {
            Path done = new BlobDownload(client, descriptor, file, progress.start(layer.digest(), layer.size())).run();
            if (done != null) downloaded.put(layer.digest(), done);
            return done;
        } catch (IOException e) {
            throw new ImageException("downloading layer " + layer.digest() + ": " + client.describe(e), e);
        }
    }

    /** A layer's blob for the store to unpack: the file downloaded, or downloaded now (the store lost it meanwhile). */
    private static Sha256Stream open(RegistryClient client, Image.Layer layer, ImageStore store, PullProgress progress,
                                     Map<Digest, Path> downloaded) {
        Path file = downloaded.get(layer.digest());
        if (file == null) file = fetchLayer(client, layer, store, progress, downloaded);
        if (file == null) throw new ImageException("layer " + layer.digest() + " was pulled by another hako at the same time; pull again");
        try {
            return new Sha256Stream(Files.newInputStream(file));
        } catch (IOException e) {
            throw new ImageException("reading the downloaded layer " + file + ": " + e.getMessage(), e);
        }
    }

    /** A response other than the one wanted, as one line: the registry's own error when it gave one. */
    static ImageException failure(String what, RegistryClient.Response response) {
        String said = null;
        try (InputStream body = response.body()) {
            Object tree = Manifests.parse(body.readNBytes(64 << 10), "an error");
            if (tree instanceof Map<?, ?> map && map.get("errors") instanceof List<?> errors && !errors.isEmpty()
                    && errors.getFirst() instanceof Map<?, ?> first) {
                said = first.get("message") instanceof String m && !m.isEmpty() ? m : String.valueOf(first.get("code")).toLowerCase();
            }
        } catch (IOException | ImageException e) {
            // no JSON: the status says it
        }
        String line = switch (response.status()) {
            case 404 -> said != null ? said : "manifest unknown";
            case 401 -> "authentication required";
            case 403 -> "access denied" + (said != null ? " (" + said + ")" : "");
            case 429 -> "too many requests: the registry limits pulls" + (said != null ? " (" + said + ")" : "");
            default -> "the registry answered HTTP " + response.status() + (said != null ? ": " + said : "");
        };
        return new ImageException(prefix(what) + line);
    }

    private static String prefix(String what) {
        return what == null ? "" : what + ": ";
    }

    private static byte[] readDocument(InputStream in, String what) throws IOException {
        byte[] bytes = in.readNBytes(Blobs.MAX_DOCUMENT + 1);
        if (bytes.length > Blobs.MAX_DOCUMENT) throw new ImageException(what + "the manifest is too large");
        return bytes;
    }
}
