package hako.cli;

import hako.json.Json;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Go's templates that inspect's {@code --format} is used for in scripts: text with
 * {@code {{.Path.To.Field}}} and {@code {{json .Field}}} in it. Field names match without regard
 * to case, so docker's {@code {{.State.ExitCode}}} finds hako's {@code state.exitCode}.
 */
final class Template {
    private static final Pattern ACTION = Pattern.compile("\\{\\{\\s*(json\\s+)?\\.([A-Za-z0-9_.]*)\\s*}}");

    private Template() {}

    static String render(String template, Map<String, Object> value) {
        Matcher matcher = ACTION.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            Object field = lookup(value, matcher.group(2));
            String text = matcher.group(1) != null ? Json.write(field) : plain(field);
            matcher.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        matcher.appendTail(out);
        String rest = out.toString();
        if (rest.contains("{{")) throw new UsageException(null, "--format: only {{.Field}} and {{json .Field}} are understood");
        return rest;
    }

    private static Object lookup(Object value, String path) {
        if (path.isEmpty()) return value;
        for (String name : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) throw new UsageException(null, "--format: no field " + name + " in ." + path);
            Object next = null;
            boolean found = false;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (String.valueOf(entry.getKey()).equalsIgnoreCase(name)) {
                    next = entry.getValue();
                    found = true;
                    break;
                }
            }
            if (!found) throw new UsageException(null, "--format: no field " + name + " in ." + path);
            value = next;
        }
        return value;
    }

    /** Go's default printing: strings bare, lists as [a b], nothing as <no value>. */
    private static String plain(Object value) {
        if (value == null) return "<no value>";
        if (value instanceof List<?> list) return "[" + String.join(" ", list.stream().map(Template::plain).toList()) + "]";
        if (value instanceof Map<?, ?>) return Json.write(value);
        return String.valueOf(value);
    }
}
