package hako.image;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code WWW-Authenticate} challenge (RFC 7235): its scheme ({@code Bearer}, {@code Basic}) and
 * parameters; a registry's Bearer challenge names the token endpoint ({@code realm}), the
 * {@code service} and the {@code scope} to ask for.
 */
public record Challenge(String scheme, Map<String, String> parameters) {
    public static Challenge parse(String header) {
        if (header == null || header.isBlank()) throw new ImageException("an empty WWW-Authenticate challenge");
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',')) i++;
            if (i >= text.length()) break;
            int equals = text.indexOf('=', i);
            if (equals < 0) throw new ImageException("the challenge \"" + header + "\" has a parameter without a value");
            String key = text.substring(i, equals).strip().toLowerCase();
            i = equals + 1;
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) i++;
                    value.append(text.charAt(i++));
                }
                if (i >= text.length()) throw new ImageException("the challenge \"" + header + "\" has an unclosed quote");
                i++;
            } else {
                while (i < text.length() && text.charAt(i) != ',') value.append(text.charAt(i++));
            }
            parameters.put(key, value.toString().strip());
        }
        return new Challenge(scheme, Map.copyOf(parameters));
    }

    public boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }

    public boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    public String parameter(String name) {
        return parameters.get(name);
    }
}
