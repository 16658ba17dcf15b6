package hako.cgroup;

import hako.sys.Errno;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cgroup v2 tree in memory that behaves as the kernel does where hako's code depends on it, and
 * records every call in order ({@link #calls}), for asserting what a command does without root.
 *
 * <p>The kernel's rules it keeps: a cgroup has the interface files, its cgroup.controllers is what
 * its parent passes down, and it has the files of each of those controllers (so a limit written before the controller is passed down
 * fails with ENOENT, as on the machine); {@code +controller} in cgroup.subtree_control needs the
 * controller in the cgroup's own cgroup.controllers; rmdir refuses (EBUSY) a cgroup with child
 * cgroups or processes; cgroup.kill empties the cgroup and those below; a file that is not there
 * cannot be written (ENOENT). Any call can be made to fail with a chosen errno ({@link #failOn}).
 *
 * <p>Calls are recorded as one line each: {@code mkdir P}, {@code rmdir P}, {@code write P value},
 * {@code setxattr P name=value}, {@code getxattr P name}, {@code read P}, {@code exists P},
 * {@code isdir P}, {@code children P}, {@code writable P}, {@code chown P uid:gid}, {@code open P},
 * {@code close P}, {@code watch P}, {@code await P}, {@code kill pid signal}, and the bpf calls
 * {@code bpf-load}, {@code bpf-query P}, {@code bpf-byid id}, {@code bpf-attach P id [replacing id]},
 * {@code bpf-detach P id}.
 */
final class CgroupFilesFake implements CgroupFiles {
    /** The files a controller gives each cgroup it is passed down to, with a new cgroup's values. */
    private static final Map<String, Map<String, String>> CONTROLLER_FILES = Map.of(
            "memory", Map.of("memory.max", "max\n", "memory.low", "0\n", "memory.high", "max\n", "memory.swap.max", "max\n",
                    "memory.current", "0\n", "memory.swap.current", "0\n", "memory.events", "oom_kill 0\n"),
            "pids", Map.of("pids.max", "max\n", "pids.current", "0\n"),
            "cpu", Map.of("cpu.max", "max 100000\n", "cpu.weight", "100\n"));

    private final Set<Path> dirs = new LinkedHashSet<>();
    private final Map<Path, String> files = new HashMap<>();
    private final Map<Path, Map<String, String>> xattrs = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();
    /** Each open descriptor, and what it is: a directory, a program (by id) or a watch. */
    private final Map<Integer, Object> fds = new LinkedHashMap<>();
    private final Map<Path, List<Integer>> attached = new HashMap<>();
    private int nextFd = 100;
    private int nextProgramId = 1;

    // ---------------------------------------------------------------- setting up

    /** The root of a tree with these controllers (a root has no cgroup.type). */
    CgroupFilesFake root(Path mount, String controllers) {
        dirs.add(mount);
        files.put(mount.resolve("cgroup.controllers"), controllers + "\n");
        files.put(mount.resolve("cgroup.subtree_control"), "\n");
        files.put(mount.resolve("cgroup.procs"), "");
        return this;
    }

    /** A cgroup made as the kernel makes one; marked as hako's when {@code ours}. */
    CgroupFilesFake cgroup(Path dir, boolean ours) {
        make(dir);
        if (ours) xattrs.computeIfAbsent(dir, d -> new HashMap<>()).put(CgroupTree.CREATED, "1");
        return this;
    }

    /** A file's content, as the kernel would show it. */
    CgroupFilesFake file(Path file, String content) {
        files.put(file, content);
        return this;
    }

    /** Processes in the cgroup: its cgroup.procs and "populated 1". */
    CgroupFilesFake processes(Path dir, String pids) {
        files.put(dir.resolve("cgroup.procs"), pids + "\n");
        files.put(dir.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
        return this;
    }

    /** The next call whose record starts with {@code call} fails with {@code errno} (once). */
    CgroupFilesFake failOn(String call, int errno) {
        failures.put(call, errno);
        return this;
    }

    // ---------------------------------------------------------------- looking at it

    /** Every call so far, in order. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    /** The calls whose first word is one of {@code verbs}, in order. */
    List<String> calls(String... verbs) {
        List<String> wanted = Arrays.asList(verbs);
        return calls.stream().filter(c -> wanted.contains(c.split(" ", 2)[0])).toList();
    }

    void forgetCalls() {
        calls.clear();
    }

    boolean hasDirectory(Path dir) {
        return dirs.contains(dir);
    }

    String content(Path file) {
        return files.get(file);
    }

    String xattr(Path path, String name) {
        return xattrs.getOrDefault(path, Map.of()).get(name);
    }

    /** The ids of the device programs attached to the cgroup itself. */
    List<Integer> attachedPrograms(Path dir) {
        return List.copyOf(attached.getOrDefault(dir, List.of()));
    }

    /** Descriptors opened and not closed: a leak. */
    int openDescriptors() {
        return fds.size();
    }

    // ---------------------------------------------------------------- the tree

    @Override
    public boolean mkdir(Path dir) throws IOException {
        failDirectory("mkdir " + dir, dir);
        if (dirs.contains(dir) || files.containsKey(dir)) return false;
        if (!dirs.contains(dir.getParent())) throw new NoSuchFileException(dir.toString());
        make(dir);
        return true;
    }

    private void make(Path dir) {
        dirs.add(dir);
        List<String> passed = controllers(dir);
        files.put(dir.resolve("cgroup.controllers"), "");   // read from the parent: see controllers
        files.put(dir.resolve("cgroup.subtree_control"), "\n");
        files.put(dir.resolve("cgroup.procs"), "");
        files.put(dir.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
        files.put(dir.resolve("cgroup.type"), "domain\n");
        files.put(dir.resolve("cgroup.freeze"), "0\n");
        files.put(dir.resolve("cgroup.kill"), "");
        for (String controller : passed) addControllerFiles(dir, controller);
    }

    private void addControllerFiles(Path dir, String controller) {
        CONTROLLER_FILES.getOrDefault(controller, Map.of()).forEach((name, value) -> files.putIfAbsent(dir.resolve(name), value));
    }

    /** A cgroup's controllers: the root's own, any other's what its parent passes down. */
    private List<String> controllers(Path dir) {
        Path parent = dir.getParent();
        if (parent == null || !dirs.contains(parent)) return CgroupTree.words(files.get(dir.resolve("cgroup.controllers")));
        return CgroupTree.words(files.get(parent.resolve("cgroup.subtree_control")));
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        failDirectory("rmdir " + dir, dir);
        if (!dirs.contains(dir)) return;
        boolean busy = dirs.stream().anyMatch(d -> dir.equals(d.getParent()))
                || !CgroupTree.words(files.get(dir.resolve("cgroup.procs"))).isEmpty();
        if (busy) throw new FileSystemException(dir.toString(), null, Errno.describe(Errno.EBUSY));
        dirs.remove(dir);
        files.keySet().removeIf(f -> dir.equals(f.getParent()));
        xattrs.remove(dir);
        attached.remove(dir);
    }

    @Override
    public List<Path> children(Path dir) {
        record("children " + dir);
        return dirs.stream().filter(d -> dir.equals(d.getParent())).toList();
    }

    @Override
    public boolean exists(Path path) {
        record("exists " + path);
        return dirs.contains(path) || files.containsKey(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        record("isdir " + path);
        return dirs.contains(path);
    }

    @Override
    public boolean writable(Path dir) {
        record("writable " + dir);
        return dirs.contains(dir);
    }

    @Override
    public void chown(Path path, long uid, long gid) throws IOException {
        failDirectory("chown " + path + " " + uid + ":" + gid, path);
        if (!dirs.contains(path) && !files.containsKey(path)) throw new NoSuchFileException(path.toString());
    }

    // ---------------------------------------------------------------- files and attributes

    @Override
    public String read(Path file) {
        record("read " + file);
        if (file.getFileName().toString().equals("cgroup.controllers") && files.containsKey(file)) {
            return String.join(" ", controllers(file.getParent())) + "\n";
        }
        return files.get(file);
    }

    @Override
    public void write(Path file, String value, String what) {
        fail("write " + file + " " + value, what);
        if (!files.containsKey(file) || dirs.contains(file)) throw new SysException(what, Errno.ENOENT);
        Path dir = file.getParent();
        switch (file.getFileName().toString()) {
            case "cgroup.subtree_control" -> {
                List<String> enabled = new ArrayList<>(CgroupTree.words(files.get(file)));
                List<String> available = controllers(dir);
                for (String change : CgroupTree.words(value)) {
                    String controller = change.substring(1);
                    if (!available.contains(controller)) throw new SysException(what, Errno.ENOENT);
                    if (change.charAt(0) == '+' && !enabled.contains(controller)) {
                        enabled.add(controller);
                        for (Path child : dirs) if (dir.equals(child.getParent())) addControllerFiles(child, controller);
                    }
                    if (change.charAt(0) == '-') enabled.remove(controller);
                }
                files.put(file, String.join(" ", enabled) + "\n");
            }
            case "cgroup.kill" -> {
                for (Path d : dirs) {
                    if (!d.startsWith(dir)) continue;
                    files.put(d.resolve("cgroup.procs"), "");
                    files.put(d.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
                }
            }
            case "cgroup.procs" -> {
                // A process is in one cgroup: moving it takes it out of the one it was in.
                for (Path d : dirs) {
                    List<String> pids = new ArrayList<>(CgroupTree.words(files.get(d.resolve("cgroup.procs"))));
                    if (pids.remove(value.strip())) files.put(d.resolve("cgroup.procs"), String.join("\n", pids) + "\n");
                }
                files.put(file, files.get(file) + value.strip() + "\n");
            }
            case "cgroup.freeze" -> files.put(dir.resolve("cgroup.events"),
                    files.get(dir.resolve("cgroup.events")).replaceAll("frozen \\d", "frozen " + value.strip()));
            default -> files.put(file, value + "\n");
        }
    }

    @Override
    public void setXattr(Path path, String name, String value, String what) {
        fail("setxattr " + path + " " + name + "=" + value, what);
        if (!dirs.contains(path) && !files.containsKey(path)) throw new SysException(what, Errno.ENOENT);
        xattrs.computeIfAbsent(path, p -> new HashMap<>()).put(name, value);
    }

    @Override
    public String getXattr(Path path, String name) {
        record("getxattr " + path + " " + name);
        return xattr(path, name);
    }

    // ---------------------------------------------------------------- descriptors

    @Override
    public int openDirectory(Path dir, String what) {
        fail("open " + dir, what);
        if (!dirs.contains(dir)) throw new SysException(what, Errno.ENOENT);
        return descriptor(dir);
    }

    @Override
    public void close(int fd) {
        if (fd < 0) return;
        Object what = fds.remove(fd);
        if (what == null) throw new AssertionError("close of a descriptor not open: " + fd);
        record("close " + what);
    }

    @Override
    public int watch(Path file, String what) {
        fail("watch " + file, what);
        if (!files.containsKey(file)) throw new SysException(what, Errno.ENOENT);
        return descriptor("watch " + file);
    }

    @Override
    public boolean awaitChange(int watch, long millis, String what) {
        fail("await " + fds.get(watch), what);
        return true;   // every change in this tree happens at once
    }

    @Override
    public boolean kill(int pid, int signal) {
        record("kill " + pid + " " + signal);
        return true;
    }

    // ---------------------------------------------------------------- bpf

    @Override
    public int loadDeviceProgram(byte[] instructions, String what) {
        fail("bpf-load", what);
        return descriptor(new Program(nextProgramId++));
    }

    @Override
    public int[] attachedDevicePrograms(int cgroupFd, String what) {
        Path dir = directory(cgroupFd);
        fail("bpf-query " + dir, what);
        return attached.getOrDefault(dir, List.of()).stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int programById(int id, String what) {
        fail("bpf-byid " + id, what);
        boolean exists = attached.values().stream().anyMatch(ids -> ids.contains(id));
        return exists ? descriptor(new Program(id)) : -1;
    }

    @Override
    public void attachDeviceProgram(int cgroupFd, int programFd, int replaceFd, String what) {
        Path dir = directory(cgroupFd);
        int id = program(programFd);
        fail("bpf-attach " + dir + " " + id + (replaceFd >= 0 ? " replacing " + program(replaceFd) : ""), what);
        List<Integer> ids = attached.computeIfAbsent(dir, d -> new ArrayList<>());
        if (replaceFd >= 0) {
            int old = ids.indexOf(program(replaceFd));
            if (old < 0) throw new SysException(what, Errno.ENOENT);
            ids.set(old, id);
        } else {
            ids.add(id);
        }
    }

    @Override
    public void detachDeviceProgram(int cgroupFd, int programFd, String what) {
        Path dir = directory(cgroupFd);
        int id = program(programFd);
        fail("bpf-detach " + dir + " " + id, what);
        attached.getOrDefault(dir, new ArrayList<>()).remove((Integer) id);
    }

    // ---------------------------------------------------------------- helpers

    private record Program(int id) {
        @Override
        public String toString() {
            return "program " + id;
        }
    }

    private int descriptor(Object what) {
        fds.put(nextFd, what);
        return nextFd++;
    }

    private Path directory(int fd) {
        if (!(fds.get(fd) instanceof Path dir)) throw new AssertionError("not a cgroup descriptor: " + fd);
        return dir;
    }

    private int program(int fd) {
        if (!(fds.get(fd) instanceof Program program)) throw new AssertionError("not a program descriptor: " + fd);
        return program.id();
    }

    private void record(String call) {
        calls.add(call);
    }

    /** Records the call; throws the failure asked for it, as a SysException. */
    private void fail(String call, String what) {
        record(call);
        Integer errno = takeFailure(call);
        if (errno != null) throw new SysException(what, errno);
    }

    /** Records the call; throws the failure asked for it as java.nio throws it. */
    private void failDirectory(String call, Path path) throws IOException {
        record(call);
        Integer errno = takeFailure(call);
        if (errno == null) return;
        if (errno == Errno.ENOENT) throw new NoSuchFileException(path.toString());
        if (errno == Errno.ENOTEMPTY) throw new DirectoryNotEmptyException(path.toString());
        throw new FileSystemException(path.toString(), null, Errno.describe(errno));
    }

    private Integer takeFailure(String call) {
        for (Map.Entry<String, Integer> failure : failures.entrySet()) {
            if (call.startsWith(failure.getKey())) {
                failures.remove(failure.getKey());
                return failure.getValue();
            }
        }
        return null;
    }
}
