package hako.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Where an archive member's name lands inside a root directory, walked one component at a time
 * as the kernel's RESOLVE_IN_ROOT would, but strict: a {@code ..} that would climb above the root,
 * from the name or from a symlink's target, is refused, not clamped. An absolute symlink is read
 * from the root, as the container will see it. The last component is never followed: the entry
 * replaces it. The root is a private directory nobody else writes while a layer is unpacked
 * (the layer's lock), so what the walk sees stays true until the entry is written.
 */
final class InRoot {
    /** Linux's own limit on the symlinks one lookup follows (MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;

    private final Path root;

    InRoot(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The path of {@code name} under the root; the root itself for "." or "./". */
    Path resolve(String name) throws IOException {
        if (name.startsWith("/")) throw escape(name);
        Deque<String> pending = new ArrayDeque<>(List.of(name.split("/")));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.removeFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (resolved.isEmpty()) throw escape(name);
                resolved.removeLast();
                continue;
            }
            Path here = join(resolved).resolve(part);
            if (!lastOf(pending) && Files.isSymbolicLink(here)) {
                if (++links > MAX_LINKS) throw new ImageException("entry \"" + name + "\" goes through too many symlinks");
                String target = Files.readSymbolicLink(here).toString();
                if (target.startsWith("/")) resolved.clear();
                List<String> parts = List.of(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) pending.addFirst(parts.get(i));
                continue;
            }
            resolved.add(part);
        }
        return join(resolved);
    }

    /** Whether nothing but "." and empty components is left: the component just taken is the last. */
    private static boolean lastOf(Deque<String> pending) {
        for (String part : pending) if (!part.isEmpty() && !part.equals(".")) return false;
        return true;
    }

    private Path join(List<String> parts) {
        Path path = root;
        for (String part : parts) path = path.resolve(part);
        return path;
    }

    static ImageException escape(String name) {
        return new ImageException("entry \"" + name + "\" leads outside the root filesystem");
    }

    static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }
}
