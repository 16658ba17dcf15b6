package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** A C library other than libc, opened when first used (libseccomp, libzstd), and its functions. */
final class SharedLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    private final String soname;
    private final SymbolLookup lookup;

    /** @param why what it is needed for and how to get it: "(install libzstd1) to read zstd-compressed data" */
    SharedLibrary(String soname, String why) {
        this.soname = soname;
        try {
            this.lookup = SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new SysException("loading " + soname + " " + why, Errno.ENOENT);
        }
    }

    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    MemorySegment symbol(String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(soname + " has no " + name));
    }
}
