package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libseccomp (Debian's libseccomp2, libseccomp.so.2) through FFM: what compiling a seccomp
 * profile into a BPF program needs, as runc compiles it. The program is exported, never loaded
 * here: the stage loads it in the container's process.
 *
 * <p>The library is looked up only when a profile is compiled, so that hako runs without it for
 * containers that have no {@code linux.seccomp}.
 */
public final class Libseccomp {
    /** seccomp_attr_set attributes (enum scmp_filter_attr). */
    public static final int ATTR_CTL_NNP = 3, ATTR_CTL_LOG = 6, ATTR_CTL_SSB = 7, ATTR_CTL_OPTIMIZE = 8,
            ATTR_CTL_WAITKILL = 10;

    private Libseccomp() {}

    /** The downcall handles, made on first use: a container without a profile never loads the library. */
    private static final class H {
        static final SharedLibrary LIB = new SharedLibrary("libseccomp.so.2", "(install libseccomp2) to compile linux.seccomp");
        static final MethodHandle INIT = handle("seccomp_init", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        static final MethodHandle RELEASE = handle("seccomp_release", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle ARCH_ADD = handle("seccomp_arch_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle ARCH_RESOLVE = handle("seccomp_arch_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ARCH_NATIVE = handle("seccomp_arch_native", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle ATTR_SET = handle("seccomp_attr_set", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle RESOLVE = handle("seccomp_syscall_resolve_name", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle RESOLVE_ARCH = handle("seccomp_syscall_resolve_name_arch",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle RULE_ADD = handle("seccomp_rule_add_array",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        static final MethodHandle EXPORT_BPF = handle("seccomp_export_bpf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle VERSION = handle("seccomp_version", FunctionDescriptor.of(ADDRESS));
        static final MethodHandle API_GET = handle("seccomp_api_get", FunctionDescriptor.of(JAVA_INT));

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LIB.function(name, descriptor);
        }
    }

    /** Whether libseccomp.so.2 can be loaded on this host. */
    public static boolean available() {
        try {
            return H.LIB != null;
        } catch (SysException | ExceptionInInitializerError | NoClassDefFoundError e) {
            return false;
        }
    }

    /** "2.5.4". */
    public static String version() {
        try {
            MemorySegment v = ((MemorySegment) H.VERSION.invokeExact()).reinterpret(12);
            return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** libseccomp's API level for this kernel: 3 has the LOG flag, 4 SPEC_ALLOW, 6 notifications. */
    public static int apiLevel() {
        try {
            return (int) H.API_GET.invokeExact();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The SCMP_ARCH_* token of libseccomp's name for an architecture ("x86_64"), 0 if unknown. */
    public static int archToken(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) H.ARCH_RESOLVE.invokeExact(arena.allocateFrom(name));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int nativeArch() {
        try {
            return (int) H.ARCH_NATIVE.invokeExact();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The number of a system call on the native architecture (negative for libseccomp's pseudo-calls), or null if unknown. */
    public static Integer syscall(String name) {
        try (Arena arena = Arena.ofConfined()) {
            int number = (int) H.RESOLVE.invokeExact(arena.allocateFrom(name));
            return number == -1 /* __NR_SCMP_ERROR */ ? null : number;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The same on an architecture given by its token. */
    public static Integer syscall(int arch, String name) {
        try (Arena arena = Arena.ofConfined()) {
            int number = (int) H.RESOLVE_ARCH.invokeExact(arch, arena.allocateFrom(name));
            return number == -1 ? null : number;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** One libseccomp filter context, released on close. Errors are libseccomp's negative errnos. */
    public static final class Filter implements AutoCloseable {
        private final MemorySegment context;

        public Filter(int defaultAction) {
            try {
                context = (MemorySegment) H.INIT.invokeExact(defaultAction);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (context.address() == 0) throw new SysException("creating the seccomp filter", Errno.EINVAL);
        }

        /** 0, or -EEXIST when the architecture is there already (the native one always is). */
        public int addArch(int token) {
            try {
                return (int) H.ARCH_ADD.invokeExact(context, token);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }

        public int setAttribute(int attribute, int value) {
            try {
                return (int) H.ATTR_SET.invokeExact(context, attribute, value);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }

        /**
         * seccomp_rule_add_array: each condition is {arg, op, datum_a, datum_b} (struct
         * scmp_arg_cmp: two 32-bit fields and two 64-bit ones).
         */
        public int addRule(int action, int syscall, long[][] conditions) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment array = conditions.length == 0 ? MemorySegment.NULL : arena.allocate(24L * conditions.length, 8);
                for (int i = 0; i < conditions.length; i++) {
                    array.set(JAVA_INT, 24L * i, (int) conditions[i][0]);
                    array.set(JAVA_INT, 24L * i + 4, (int) conditions[i][1]);
                    array.set(JAVA_LONG, 24L * i + 8, conditions[i][2]);
                    array.set(JAVA_LONG, 24L * i + 16, conditions[i][3]);
                }
                return (int) H.RULE_ADD.invokeExact(context, action, syscall, conditions.length, array);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }

        /**
         * The BPF program, in host byte order: libseccomp 2.5 only writes it to a descriptor
         * (seccomp_export_bpf_mem is 2.6's), so into a memfd and back.
         */
        public byte[] exportBpf() {
            int memfd = Libc.memfdCreate("hako-seccomp", Libc.MFD_CLOEXEC);
            try {
                int rc = (int) H.EXPORT_BPF.invokeExact(context, memfd);
                if (rc < 0) throw new SysException("exporting the seccomp filter", -rc);
                long length = Libc.seek(memfd, 0, Libc.SEEK_END, "measuring the seccomp filter");
                Libc.seek(memfd, 0, Libc.SEEK_SET, "reading the seccomp filter");
                return Libc.read(memfd, (int) length, "reading the seccomp filter");
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            } finally {
                Libc.close(memfd);
            }
        }

        @Override
        public void close() {
            try {
                H.RELEASE.invokeExact(context);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /**
     * Hands a seccomp listener to the agent at {@code path}, as runc does: one message on a
     * stream socket, the container's process state (JSON) with the descriptor attached (SCM_RIGHTS).
     */
    public static void sendListener(String path, byte[] state, int listener) {
        String what = "sending the seccomp listener to the agent at " + path;
        int socket = Libc.connectUnix(path, "connecting to the seccomp agent at " + path);
        try {
            Libc.sendWithFds(socket, state, new int[] {listener}, what);
        } finally {
            Libc.close(socket);
        }
    }
}
