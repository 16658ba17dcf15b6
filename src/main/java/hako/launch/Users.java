package hako.launch;

import hako.sys.Libc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code -u USER[:GROUP]} and an image's User, resolved as docker does against the image's own
 * /etc/passwd and /etc/group (read inside the root: a symlink there cannot reach the host's):
 * names are looked up, numbers taken as they are, the user's primary group used when no group is
 * given, and the groups that list the user added.
 */
final class Users {
    private static final int MAX = 1 << 20;

    record Resolved(long uid, long gid, List<Long> additionalGids) {}

    private Users() {}

    static Resolved resolve(String spec, String rootfs) {
        return resolve(spec, path -> read(rootfs, path));
    }

    /**
     * The same against an image's layers (lowest first) not yet mounted: each file from the
     * highest layer that has it, unless a whiteout there hides it. A symlink is followed within
     * its own layer; an opaque /etc is not looked at (images keep these files plain).
     */
    static Resolved resolveInLayers(String spec, List<Path> layers) {
        return resolve(spec, path -> {
            for (int i = layers.size() - 1; i >= 0; i--) {
                Path file = layers.get(i).resolve(path.substring(1));
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) continue;
                if (!Files.isSymbolicLink(file) && !Files.isRegularFile(file)) return null; // a whiteout
                return read(layers.get(i).toString(), path);
            }
            return null;
        });
    }

    private static Resolved resolve(String spec, UnaryOperator<String> files) {
        if (spec == null || spec.isEmpty()) spec = "0";
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? null : spec.substring(colon + 1);
        String passwd = files.apply("/etc/passwd");
        String groups = files.apply("/etc/group");
        long uid;
        long gid = 0;
        String userName = null;
        String[] entry = find(passwd, user, 2);
        if (entry != null && isNumber(entry[3])) {
            uid = Long.parseLong(entry[2]);
            gid = Long.parseLong(entry[3]);
            userName = entry[0];
        } else if (isNumber(user)) {
            uid = Long.parseLong(user);
        } else {
            throw new LaunchException("user \"" + user + "\": no such user in the image's /etc/passwd");
        }
        if (group != null && !group.isEmpty()) {
            String[] groupEntry = find(groups, group, 2);
            if (groupEntry != null) gid = Long.parseLong(groupEntry[2]);
            else if (isNumber(group)) gid = Long.parseLong(group);
            else throw new LaunchException("group \"" + group + "\": no such group in the image's /etc/group");
        }
        List<Long> additional = new ArrayList<>();
        if (userName != null && groups != null) {
            for (String line : groups.split("\n")) {
                String[] fields = line.split(":", -1);
                if (fields.length < 4 || !isNumber(fields[2])) continue;
                for (String member : fields[3].split(",")) {
                    long id = Long.parseLong(fields[2]);
                    if (member.equals(userName) && id != gid && !additional.contains(id)) additional.add(id);
                }
            }
        }
        return new Resolved(uid, gid, List.copyOf(additional));
    }

    /** The entry whose name (field 0) or id (field {@code idField}) is {@code key}. */
    private static String[] find(String file, String key, int idField) {
        if (file == null) return null;
        for (String line : file.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length <= idField + 1 || !isNumber(fields[idField])) continue;
            if (fields[0].equals(key)) return fields;
        }
        if (!isNumber(key)) return null;
        for (String line : file.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length > idField + 1 && fields[idField].equals(key)) return fields;
        }
        return null;
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() < 11 && text.chars().allMatch(Character::isDigit);
    }

    private static String read(String rootfs, String path) {
        byte[] bytes = Libc.readInRoot(rootfs, path, MAX, "reading " + path + " of the image");
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
