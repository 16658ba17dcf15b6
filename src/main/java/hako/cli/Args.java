package hako.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags the way runc (Go's flag package under urfave/cli) reads them: {@code --name
 * value}, {@code --name=value}, a single dash works as well as two, short aliases like {@code -b},
 * and flags may stand before or among the arguments.
 */
final class Args {
    private final String command;
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, Boolean> takesValue = new HashMap<>();
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> repeated = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(String command) {
        this.command = command;
    }

    /** Declares a flag taking a value; the first name is its canonical name. */
    Args value(String... names) {
        return declare(true, names);
    }

    /** Declares a boolean flag. */
    Args flag(String... names) {
        return declare(false, names);
    }

    private Args declare(boolean value, String... names) {
        for (String name : names) {
            aliases.put(name, names[0]);
        }
        takesValue.put(names[0], value);
        return this;
    }

    /** Reads {@code args}; stops treating words as flags after {@code --} or at {@code stopAt} positionals. */
    Args parse(List<String> args, int stopAt) {
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (positional.size() >= stopAt || word.equals("--")) {
                positional.addAll(args.subList(word.equals("--") ? i + 1 : i, args.size()));
                break;
            }
            if (!word.startsWith("-") || word.equals("-")) {
                positional.add(word);
                continue;
            }
            String name = word.startsWith("--") ? word.substring(2) : word.substring(1);
            String inline = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                inline = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            String canonical = aliases.get(name);
            if (canonical == null && bundled(word)) {
                // -it: boolean one-letter flags written together, as docker's users do
                for (char letter : name.toCharArray()) values.put(aliases.get(String.valueOf(letter)), "true");
                continue;
            }
            if (canonical == null) throw new UsageException(command, "unknown flag " + word);
            if (takesValue.get(canonical)) {
                if (inline == null) {
                    if (i + 1 >= args.size()) throw new UsageException(command, "flag " + word + " needs a value");
                    inline = args.get(++i);
                }
                values.put(canonical, inline);
                repeated.computeIfAbsent(canonical, k -> new ArrayList<>()).add(inline);
            } else {
                values.put(canonical, inline == null ? "true" : inline);
            }
        }
        return this;
    }

    private boolean bundled(String word) {
        if (word.startsWith("--") || word.length() < 3 || word.contains("=")) return false;
        for (char letter : word.substring(1).toCharArray()) {
            String canonical = aliases.get(String.valueOf(letter));
            if (canonical == null || takesValue.get(canonical)) return false;
        }
        return true;
    }

    Args parse(List<String> args) {
        return parse(args, Integer.MAX_VALUE);
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Every value of a flag that may be given more than once ({@code -e A=1 -e B=2}), in order. */
    List<String> all(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        String value = values.get(name);
        if (value == null) return false;
        return switch (value) {
            case "true", "1", "t", "T", "TRUE", "True" -> true;
            case "false", "0", "f", "F", "FALSE", "False" -> false;
            default -> throw new UsageException(command, "flag --" + name + " takes true or false, not \"" + value + "\"");
        };
    }

    List<String> positional() {
        return positional;
    }

    /** The single positional argument a command takes, usually the container id. */
    String one(String what) {
        if (positional.isEmpty()) throw new UsageException(command, what + " is required");
        if (positional.size() > 1) throw new UsageException(command, "unexpected argument \"" + positional.get(1) + "\"");
        return positional.getFirst();
    }
}
