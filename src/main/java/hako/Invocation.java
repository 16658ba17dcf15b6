package hako;

import hako.sys.Children;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One call of hako: whose environment, working directory and standard streams it has, and who
 * starts its processes. A one-shot hako is one invocation, this process's own; a warm runtime
 * serves many at once, each on its own thread, each with the caller's (hako.warm). Code that
 * would read the process's own — System.getenv, System.out, a relative path — asks
 * {@link #current()} instead.
 */
public final class Invocation {
    private static final InheritableThreadLocal<Invocation> CURRENT = new InheritableThreadLocal<>();
    private static volatile Invocation process;

    private final Map<String, String> env;
    private final Path cwd;
    private final PrintStream out;
    private final PrintStream err;
    private final int[] stdio;
    private final BitSet callerFds;
    private final Children children;
    private final int callerPid;
    private volatile boolean stdinDropped;
    private final Map<Local<?>, Object> locals = new ConcurrentHashMap<>();

    /**
     * @param stdio the descriptors of the caller's stdin, stdout and stderr here (-1: not given)
     * @param callerFds which descriptors the caller has open (null: find them in this process,
     *     hako.stage.Descriptors)
     * @param callerPid the calling process (0: this one), whose cgroup is the caller's
     */
    public Invocation(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, int[] stdio,
                      BitSet callerFds, Children children, int callerPid) {
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        this.out = out;
        this.err = err;
        this.stdio = stdio.clone();
        this.callerFds = callerFds;
        this.children = children;
        this.callerPid = callerPid;
    }

    /** The invocation of the calling thread; outside a warm runtime's call, this process's. */
    public static Invocation current() {
        Invocation invocation = CURRENT.get();
        return invocation != null ? invocation : process();
    }

    private static Invocation process() {
        Invocation p = process;
        if (p == null) {
            p = new Invocation(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err,
                    new int[] {0, 1, 2}, null, Children.LOCAL, 0);
            process = p;
        }
        return p;
    }

    /** Runs {@code body} as this invocation, on this thread and the threads it starts. */
    public int run(java.util.function.IntSupplier body) {
        Invocation previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.getAsInt();
        } finally {
            CURRENT.set(previous);
        }
    }

    public boolean warm() {
        return children != Children.LOCAL;
    }

    public Map<String, String> env() {
        return env;
    }

    public String env(String name) {
        return env.get(name);
    }

    public Path cwd() {
        return cwd;
    }

    /** A path the caller named: relative ones are relative to the caller's working directory. */
    public Path path(String name) {
        return cwd.resolve(name);
    }

    /** As {@link #path}, for a flag that may be absent: null stays null. */
    public Path pathOrNull(String name) {
        return name == null ? null : path(name);
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public int stdin() {
        return stdio[0];
    }

    /** The caller's stdin as a stream (empty when it gave none). */
    public java.io.InputStream stdinStream() {
        int fd = stdio[0];
        return new java.io.InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (fd < 0 || len == 0) return fd < 0 ? -1 : 0;
                byte[] chunk = hako.sys.Libc.read(fd, len, "reading standard input");
                if (chunk == null || chunk.length == 0) return -1;
                System.arraycopy(chunk, 0, b, off, chunk.length);
                return chunk.length;
            }
        };
    }

    /**
     * The container's process gets /dev/null for stdin, not the caller's (docker run without
     * -i): the stage is started so (hako.stage.Descriptors).
     */
    public void dropStdin() {
        stdinDropped = true;
    }

    public boolean stdinDropped() {
        return stdinDropped;
    }

    public int stdout() {
        return stdio[1];
    }

    public BitSet callerFds() {
        return callerFds;
    }

    public Children children() {
        return children;
    }

    /**
     * The caller's entry in /proc: {@code /proc/self}, or the calling command's. Its cgroup is
     * where a relative cgroupsPath starts, as runc's own cgroup is for runc.
     */
    public Path callerProc() {
        return Path.of("/proc", callerPid == 0 ? "self" : Integer.toString(callerPid));
    }

    /** The calling process: this one, or the hako command that handed its call to a warm runtime. */
    public long callerPid() {
        return callerPid == 0 ? ProcessHandle.current().pid() : callerPid;
    }

    /** A value kept per invocation (what a one-shot hako keeps in a static field). */
    public static final class Local<T> {
        private final java.util.function.Supplier<T> initial;

        public Local(java.util.function.Supplier<T> initial) {
            this.initial = initial;
        }

        @SuppressWarnings("unchecked")
        public T get() {
            Invocation invocation = current();
            Object value = invocation.locals.get(this);
            if (value == null) {
                T made = initial.get();
                if (made == null) return null;
                value = invocation.locals.putIfAbsent(this, made);
                if (value == null) value = made;
            }
            return (T) value;
        }

        public void set(T value) {
            if (value == null) current().locals.remove(this);
            else current().locals.put(this, value);
        }
    }

    /** Where warnings go in this invocation: stderr unless the command line says otherwise (--log). */
    static final Local<Consumer<String>> WARNINGS = new Local<>(() -> null);
}
