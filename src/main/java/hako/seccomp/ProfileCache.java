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
import java.util.HexFormat;

/**
 * Compiled profiles kept by digest, so that a start does not compile again the profile every
 * container of a client carries (Docker's and podman's defaults): compiling one costs a cold JVM
 * about 300 ms (libseccomp's FFM handles and some 2,000 calls), reading it back well under 1 ms.
 *
 * <p>The key is the profile as decoded, the architecture, the kernel (the API level decides the
 * flags) and the libseccomp file; reading it needs no FFM at all. It is all of that as text,
 * kept in the file and compared on reading, so no other profile can ever be taken for it; the
 * file's name is a 64-bit FNV-1a hash of that text, not SHA-256, whose provider costs a
 * start in the interpreter some 30 ms. The directory sits beside the
 * state root, as the network store does ({@code /run/hako-seccomp}): every entry under the root is
 * a container. Without a directory (tests, {@code hako spec}) every profile is compiled.
 */
public final class ProfileCache {
    private static final String[] LIBRARIES = {
        "/usr/lib/x86_64-linux-gnu/libseccomp.so.2", "/usr/lib/aarch64-linux-gnu/libseccomp.so.2",
        "/lib/x86_64-linux-gnu/libseccomp.so.2", "/lib/aarch64-linux-gnu/libseccomp.so.2",
        "/usr/lib64/libseccomp.so.2", "/usr/lib/libseccomp.so.2",
    };
    /** Per call: a warm runtime serves calls with other --root flags at once. */
    private static final hako.Invocation.Local<Path> DIRECTORY = new hako.Invocation.Local<>(() -> null);

    private ProfileCache() {}

    /** Keeps compiled profiles beside this state root from now on (the CLI sets it from --root). */
    public static void besideStateRoot(Path stateRoot) {
        Path absolute = stateRoot.toAbsolutePath().normalize();
        DIRECTORY.set(absolute.resolveSibling(absolute.getFileName() + "-seccomp"));
    }

    public static Program compile(Seccomp profile) {
        byte[] key = key(profile);
        String digest = digest(key);
        Path dir = DIRECTORY.get();
        if (dir == null || library().equals("unknown")) return Compiler.compile(profile, digest);
        Path file = dir.resolve(digest + ".bpf");
        Program cached = read(file, key, digest);
        if (cached != null) return cached;
        Program program = Compiler.compile(profile, digest);
        write(dir, file, key, program);
        return program;
    }

    /** u32 key length, the key, u64 flags, u32 rules, u32 skipped, then the program; null unless the key is this one. */
    private static Program read(Path file, byte[] key, String digest) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < 4) return null;
            int length = in.getInt();
            if (length != key.length || in.remaining() < length + 16) return null;
            if (!java.util.Arrays.equals(bytes, 4, 4 + length, key, 0, length)) return null; // another profile
            in.position(4 + length);
            long flags = in.getLong();
            int rules = in.getInt(), skipped = in.getInt();
            if (in.remaining() % 8 != 0) return null;
            byte[] bpf = new byte[in.remaining()];
            in.get(bpf);
            return new Program(bpf, flags, digest, rules, skipped);
        } catch (IOException e) {
            return null; // not there yet, or unreadable: compile
        }
    }

    /** Written aside and renamed, so that a concurrent start reads a whole file or none; a failure only costs the next start a compile. */
    private static void write(Path dir, Path file, byte[] key, Program program) {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            ByteBuffer out = ByteBuffer.allocate(4 + key.length + 16 + program.bpf().length).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(key.length).put(key);
            out.putLong(program.flags()).putInt(program.rules()).putInt(program.skipped()).put(program.bpf());
            Path temporary = Files.createTempFile(dir, "bpf", ".tmp");
            Files.write(temporary, out.array());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the container does not need the cache
        }
    }

    /** What the compiled program depends on, as text: the machine, the kernel, the library and the profile. */
    static byte[] key(Seccomp profile) {
        StringBuilder key = new StringBuilder(4096).append(System.getProperty("os.arch")).append('\n')
                .append(kernel()).append('\n').append(library()).append('\n');
        canonical(profile, key);
        return key.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The profile as decoded, every field in order, whatever its JSON's layout. Written out by
     * hand: a record's own toString is spun from method handles on first use, which costs an
     * interpreted start some 25 ms for the records of a profile.
     */
    private static void canonical(Seccomp p, StringBuilder out) {
        out.append(p.defaultAction()).append(' ').append(p.defaultErrnoRet()).append(' ').append(p.architectures())
                .append(' ').append(p.flags()).append(' ').append(p.listenerPath()).append(' ').append(p.listenerMetadata());
        for (Seccomp.Rule rule : p.syscalls()) {
            out.append('\n').append(rule.names()).append(' ').append(rule.action()).append(' ').append(rule.errnoRet());
            for (Seccomp.Arg arg : rule.args()) {
                out.append(' ').append(arg.index()).append(':').append(arg.value()).append(':').append(arg.valueTwo())
                        .append(':').append(arg.op());
            }
        }
    }

    /** 64-bit FNV-1a of the key, hex: the file's name (the key itself is compared on reading). */
    static String digest(byte[] key) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : key) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return HexFormat.of().formatHex(ByteBuffer.allocate(8).putLong(hash).array());
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
