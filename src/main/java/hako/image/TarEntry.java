package hako.image;

import java.util.Map;

/**
 * One member of a tar stream, with pax extended headers and GNU long names already applied.
 * {@code xattrs} holds pax's {@code SCHILY.xattr.*} records: name to raw value.
 */
public record TarEntry(String name, Type type, int mode, int uid, int gid, long size, long mtime,
                       String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) {
    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }
}
