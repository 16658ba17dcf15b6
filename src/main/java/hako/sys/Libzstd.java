package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libzstd (Debian's libzstd1, libzstd.so.1) through FFM: streaming decompression for layers and
 * tarballs compressed with zstd, and one-shot compression for tests that need a real frame. The
 * JDK has no zstd, and a Java port would be a runtime dependency; libzstd is on every Debian
 * machine already (apt, systemd and the kernel's tools link it).
 *
 * <p>Looked up on first use only: hako runs without libzstd until it meets a zstd stream.
 */
public final class Libzstd {
    private Libzstd() {}

    private static final class H {
        static final SharedLibrary LIB = new SharedLibrary("libzstd.so.1", "(install libzstd1) to read zstd-compressed data");
        static final MethodHandle CREATE = handle("ZSTD_createDStream", FunctionDescriptor.of(ADDRESS));
        static final MethodHandle FREE = handle("ZSTD_freeDStream", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        static final MethodHandle INIT = handle("ZSTD_initDStream", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        static final MethodHandle DECOMPRESS = handle("ZSTD_decompressStream",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle IN_SIZE = handle("ZSTD_DStreamInSize", FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle OUT_SIZE = handle("ZSTD_DStreamOutSize", FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle IS_ERROR = handle("ZSTD_isError", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle ERROR_NAME = handle("ZSTD_getErrorName", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        static final MethodHandle COMPRESS = handle("ZSTD_compress",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle BOUND = handle("ZSTD_compressBound", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        static final MethodHandle VERSION = handle("ZSTD_versionString", FunctionDescriptor.of(ADDRESS));

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LIB.function(name, descriptor);
        }
    }

    /** "1.5.4". */
    public static String version() {
        try {
            return ((MemorySegment) H.VERSION.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** libzstd's result codes are sizes, errors a range at the top of size_t, told apart by ZSTD_isError. */
    private static long check(long code, String what) throws Throwable {
        if ((int) H.IS_ERROR.invokeExact(code) != 0) {
            String name = ((MemorySegment) H.ERROR_NAME.invokeExact(code)).reinterpret(256).getString(0);
            throw new ZstdException(what + ": " + name);
        }
        return code;
    }

    /** A zstd stream that is not valid, as libzstd names it ("Unknown frame descriptor", "Data corruption detected"). */
    public static final class ZstdException extends hako.HakoException {
        ZstdException(String message) {
            super(message);
        }
    }

    /** A whole frame at {@code level}: for tests, which need real zstd data without the zstd command. */
    public static byte[] compress(byte[] data, int level) {
        try (Arena arena = Arena.ofConfined()) {
            long bound = (long) H.BOUND.invokeExact((long) data.length);
            MemorySegment source = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, source, JAVA_BYTE, 0, data.length);
            MemorySegment target = arena.allocate(bound);
            long written = check((long) H.COMPRESS.invokeExact(target, bound, source, (long) data.length, level), "compressing");
            return target.asSlice(0, written).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * One ZSTD_DStream with its native buffers: {@link #input} hands it compressed bytes,
     * {@link #output} takes out what they decompress to. Frames one after another are one stream,
     * as the zstd command writes and reads them. Not for use by two threads at once.
     */
    public static final class Decoder implements AutoCloseable {
        // struct ZSTD_inBuffer { const void *src; size_t size; size_t pos; }, ZSTD_outBuffer likewise
        private static final long POINTER = 0, SIZE = 8, POS = 16;

        private final Arena arena = Arena.ofShared();
        private final MemorySegment stream;
        private final MemorySegment inBuffer, outBuffer, inData, outData;
        private boolean frameEnded;
        private boolean outputFull;

        public Decoder() {
            try {
                stream = (MemorySegment) H.CREATE.invokeExact();
                if (stream.address() == 0) throw new ZstdException("creating a zstd decoder: out of memory");
                check((long) H.INIT.invokeExact(stream), "starting a zstd decoder");
                inData = arena.allocate((long) H.IN_SIZE.invokeExact());
                outData = arena.allocate((long) H.OUT_SIZE.invokeExact());
            } catch (Throwable t) {
                arena.close();
                throw Libc.rethrow(t);
            }
            inBuffer = arena.allocate(24, 8);
            outBuffer = arena.allocate(24, 8);
            inBuffer.set(ADDRESS, POINTER, inData);
            outBuffer.set(ADDRESS, POINTER, outData);
        }

        /** How many compressed bytes {@link #input} takes at once. */
        public int inputCapacity() {
            return (int) inData.byteSize();
        }

        /** Whether the decoder has used all it was given and said all it has: it needs more input. */
        public boolean needsInput() {
            return inBuffer.get(JAVA_LONG, POS) >= inBuffer.get(JAVA_LONG, SIZE) && !outputFull;
        }

        /** Whether the stream so far ends at the end of a frame: an end of input here is a whole stream. */
        public boolean atFrameEnd() {
            return frameEnded;
        }

        /** Hands over {@code length} compressed bytes; call only when {@link #needsInput}. */
        public void input(byte[] bytes, int offset, int length) {
            int n = Math.min(length, inputCapacity());
            MemorySegment.copy(bytes, offset, inData, JAVA_BYTE, 0, n);
            inBuffer.set(JAVA_LONG, SIZE, n);
            inBuffer.set(JAVA_LONG, POS, 0L);
            if (n < length) throw new IllegalArgumentException("more than inputCapacity");
        }

        /** Decompresses into {@code buffer}; returns how many bytes it wrote there (0: it needs input). */
        public int output(byte[] buffer, int offset, int length) {
            int room = (int) Math.min(length, outData.byteSize());
            outBuffer.set(JAVA_LONG, SIZE, room);
            outBuffer.set(JAVA_LONG, POS, 0L);
            long used = inBuffer.get(JAVA_LONG, POS);
            long result;
            try {
                result = check((long) H.DECOMPRESS.invokeExact(stream, outBuffer, inBuffer), "decompressing zstd");
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            // 0 is "a frame decoded and flushed"; a call after that with nothing new returns the next
            // frame's header size, which does not mean a frame was cut: only new input starts one
            if (result == 0) frameEnded = true;
            else if (inBuffer.get(JAVA_LONG, POS) > used) frameEnded = false;
            int produced = (int) outBuffer.get(JAVA_LONG, POS);
            // a full output buffer may leave more inside the decoder even when all input is used
            outputFull = produced == room;
            MemorySegment.copy(outData, JAVA_BYTE, 0, buffer, offset, produced);
            return produced;
        }

        @Override
        public void close() {
            try {
                long ignored = (long) H.FREE.invokeExact(stream);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            } finally {
                arena.close();
            }
        }
    }
}
