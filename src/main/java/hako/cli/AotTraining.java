package hako.cli;

import hako.plan.Plan;
import hako.plan.Planner;
import hako.spec.DefaultSpec;
import hako.spec.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.Protocol;
import hako.sys.Errno;
import hako.sys.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOT cache's training run (bin/hako-aot, at package time): walks the start path of the
 * commands — reading a spec, planning, encoding, the FFM calls — without creating anything, so
 * that the classes and method handles they need are in the cache. Not a command for people.
 */
final class AotTraining {
    private AotTraining() {}

    static int run() {
        Path bundle;
        try {
            bundle = Files.createTempDirectory("hako-aot");
            try {
                Files.createDirectory(bundle.resolve("rootfs"));
                Files.writeString(bundle.resolve("config.json"), DefaultSpec.json());
                Spec spec = SpecReader.read(bundle);
                Plan plan = Planner.plan(spec, bundle);
                System.out.println(plan.render());
                Protocol.encode(plan.namespaces());
                Protocol.encode(plan.rootfs());
                Protocol.encode(plan.process());
                System.out.println(Json.write(spec.raw()));
            } finally {
                Files.deleteIfExists(bundle.resolve("config.json"));
                Files.deleteIfExists(bundle.resolve("rootfs"));
                Files.deleteIfExists(bundle);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Make the downcall handles every container start uses, with calls that change nothing.
        System.out.println(Errno.describe(Errno.EPERM) + " " + Libc.geteuid());
        int memfd = Libc.memfdCreate("hako-aot", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        Libc.writeFully(memfd, new byte[] {0}, "training");
        Libc.fcntl(memfd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL, "training");
        Libc.close(memfd);
        int[] pair = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, "training");
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var buffer = arena.allocate(Protocol.REPLY_SIZE);
            Libc.send(pair[0], buffer, "training");
            Libc.recv(pair[1], buffer, "training");
        }
        int pid = Libc.spawn("/bin/true", new String[] {"true"}, "training");
        Libc.waitpid(pid, "training");
        Libc.close(pair[0]);
        Libc.close(pair[1]);
        Libc.kill((int) ProcessHandle.current().pid(), 0);
        return 0;
    }
}
