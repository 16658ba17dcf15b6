package hako.launch;

import java.util.List;

/**
 * The flags of a one-line run, as docker and podman name them; null or empty when not given.
 *
 * @param entrypoint --entrypoint: null keeps the image's; "" clears it (docker's way to drop it)
 * @param command    the words after the image: replace the image's Cmd
 * @param network    --network, or null for the default bridge network
 */
public record LaunchOptions(String image, List<String> command, String name, boolean remove, boolean detach,
                            boolean interactive, boolean tty, List<String> env, List<String> envFiles,
                            List<String> volumes, List<String> tmpfs, String workdir, String user, String hostname,
                            String entrypoint, boolean readOnly, String memory, String cpus, String pidsLimit,
                            List<String> capAdd, List<String> capDrop, List<String> securityOpts, boolean init,
                            List<String> publish, String network, List<String> allowFrom, String egress) {}
