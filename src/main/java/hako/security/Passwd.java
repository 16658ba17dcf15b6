package hako.security;

import hako.sys.Libc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The container's /etc/passwd, for what runc takes from it: a process whose environment has no
 * HOME gets its user's home directory there, or "/" for a user it does not list.
 */
public final class Passwd {
    private static final int MAX = 1 << 20;

    private Passwd() {}

    /** {@code env} with HOME added from {@code root}'s /etc/passwd when it has none. */
    public static List<String> withHome(List<String> env, String root, long uid) {
        for (String variable : env) {
            if (variable.startsWith("HOME=") && variable.length() > 5) return env;
        }
        List<String> added = new ArrayList<>(env.size() + 1);
        for (String variable : env) if (!variable.startsWith("HOME=")) added.add(variable);
        added.add("HOME=" + home(root, uid));
        return List.copyOf(added);
    }

    static String home(String root, long uid) {
        byte[] passwd;
        try {
            passwd = Libc.readInRoot(root, "/etc/passwd", MAX, "reading /etc/passwd in " + root);
        } catch (RuntimeException e) {
            return "/"; // no such root yet (a plan printed for a bundle elsewhere), or no passwd to read
        }
        return passwd == null ? "/" : homeIn(new String(passwd, StandardCharsets.UTF_8), uid);
    }

    /** name:password:uid:gid:gecos:home:shell */
    static String homeIn(String passwd, long uid) {
        String id = Long.toString(uid);
        for (String line : passwd.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 7 && fields[2].equals(id) && !fields[5].isEmpty()) return fields[5];
        }
        return "/";
    }
}
