package hako.spec;

import java.util.List;

/**
 * One OCI hook: a program with its argv ({@code args[0]} is its name, as execv(3) takes it), its
 * environment (null: the runtime's own) and a timeout in seconds (null: none).
 */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
}
