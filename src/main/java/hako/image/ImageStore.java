package hako.image;

import hako.Invocation;
import hako.json.Json;
import hako.sys.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local image store:
 * <pre>
 * ROOT/lock                     shared by every load, exclusive for rmi: a layer a load has just
 *                               unpacked cannot be removed before the load records its image
 * ROOT/records.lock             exclusive while images.json is read and rewritten
 * ROOT/images.json              the records (name, tag → manifest, config, layers), written atomically
 * ROOT/blobs/sha256/HEX         manifests and configs, as verified
 * ROOT/layers/sha256/HEX/       each layer unpacked once, by its blob's digest, in overlayfs's form
 * ROOT/layers/sha256/HEX.lock   flock'd while that layer is unpacked or removed, then removed
 *                               by its holder (one a killed load left is harmless; prune removes it)
 * ROOT/tmp/HEX                  a layer being unpacked; renamed into layers/ only once verified
 * ROOT/tmp/scratch-*            an archive unpacked to be read, a directory tarred: one load's own
 * ROOT/tmp/download-HEX         a layer's blob coming from a registry, kept when a pull is
 *                               interrupted so that the next one resumes it; removed once unpacked
 * </pre>
 * Whatever a killed load leaves is in tmp/ or is a lock file: never half a layer in layers/ nor
 * a record of an image whose layers are not all there. {@link #prune} clears it.
 */
public final class ImageStore {
    private final Path root;

    public ImageStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Where images live: /var/lib/hako/images for root (they outlive a reboot, unlike /run/hako);
     * $XDG_DATA_HOME/hako/images otherwise; beside an explicit --root, as networks are, so that a
     * private state root (tests, a second hako) has a private store.
     */
    public static Path defaultRoot(Path stateRoot, boolean explicitStateRoot, boolean rootless) {
        if (explicitStateRoot) {
            Path absolute = stateRoot.toAbsolutePath().normalize();
            return absolute.resolveSibling(absolute.getFileName() + "-images");
        }
        if (!rootless) return Path.of("/var/lib/hako/images");
        String data = Invocation.current().env("XDG_DATA_HOME");
        Path base = data != null && !data.isEmpty() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".local/share");
        return base.resolve("hako/images");
    }

    public Path root() {
        return root;
    }

    public Path layerDirectory(Digest layer) {
        return root.resolve("layers/sha256").resolve(layer.hex());
    }

    /** Whether the layer is unpacked in the store already: a pull does not download it then. */
    public boolean hasLayer(Digest layer) {
        Path target = layerDirectory(layer);
        return Files.isDirectory(target) && Files.isRegularFile(target.resolveSibling(layer.hex() + ".size"));
    }

    /** Where a registry's blob for the layer is downloaded to (named by digest, so that a later pull finds it). */
    public Path downloadFile(Digest layer) {
        return root.resolve("tmp").resolve("download-" + layer.hex());
    }

    /** Imports an image: layers not yet in the store are unpacked and verified, then the record is written. */
    public ImageRecord load(Image image, String name, String tag, PullProgress progress) {
        try (Lock storeLock = lock(root.resolve("lock"), true)) {
            List<ImageRecord.StoredLayer> layers = new ArrayList<>();
            for (Image.Layer layer : image.layers()) layers.add(ensureLayer(layer, progress));
            Blobs blobs = new Blobs(root);
            writeBlob(blobs.path(image.manifestDigest()), image.manifest());
            writeBlob(blobs.path(image.configDigest()), image.config());
            ImageRecord record = new ImageRecord(name, tag, image.manifestDigest(), image.configDigest(), List.copyOf(layers));
            try (Lock recordsLock = lock(root.resolve("records.lock"), false)) {
                List<ImageRecord> records = new ArrayList<>(records());
                records.removeIf(r -> r.name().equals(name) && r.tag().equals(tag));
                records.add(record);
                writeRecords(records);
            }
            return record;
        }
    }

    public List<ImageRecord> list() {
        return records();
    }

    /**
     * The image a person means by NAME[:TAG]: the record of that exact name, else the one whose
     * name ends in /NAME (busybox for docker.io/library/busybox, as docker and podman resolve short names).
     */
    public ImageRecord find(String name, String tag) {
        List<ImageRecord> records = records();
        for (ImageRecord r : records) if (r.name().equals(name) && r.tag().equals(tag)) return r;
        List<ImageRecord> matching = records.stream().filter(r -> r.tag().equals(tag) && r.name().endsWith("/" + name)).toList();
        if (matching.size() == 1) return matching.getFirst();
        if (matching.size() > 1) {
            throw new ImageException(name + ":" + tag + " is ambiguous: " + matching.stream().map(r -> r.name() + ":" + r.tag()).toList());
        }
        throw new ImageException("no image " + name + ":" + tag + " in the store (hako image load, hako pull)");
    }

    /** Removes an image's record, then the layers and blobs no other image uses; returns the removed record. */
    public ImageRecord remove(String name, String tag) {
        try (Lock storeLock = lock(root.resolve("lock"), false); Lock recordsLock = lock(root.resolve("records.lock"), false)) {
            List<ImageRecord> records = new ArrayList<>(records());
            ImageRecord removed = records.stream().filter(r -> r.name().equals(name) && r.tag().equals(tag)).findFirst()
                    .orElseThrow(() -> new ImageException("no image " + name + ":" + tag + " in " + root));
            records.remove(removed);
            writeRecords(records);
            Set<Digest> used = new HashSet<>();
            for (ImageRecord r : records) {
                used.add(r.manifest());
                used.add(r.config());
                for (ImageRecord.StoredLayer layer : r.layers()) used.add(layer.digest());
            }
            Blobs blobs = new Blobs(root);
            for (Digest blob : List.of(removed.manifest(), removed.config())) {
                if (!used.contains(blob)) Files.deleteIfExists(blobs.path(blob));
            }
            for (ImageRecord.StoredLayer layer : removed.layers()) {
                if (used.contains(layer.digest())) continue;
                Path lockFile = layerDirectory(layer.digest()).resolveSibling(layer.digest().hex() + ".lock");
                try (Lock layerLock = lock(lockFile, false)) {
                    removeLayer(layer.digest());
                    layerLock.removeFile();
                }
            }
            return removed;
        } catch (IOException e) {
            throw new ImageException("removing " + name + ":" + tag + " from " + root + ": " + e.getMessage());
        }
    }

    /**
     * A private directory for one load's work (an archive unpacked, a directory tarred), under
     * the store so that it is on the store's filesystem and prune knows it: held with the
     * store's shared lock, removed on close.
     */
    public Scratch scratch() {
        Lock storeLock = lock(root.resolve("lock"), true);
        try {
            Files.createDirectories(root.resolve("tmp"));
            return new Scratch(Files.createTempDirectory(root.resolve("tmp"), "scratch-"), storeLock);
        } catch (IOException | RuntimeException e) {
            storeLock.close();
            throw new ImageException("making a scratch directory in " + root.resolve("tmp") + ": " + e.getMessage());
        }
    }

    public static final class Scratch implements AutoCloseable {
        private final Path directory;
        private final Lock storeLock;

        private Scratch(Path directory, Lock storeLock) {
            this.directory = directory;
            this.storeLock = storeLock;
        }

        public Path directory() {
            return directory;
        }

        @Override
        public void close() {
            try {
                Unpacker.remove(directory);
            } catch (IOException e) {
                hako.Warnings.print("removing " + directory + ": " + e.getMessage() + " (hako prune removes it)");
            } finally {
                storeLock.close();
            }
        }
    }

    /** A blob of the store (a manifest, a config) as it was verified when its image was loaded. */
    public byte[] blob(Digest digest) {
        try {
            return Files.readAllBytes(new Blobs(root).path(digest));
        } catch (IOException e) {
            throw new ImageException("reading " + digest + " from " + root + ": " + e.getMessage());
        }
    }

    /** What prune removed: a line for each, and the bytes freed. */
    public record Pruned(List<String> removed, long bytes) {}

    /**
     * Removes what no image references (layers and blobs an interrupted load unpacked, or that
     * an older rmi could not remove), leftover tmp/ directories, and stale lock and temporary
     * files. Holds the store's lock exclusively: no load is under way, so all of these are stale.
     */
    public Pruned prune() {
        List<String> removed = new ArrayList<>();
        long[] bytes = {0};
        try (Lock storeLock = lock(root.resolve("lock"), false); Lock recordsLock = lock(root.resolve("records.lock"), false)) {
            Set<String> used = new HashSet<>();
            for (ImageRecord r : records()) {
                used.add(r.manifest().hex());
                used.add(r.config().hex());
                for (ImageRecord.StoredLayer layer : r.layers()) used.add(layer.digest().hex());
            }
            Path layers = root.resolve("layers/sha256");
            for (Path entry : children(layers)) {
                String name = entry.getFileName().toString();
                String hex = name.replaceFirst("\\.(size|lock)$", "");
                if (used.contains(hex) && !name.endsWith(".lock")) continue;
                long size = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) ? usage(entry) : 0;
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && hex.matches("[0-9a-f]{64}")) {
                    removed.add("layer sha256:" + hex + " (" + size + " bytes)");
                    removeLayer(new Digest(hex));
                } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Unpacker.remove(entry); // not a layer's name: nothing hako made, or an older hako's
                    removed.add("leftover " + entry + " (" + size + " bytes)");
                } else {
                    Files.deleteIfExists(entry);
                    if (name.endsWith(".lock")) removed.add("lock file " + entry);
                }
                bytes[0] += size;
            }
            for (Path blob : children(root.resolve("blobs/sha256"))) {
                if (used.contains(blob.getFileName().toString())) continue;
                long size = Files.size(blob);
                Files.delete(blob);
                removed.add("blob sha256:" + blob.getFileName() + " (" + size + " bytes)");
                bytes[0] += size;
            }
            for (Path leftover : children(root.resolve("tmp"))) {
                long size = usage(leftover);
                Unpacker.remove(leftover);
                removed.add("leftover " + leftover + " (" + size + " bytes)");
                bytes[0] += size;
            }
            for (Path file : children(root)) {
                if (file.getFileName().toString().matches("\\..*\\.tmp-[0-9]+(-[0-9]+)?")) {
                    bytes[0] += Files.size(file);
                    Files.delete(file);
                    removed.add("leftover " + file);
                }
            }
            return new Pruned(List.copyOf(removed), bytes[0]);
        } catch (IOException e) {
            throw new ImageException("pruning " + root + ": " + e.getMessage());
        }
    }

    private static List<Path> children(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) return List.of();
        try (var stream = Files.list(directory)) {
            return stream.sorted().toList();
        }
    }

    /** The bytes of the regular files under a tree, links not followed. */
    static long usage(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) return 0;
        try (var walk = Files.walk(tree)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private ImageRecord.StoredLayer ensureLayer(Image.Layer layer, PullProgress progress) {
        Path target = layerDirectory(layer.digest());
        Path sizeFile = target.resolveSibling(layer.digest().hex() + ".size");
        String what = "unpacking layer " + layer.digest();
        try {
            Files.createDirectories(target.getParent());
            try (Lock layerLock = lock(target.resolveSibling(layer.digest().hex() + ".lock"), false)) {
                if (hasLayer(layer.digest())) {
                    progress.say("layer " + layer.digest().shortHex() + ": already in the store");
                    layerLock.removeFile();
                    return new ImageRecord.StoredLayer(layer.digest(), Long.parseLong(Files.readString(sizeFile).strip()));
                }
                Path temporary = root.resolve("tmp").resolve(layer.digest().hex());
                Unpacker.remove(temporary); // what a killed load left
                Files.createDirectories(temporary);
                long size;
                try {
                    size = unpack(layer, temporary, progress.unpacking(layer.digest(), layer.size()));
                    Files.writeString(sizeFile, size + "\n");
                    Unpacker.remove(target);
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Unpacker.remove(temporary);
                    // done, failed or not: the lock file goes with the lock (a killed load leaves it, for prune)
                    layerLock.removeFile();
                }
                return new ImageRecord.StoredLayer(layer.digest(), size);
            }
        } catch (ImageException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        } catch (hako.sys.SysException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks the blob, verifying its digest and (when the config names it) the digest of the tar inside. */
    private static long unpack(Image.Layer layer, Path directory, PullProgress.Unpacking bar) throws IOException {
        try (Sha256Stream blob = layer.opener().open()) {
            InputStream tar = Compression.decompress(PullProgress.counting(blob, bar));
            Sha256Stream diff = new Sha256Stream(tar);
            Unpacker unpacker = new Unpacker(directory, Unpacker.Whiteouts.OVERLAY);
            try {
                unpacker.unpack(diff);
            } catch (ImageException | IOException e) {
                // a corrupt blob usually shows first as a bad gzip or tar header: name the real cause
                verifyQuietly(blob, layer);
                throw e;
            }
            Digest diffId = diff.finish();
            blob.verify("layer", layer.digest(), layer.size());
            if (layer.diffId() != null && !diffId.equals(layer.diffId())) {
                throw new ImageException("its content is " + diffId + ", the config's diff_id says " + layer.diffId());
            }
            bar.done(unpacker.bytes());
            return unpacker.bytes();
        }
    }

    /** Throws the digest mismatch if there is one; any other trouble reading leaves the first error to be told. */
    private static void verifyQuietly(Sha256Stream blob, Image.Layer layer) {
        try {
            blob.verify("layer", layer.digest(), layer.size());
        } catch (IOException e) {
            // the unpacking error says more
        }
    }

    private void removeLayer(Digest layer) throws IOException {
        Path target = layerDirectory(layer);
        if (Files.exists(target)) {
            // moved aside first, so that the store never shows half a layer
            Path doomed = root.resolve("tmp").resolve("rm-" + layer.hex());
            Files.createDirectories(doomed.getParent());
            Unpacker.remove(doomed);
            Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
            Unpacker.remove(doomed);
        }
        Files.deleteIfExists(target.resolveSibling(layer.hex() + ".size"));
    }

    private List<ImageRecord> records() {
        Path file = root.resolve("images.json");
        if (!Files.exists(file)) return List.of();
        try {
            List<ImageRecord> records = new ArrayList<>();
            for (Object item : (List<?>) Manifests.parse(Files.readAllBytes(file), file.toString())) records.add(ImageRecord.fromJson(item));
            return records;
        } catch (IOException e) {
            throw new ImageException("reading " + file + ": " + e.getMessage());
        }
    }

    private void writeRecords(List<ImageRecord> records) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (ImageRecord record : records) json.add(record.toJson());
        writeAtomically(root.resolve("images.json"), Json.writePretty(json).getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBlob(Path path, byte[] bytes) {
        if (!Files.exists(path)) writeAtomically(path, bytes);
    }

    /** Written beside, then renamed over: a reader (or a crash) sees the old file or the new, never half. */
    private static void writeAtomically(Path path, byte[] bytes) {
        try {
            Files.createDirectories(path.getParent());
            // Named for the process and the thread: the warm runtime serves calls on many threads.
            Path temporary = path.resolveSibling("." + path.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                    + "-" + Thread.currentThread().threadId());
            Files.write(temporary, bytes);
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ImageException("writing " + path + ": " + e.getMessage());
        }
    }

    /**
     * An flock(2) on a file of the store, released by close. A layer's lock file is removed by
     * the load or rmi that holds it, once done: so that a waiter never holds a lock on a file
     * that is gone while another makes a new one, a lock taken is kept only if the path still
     * names the locked file (the usual open, flock, compare inodes, retry).
     */
    private static final class Lock implements AutoCloseable {
        private final Path file;
        private final int fd;

        private Lock(Path file, int fd) {
            this.file = file;
            this.fd = fd;
        }

        /** Removes the lock file while it is held; waiters find it gone and make a new one. */
        void removeFile() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a lock file left behind is harmless: prune removes it
            }
        }

        @Override
        public void close() {
            Libc.close(fd);
        }
    }

    private static Lock lock(Path file, boolean shared) {
        String what = "locking " + file;
        while (true) {
            try {
                Files.createDirectories(file.getParent());
                if (!Files.exists(file)) Files.write(file, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new ImageException("making the lock " + file + ": " + e.getMessage());
            }
            int fd;
            try {
                fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, what);
            } catch (hako.sys.SysException e) {
                if (e.errno() == hako.sys.Errno.ENOENT) continue; // removed between the two: make it again
                throw e;
            }
            try {
                if (shared) Libc.lockShared(fd, what);
                else Libc.lockExclusive(fd, what);
                if (sameFile(fd, file)) return new Lock(file, fd);
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
            Libc.close(fd);
        }
    }

    private static boolean sameFile(int fd, Path file) {
        try {
            Object locked = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
            Object named = Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return locked.equals(named);
        } catch (IOException e) {
            return false; // the path is gone: the holder removed it
        }
    }
}
