package hako.hooks;

import hako.stage.Op;
import hako.stage.StageChannel;
import hako.stage.StageFailure;
import hako.sys.CallLog;
import hako.sys.Libc;
import hako.sys.SysException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A machine in memory for what the runtime asks of it: stages that clone processes and exec
 * programs, descriptors with content, processes that live, end and must be reaped. It records
 * every call in order ({@link #calls}) and can fail any of them with a chosen errno
 * ({@link #failOn}), for asserting what a command does without root.
 *
 * <p>The rules it keeps, as the kernel and the stage keep them: a process cloned by a stage
 * runs until its program ends, it is killed, or its stage closes before its exec (init gets
 * end-of-file and exits); an ended process is a zombie until waited for, and waiting for one
 * that still runs would block forever (an error here, since nothing else would end it); a pidfd
 * becomes readable when its process ends; a descriptor is closed once. A program run by an exec
 * does what {@link #program} says: prints, exits with a code, or never ends. One that is not
 * named runs until it is killed: the container's own process.
 *
 * <p>Calls are recorded as one line each: {@code launch-stage}, {@code clone PID: OPS},
 * {@code batch PID: OPS}, {@code exec PID PATH ARGV}, {@code stdin PID TEXT} (what the exec'd
 * program finds on its stdin), {@code send-last PID: OPS}, {@code close-stage}, {@code waitpid PID},
 * {@code pidfd PID}, {@code poll NAME MILLIS}, {@code kill PID SIGNAL}, {@code open PATH},
 * {@code close NAME}, {@code memfd NAME}, {@code write NAME TEXT}, {@code seek NAME OFFSET},
 * {@code read NAME}, {@code open-cgroup PATH}, {@code adopt PATH PID}; OPS are the ops' renders
 * joined by "; ".
 */
public class HookCallsFake implements HookCalls {
    private static final int FIRST_PID = 1001, FIRST_FD = 100;

    private final CallLog log = new CallLog();
    private final Map<Integer, Descriptor> fds = new LinkedHashMap<>();
    private final Map<Integer, FakeProcess> processes = new LinkedHashMap<>();
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private int nextPid = FIRST_PID, nextFd = FIRST_FD;
    private int stagesLaunched;

    /** What a program does when exec'd: prints {@code output}, then exits with {@code exitCode}, unless it {@code hangs}. */
    public record Program(int exitCode, String output, boolean hangs) {
    }

    // ---------------------------------------------------------------- setting up

    /** The program at {@code path} prints {@code output} and exits with {@code exitCode}. */
    public HookCallsFake program(String path, int exitCode, String output) {
        programs.put(path, new Program(exitCode, output, false));
        return this;
    }

    /** The program at {@code path} never ends by itself. */
    public HookCallsFake hangingProgram(String path) {
        programs.put(path, new Program(0, "", true));
        return this;
    }

    /** The next call whose record starts with {@code call} fails with {@code errno} (once). */
    public HookCallsFake failOn(String call, int errno) {
        log.failOn(call, errno);
        return this;
    }

    // ---------------------------------------------------------------- looking at it

    /** Every call so far, in order. */
    public List<String> calls() {
        return log.calls();
    }

    /** The calls whose first word is one of {@code verbs}, in order. */
    public List<String> calls(String... verbs) {
        return log.calls(verbs);
    }

    public void forgetCalls() {
        log.forget();
    }

    /** Descriptors opened and not closed: a leak. */
    public List<String> openDescriptors() {
        return fds.values().stream().map(Descriptor::name).toList();
    }

    /** Processes that run, or ended and were never waited for: what a command left behind. */
    public List<Integer> unreaped() {
        return processes.values().stream().filter(p -> !p.reaped).map(p -> p.pid).toList();
    }

    /** The process ends by itself, with {@code code}, as a container's process does. */
    public void exit(int pid, int code) {
        FakeProcess process = processes.get(pid);
        process.ended = true;
        process.waitStatus = (code & 0xff) << 8;
    }

    public boolean running(int pid) {
        FakeProcess process = processes.get(pid);
        return process != null && process.running();
    }

    // ---------------------------------------------------------------- processes

    @Override
    public StageChannel launchStage(int preserveFds) {
        fail("launch-stage", "starting the stage");
        return new FakeStage();
    }

    @Override
    public int waitpid(int pid, String what) {
        fail("waitpid " + pid, what);
        FakeProcess process = processes.get(pid);
        if (process == null || process.reaped) throw new SysException(what, 10 /* ECHILD */);
        if (process.running()) throw new AssertionError("waitpid of " + pid + ", which runs: it would block forever");
        process.reaped = true;
        return process.waitStatus;
    }

    @Override
    public int pidfdOpen(int pid) {
        fail("pidfd " + pid, "opening a pidfd for process " + pid);
        FakeProcess process = processes.get(pid);
        if (process == null || process.reaped) return -1;
        return descriptor(new Descriptor("pidfd " + pid, pid));
    }

    @Override
    public int poll(int fd, short events, long millis, String what) {
        Descriptor descriptor = open(fd);
        fail("poll " + descriptor.name + " " + millis, what);
        if (descriptor.pid > 0) return processes.get(descriptor.pid).running() ? 0 : Libc.POLLIN;
        return descriptor.position < descriptor.content.size() ? Libc.POLLIN : 0;
    }

    @Override
    public boolean kill(int pid, int signal) {
        fail("kill " + pid + " " + signal, "sending signal " + signal + " to process " + pid);
        return signal(pid, signal);
    }

    /** A signal that ends a process as its default action would; false when it has ended. */
    protected boolean signal(int pid, int signal) {
        FakeProcess process = processes.get(pid);
        if (process == null || process.reaped) return false;
        boolean wasRunning = process.running();
        if (wasRunning && signal != 0 && signal != 17 /* SIGCHLD */ && signal != 28 /* SIGWINCH */) process.end(signal);
        return wasRunning || !process.reaped;
    }

    // ---------------------------------------------------------------- descriptors

    @Override
    public int open(String path, int flags, String what) {
        fail("open " + path, what);
        return descriptor(openFile(path, flags));
    }

    /** What a path opens to; a subclass knows files of its own (a fifo). */
    protected Descriptor openFile(String path, int flags) {
        return new Descriptor(path, 0);
    }

    @Override
    public void close(int fd) {
        if (fd < 0) return;
        Descriptor descriptor = fds.remove(fd);
        if (descriptor == null) throw new AssertionError("close of a descriptor not open: " + fd);
        log.record("close " + descriptor.name);
    }

    @Override
    public int memfd(String name) {
        fail("memfd " + name, "creating a memfd");
        return descriptor(new Descriptor(name, 0));
    }

    @Override
    public void writeFully(int fd, byte[] data, String what) {
        Descriptor descriptor = open(fd);
        fail("write " + descriptor.name + " " + new String(data, StandardCharsets.UTF_8), what);
        descriptor.write(data);
    }

    @Override
    public long seek(int fd, long offset, int whence, String what) {
        Descriptor descriptor = open(fd);
        fail("seek " + descriptor.name + " " + offset + (whence == Libc.SEEK_END ? " from the end" : ""), what);
        descriptor.position = (int) (whence == Libc.SEEK_END ? descriptor.content.size() + offset : offset);
        return descriptor.position;
    }

    @Override
    public byte[] read(int fd, int max, String what) {
        Descriptor descriptor = open(fd);
        fail("read " + descriptor.name, what);
        byte[] all = descriptor.content.toByteArray();
        int from = Math.min(descriptor.position, all.length), to = Math.min(all.length, from + max);
        descriptor.position = to;
        return Arrays.copyOfRange(all, from, to);
    }

    @Override
    public int openCgroup(Path cgroup) {
        fail("open-cgroup " + cgroup, "opening the cgroup " + cgroup);
        return descriptor(new Descriptor("cgroup " + cgroup, 0));
    }

    @Override
    public void adoptIntoCgroup(Path cgroup, int pid) {
        fail("adopt " + cgroup + " " + pid, "moving process " + pid + " into " + cgroup);
        processes.get(pid).cgroup = cgroup;
    }

    // ---------------------------------------------------------------- for the container's fake

    /** The process's start time while it runs (its identity), else -1, as /proc/PID/stat says. */
    protected long startTimeOf(int pid) {
        FakeProcess process = processes.get(pid);
        return process != null && process.running() ? 50_000L + pid : -1;
    }

    /** The processes that run in the cgroup, or in one below it. */
    protected List<Integer> runningIn(Path cgroup) {
        return processes.values().stream().filter(p -> p.running() && p.cgroup != null && p.cgroup.startsWith(cgroup))
                .map(p -> p.pid).toList();
    }

    /** The processes waiting on the exec fifo for start: each exec's its program now, the fifo reads a byte. */
    protected boolean releaseWaiting() {
        boolean released = false;
        for (FakeProcess process : processes.values()) {
            if (process.running() && process.waitingProgram != null) {
                process.run(process.waitingProgram);
                process.waitingProgram = null;
                released = true;
            }
        }
        return released;
    }

    protected void record(String call, String what) {
        fail(call, what);
    }

    /** The process a pidfd refers to. */
    protected int pidOf(int pidfd) {
        return open(pidfd).pid;
    }

    protected int descriptor(Descriptor descriptor) {
        fds.put(nextFd, descriptor);
        return nextFd++;
    }

    /** An open file: its name in the record, its content and offset, and the process of a pidfd. */
    protected static final class Descriptor {
        final String name;
        final int pid;
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        int position;

        protected Descriptor(String name, int pid) {
            this.name = name;
            this.pid = pid;
        }

        String name() {
            return name;
        }

        void write(byte[] data) {
            content.writeBytes(data);
            position = content.size();
        }

        /** The file has this to read, from its start (a fifo its writer has written to). */
        public void holds(byte[] data) {
            content.writeBytes(data);
        }
    }

    private Descriptor open(int fd) {
        Descriptor descriptor = fds.get(fd);
        if (descriptor == null) throw new AssertionError("not an open descriptor: " + fd);
        return descriptor;
    }

    private void fail(String call, String what) {
        Integer errno = log.recordAndFail(call);
        if (errno != null) throw new SysException(what, errno);
    }

    /** The errno asked for this call, taken (once), or 0: a stage's failure is its reply, not an exception of the call. */
    private int failure(String call) {
        Integer errno = log.recordAndFail(call);
        return errno == null ? 0 : errno;
    }

    private static String render(List<Op> batch) {
        return batch.stream().map(Op::render).collect(Collectors.joining("; "));
    }

    private final class FakeProcess {
        final int pid;
        Path cgroup;
        boolean execed, ended, reaped;
        int waitStatus;
        Program waitingProgram;

        FakeProcess(int pid, Path cgroup) {
            this.pid = pid;
            this.cgroup = cgroup;
        }

        boolean running() {
            return !ended;
        }

        void end(int signal) {
            ended = true;
            waitStatus = signal;
        }

        void run(Program program) {
            execed = true;
            if (program == null || program.hangs()) return;
            ended = true;
            waitStatus = (program.exitCode() & 0xff) << 8;
        }
    }

    /** A stage that clones one process and sends it its batches. */
    private final class FakeStage implements StageChannel {
        /** The stage's own pid: 900, 901… as stages are launched, apart from the pids its clones get. */
        private final int pid = 900 + stagesLaunched++;
        private FakeProcess process;

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public int cloneInit(List<Op> batch, int... passed) {
            int pid = nextPid;
            int errno = failure("clone " + pid + ": " + render(batch));
            if (errno != 0) throw StageFailure.of(batch, batch.size() - 1, errno);
            nextPid++;
            Path cgroup = null;
            if (batch.getLast() instanceof Op.Clone clone && clone.cgroupFdIndex() >= 0) {
                String name = open(passed[clone.cgroupFdIndex()]).name;
                cgroup = Path.of(name.substring("cgroup ".length()));
            }
            process = new FakeProcess(pid, cgroup);
            processes.put(pid, process);
            return pid;
        }

        @Override
        public long run(List<Op> batch, int... passed) {
            int errno = failure("batch " + process.pid + ": " + render(batch));
            if (!process.running()) throw new IllegalStateException("a batch for process " + process.pid + ", which has ended");
            if (errno != 0) throw StageFailure.of(batch, 0, errno);
            return 0;
        }

        @Override
        public void exec(List<Op> batch, int... passed) {
            Op.Exec exec = (Op.Exec) batch.getLast();
            String path = exec.candidates().getFirst();
            int errno = failure("exec " + process.pid + " " + path + " " + exec.argv());
            if (errno != 0) throw StageFailure.of(batch, batch.size() - 1, errno);
            Program program = programs.get(path);
            if (passed.length > 0) {
                Descriptor stdin = open(passed[0]);
                byte[] all = stdin.content.toByteArray();
                log.record("stdin " + process.pid + " " + new String(all, stdin.position, all.length - stdin.position, StandardCharsets.UTF_8));
            }
            if (program != null && passed.length > 1) open(passed[1]).write(program.output().getBytes(StandardCharsets.UTF_8));
            process.run(program);
        }

        @Override
        public void sendLast(List<Op> batch, int... passed) {
            int errno = failure("send-last " + process.pid + ": " + render(batch));
            if (errno != 0) throw new SysException("sending operations to the stage", errno);
            Op.Exec exec = (Op.Exec) batch.getLast();
            Program program = programs.get(exec.candidates().getFirst());
            process.waitingProgram = program != null ? program : new Program(0, "", true);
        }

        @Override
        public int[] replyFds() {
            return new int[0];
        }

        @Override
        public void close() {
            log.record("close-stage");
            // init reads end-of-file before its last batch, and exits (status 1)
            if (process != null && process.running() && !process.execed && process.waitingProgram == null) {
                process.ended = true;
                process.waitStatus = 1 << 8;
            }
        }
    }
}
