package hako.seccomp;

import hako.spec.Seccomp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Compiled profiles kept by digest, so that a start does not compile again the profile every
 * container of a client carries (Docker's and podman's defaults): compiling one costs a cold JVM
 * about 300 ms (libseccomp's FFM handles and some 2,000 calls), reading it back well under 1 ms.
 *
 * <p>The key is the profile as decoded, the architecture, the kernel (the API level decides the
 * flags) and the libseccomp file; reading it needs no FFM at all. The directory sits beside the
 * state root, as the network store does ({@code /run/hako-seccomp}): every entry under the root is
 * a container. Without a directory (tests, {@code hako spec}) every profile is compiled.
 */
public final class ProfileCache {
    private static final String[] LIBRARIES = {
        "/usr/lib/x86_64-linux-gnu/libseccomp.so.2", "/usr/lib/aarch64-linux-gnu/libseccomp.so.2",
        "/lib/x86_64-linux-gnu/libseccomp.so.2", "/lib/aarch64-linux-gnu/libseccomp.so.2",
        "/usr/lib64/libseccomp.so.2", "/usr/lib/libseccomp.so.2",
    };
    private static volatile Path directory;

    private ProfileCache() {}

    /** Keeps compiled profiles beside this state root from now on (the CLI sets it from --root). */
    public static void besideStateRoot(Path stateRoot) {
        Path absolute = stateRoot.toAbsolutePath().normalize();
        directory = absolute.resolveSibling(absolute.getFileName() + "-seccomp");
    }

    public static Program compile(Seccomp profile) {
        String digest = digest(profile);
        Path dir = directory;
        if (dir == null || library().equals("unknown")) return Compiler.compile(profile, digest);
        Path file = dir.resolve(digest + ".bpf");
        Program cached = read(file, digest);
        if (cached != null) return cached;
        Program program = Compiler.compile(profile, digest);
        write(dir, file, program);
        return program;
    }

    /** u64 flags, u32 rules, u32 skipped, then the program. */
    private static Program read(Path file, String digest) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < 16 || (bytes.length - 16) % 8 != 0) return null;
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long flags = in.getLong();
            int rules = in.getInt(), skipped = in.getInt();
            byte[] bpf = new byte[in.remaining()];
            in.get(bpf);
            return new Program(bpf, flags, digest, rules, skipped);
        } catch (IOException e) {
            return null; // not there yet, or unreadable: compile
        }
    }

    /** Written aside and renamed, so that a concurrent start reads a whole file or none; a failure only costs the next start a compile. */
    private static void write(Path dir, Path file, Program program) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            ByteBuffer out = ByteBuffer.allocate(16 + program.bpf().length).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(program.flags()).putInt(program.rules()).putInt(program.skipped()).put(program.bpf());
            Path temporary = Files.createTempFile(dir, "bpf", ".tmp");
            Files.write(temporary, out.array());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the container does not need the cache
        }
    }

    /** sha256 of what the compiled program depends on, hex. */
    static String digest(Seccomp profile) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((System.getProperty("os.arch") + "\n" + kernel() + "\n" + library() + "\n").getBytes(StandardCharsets.UTF_8));
            // Records print every field, in order: the profile as decoded, whatever its JSON's layout.
            sha.update(profile.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The library's real file, size and time: a new libseccomp compiles anew. */
    private static String library() {
        for (String name : LIBRARIES) {
            try {
                Path real = Path.of(name).toRealPath();
                return real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real).toMillis();
            } catch (IOException e) {
                // not this one
            }
        }
        return "unknown";
    }
}
