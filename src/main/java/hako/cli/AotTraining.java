package hako.cli;

import hako.Invocation;
import hako.stage.Op;
import hako.spec.DefaultSpec;
import hako.stage.StageChannel;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The AOT cache's training run (bin/hako-aot, at package time). It walks the start paths of the
 * commands — flags, reading and planning a spec, state files, the stage and its FFM calls — so
 * that what they load and link is in the cache. It creates nothing outside a temporary directory
 * and needs no privilege: the stage clones into no new namespace and execs /bin/true. Not a
 * command for people.
 */
final class AotTraining {
    private AotTraining() {}

    /** {@code images}: the image commands' training (their own cache, bin/hako-aot); otherwise the runtime's. */
    static int run(List<String> argv) {
        Path work;
        try {
            work = Files.createTempDirectory("hako-aot");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path bundle = Files.createDirectories(work.resolve("bundle/rootfs")).getParent();
            String root = work.resolve("state").toString();
            if (argv.contains("images")) {
                images(root, work);
                return 0;
            }
            Hako.main(new String[] {"--version"});
            Hako.main(new String[] {"--root", root, "spec", "--bundle", bundle.toString()});
            Hako.main(new String[] {"--root", root, "plan", "--bundle", bundle.toString()});
            // --systemd-cgroup: the unit's plan, and sd-bus's handles (made without a bus)
            Hako.main(new String[] {"--root", root, "--systemd-cgroup", "plan", "--bundle", bundle.toString()});
            hako.sys.SdBus.exerciseForAotTraining(work.resolve("no-bus"));
            // The error path: a bad id, and a missing bundle, reported in both log formats.
            Hako.main(new String[] {"--root", root, "--log", work.resolve("log").toString(), "--log-format", "json",
                "run", "--bundle", bundle.toString(), "../bad"});
            Hako.main(new String[] {"--root", root, "run", "--bundle", work.resolve("missing").toString(), "x"});
            stateFiles(new StateDir(Path.of(root)), bundle);
            hako.cgroup.CgroupTraining.exerciseForAotTraining();
            hako.container.Builder.exerciseForAotTraining(new StateDir(Path.of(root)), bundle);
            stage();
            hako.net.NetworkTraining.run(work);
            Invocation.current().out().println(DefaultSpec.json().length());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(work);
        }
        return 0;
    }

    /** A pull from a registry on loopback (trying TLS first, as a pull does), then the store's listing and inspection. */
    private static void images(String root, Path work) throws IOException {
        String images = work.resolve("images").toString();
        String conf = Files.writeString(work.resolve("registries.conf"), "").toString(); // not the machine's mirrors
        hako.image.PullTraining.run(reference -> {
            Hako.main(new String[] {"--root", root, "--image-root", images, "--registries-conf", conf, "pull", "--tls-verify=false", reference});
            Hako.main(new String[] {"--root", root, "--image-root", images, "image", "inspect", reference});
        });
        Hako.main(new String[] {"--root", root, "--image-root", images, "images"});
    }

    private static void stateFiles(StateDir states, Path bundle) {
        try (StateDir.Lock lock = states.create("training")) {
            states.save(new ContainerState("training", 1, 0, bundle, bundle.resolve("rootfs"), "now", hako.state.Status.CREATED,
                    Map.of(), null, null, Map.of(), List.of(), false, Map.of(), null, null));
            states.load("training");
        }
        states.remove("training");
    }

    /** A whole conversation with the stage, in this process's own namespaces, launched as the runtime launches it. */
    private static void stage() {
        try (StageChannel stage = hako.hooks.HookCalls.kernel().launchStage(0)) {
            int pid = stage.cloneInit(List.of(new Op.Clone(0, Op.Clone.NO_CGROUP)));
            stage.run(List.of(new Op.Umask(022)));
            stage.exec(List.of(new Op.Exec(List.of("/bin/true"), List.of("true"), List.of())));
            Libc.exitCode(Libc.waitpid(pid, "training"));
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
