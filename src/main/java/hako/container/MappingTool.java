package hako.container;

import hako.security.IdMaps;
import hako.spec.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * newuidmap / newgidmap (shadow's setuid helpers): they write a map of more than the caller's own
 * id into /proc/PID/uid_map or gid_map once /etc/subuid or /etc/subgid grants the caller those
 * ranges. runc runs them the same way: {@code TOOL PID inside outside count...}, with an empty
 * environment.
 */
final class MappingTool {
    /** Long enough for a helper reading /etc/sub[ug]id over a slow NSS; a hung one fails the create. */
    private static final long TIMEOUT_SECONDS = 30;

    private MappingTool() {}

    static void run(String tool, int pid, String file, List<Spec.IdMapping> mappings) {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.add(Integer.toString(pid));
        command.addAll(IdMaps.toolArguments(mappings));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        String doing = "writing " + file + " with " + tool;
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new ContainerException(doing + ": no answer after " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                // The helper's own words ("newuidmap: uid range [0-65536) -> [100000-165536) not allowed"), on one line.
                String said = new String(output, StandardCharsets.UTF_8).strip().replaceAll("\\s*\\n\\s*", "; ");
                throw new ContainerException(doing + ": " + (said.isEmpty() ? "" : said + " ")
                        + "(exit status " + process.exitValue() + "; are the ranges the caller's in /etc/sub"
                        + (file.startsWith("uid") ? "uid" : "gid") + "?)");
            }
        } catch (IOException e) {
            throw new ContainerException(doing + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(doing + ": interrupted");
        }
    }
}
