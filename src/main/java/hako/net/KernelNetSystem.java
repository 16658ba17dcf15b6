package hako.net;

import hako.sys.Caller;
import hako.sys.PortProbe;
import hako.sys.ProcessRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** {@link NetSystem} on the machine: {@link RouteSocket} over hako.sys.Netlink, the nft tool, java.nio, hako.sys for the rest. */
final class KernelNetSystem implements NetSystem {
    static final KernelNetSystem INSTANCE = new KernelNetSystem();

    private KernelNetSystem() {}

    @Override
    public Rtnetlink rtnetlink() {
        return RouteSocket.here();
    }

    @Override
    public Rtnetlink rtnetlinkOf(int pid) {
        return RouteSocket.in(Path.of("/proc/" + pid + "/ns/net"));
    }

    @Override
    public void nft(String script, String what) {
        Nft.apply(script, what);
    }

    @Override
    public boolean portInUse(int port, String protocol) {
        return PortProbe.inUse(port, protocol.equals("udp"));
    }

    @Override
    public String readString(Path file) throws IOException {
        return Files.readString(file);
    }

    @Override
    public void writeString(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }

    @Override
    public void overwrite(Path file, String text) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(bytes), 0);
            channel.truncate(bytes.length);
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public AutoCloseable lock(Path file) {
        return hako.sys.Flock.exclusive(file);
    }

    @Override
    public ProcessRef self() {
        // the calling hako: on the warm path the command, whose end (a crash) frees what it held
        return ProcessRef.of(hako.Invocation.current().callerPid());
    }

    @Override
    public ProcessRef process(int pid) {
        return ProcessRef.of(pid);
    }

    @Override
    public boolean alive(ProcessRef process) {
        return process.alive();
    }

    @Override
    public boolean rootless() {
        return Caller.current().rootless();
    }
}
