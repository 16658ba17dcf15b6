package hako.spec;

import java.util.List;
import java.util.Map;

/**
 * Refuses a spec with a NUL character in any string or key. JSON allows {@code \u0000}, but
 * every string of a spec ends up a C string — a path, an argument, a variable, a name, a hook's
 * argv — that the kernel would read cut short (runc fails at the system call with EINVAL). Said
 * here once, with the JSON path, for all of config.json and process.json, hooks and annotations
 * included.
 */
final class NulBytes {
    private NulBytes() {}

    static void check(Object tree, SpecDecoder decoder) {
        check(tree, JsonPath.ROOT, decoder);
    }

    private static void check(Object value, JsonPath at, SpecDecoder decoder) {
        if (value instanceof String s) {
            if (s.indexOf('\0') >= 0) {
                throw decoder.fail(at, "holds a NUL character (\\u0000), which no path, argument, variable or name may hold");
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = (String) entry.getKey();
                JsonPath field = at.field(key.replace('\0', '?'));
                if (key.indexOf('\0') >= 0) check(key, field, decoder);
                check(entry.getValue(), field, decoder);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) check(list.get(i), at.index(i), decoder);
        }
    }
}
