package hako.net;

import hako.sys.CallLog;
import hako.sys.Errno;
import hako.sys.ProcessRef;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The machine as the network package sees it, in memory: network namespaces with their links,
 * addresses and routes, hako's nftables tables, a file system, and processes. It behaves as the
 * kernel does where hako's code depends on it, and records every call in order ({@link #calls}),
 * for asserting what a command does without root.
 *
 * <p>The kernel's rules it keeps: a link name is unique in its namespace (EEXIST), a link or
 * index not there is ENODEV; a veth is made with its peer in the namespace of the pid given (ESRCH
 * when that process is gone), and deleting either end deletes both; a namespace goes when the
 * last process in it ends, taking its veths' host ends with it; a default route needs its gateway
 * on a subnet of the link, which must be up (ENETUNREACH); a moved link loses its addresses and
 * keeps its index unless the other namespace has it taken; making a link in hako's namespace makes
 * its /proc/sys/net/ipv4/conf/NAME directory. nft scripts are transactions: every statement
 * applies or none does, and a statement naming a table, chain, set or element that is not there,
 * or deleting a chain still in use, fails the whole script, as nft does. The file lock is not
 * re-entrant (the JVM's OverlappingFileLockException). Any call can be made to fail once with a
 * chosen errno ({@link #failOn}).
 *
 * <p>Calls are recorded one line each, the namespace named {@code host} (hako's) or {@code nsPID}
 * (a container init's): {@code open NS}, {@code close NS}, {@code getlink NS name}, {@code dumplinks
 * NS}, {@code dumpaddrs NS}, {@code newbridge NS name mtu M}, {@code newveth NS name master BRIDGE
 * mtu M peer PEER in NS}, {@code movelink NS name to NS as NAME}, {@code setup NS name}, {@code
 * dellink NS name}, {@code newaddr NS link A/P}, {@code newroute NS default via G dev LINK}; {@code
 * nft WHAT} (the script itself in {@link #scripts}); {@code probe PORT/PROTO}; {@code sysctl
 * net/ipv4/KEY=VALUE} (a write under /proc/sys); and the files' {@code read P}, {@code write P}, {@code overwrite P}, {@code rename P Q}, {@code exists P}, {@code list P},
 * {@code delete P}, {@code mkdirs P}, {@code lock P}, {@code unlock P}.
 */
final class NetSystemFake implements NetSystem {
    /** The pid of the first hako process; {@link #newHako} starts the next. */
    static final int SELF = 1000;

    private final Map<Integer, Process> processes = new HashMap<>();
    private final Namespace host = new Namespace("host");
    private Ruleset rules = new Ruleset();
    private final Map<Path, String> files = new HashMap<>();
    private final Set<Path> dirs = new TreeSet<>();
    private final Set<Path> locked = new TreeSet<>();
    private final Set<String> portsTaken = new TreeSet<>();
    private final CallLog log = new CallLog();
    private final List<String> scripts = new ArrayList<>();
    private int openSockets;
    private long nextStartTime = 1;
    private int self = SELF;
    private boolean rootless;

    NetSystemFake() {
        dirs.add(Path.of("/"));
        processes.put(SELF, new Process(SELF, nextStartTime++, host));
        host.add("lo", "loopback").up = true;
        file(Path.of("/etc/resolv.conf"), "nameserver 192.0.2.53\n");
        file(Path.of("/etc/hosts"), "127.0.0.1\tlocalhost\n");
        file(Path.of("/proc/sys/net/ipv4/ip_forward"), "0\n");
        file(Path.of("/proc/sys/net/ipv4/conf/lo/route_localnet"), "0\n");
    }

    // ---------------------------------------------------------------- setting up

    /** A physical device of hako's namespace, up, with an address: what a new network's subnet must not overlap. */
    NetSystemFake hostDevice(String name, String address) {
        Device device = host.add(name, "device");
        device.up = true;
        file(Path.of("/proc/sys/net/ipv4/conf/" + name + "/route_localnet"), "0\n");
        if (address != null) host.addresses.add(cidr(device.index, address));
        return this;
    }

    /** A container's init: a new process, alone in a new network namespace that has only lo, down. */
    NetSystemFake init(int pid) {
        Namespace namespace = new Namespace("ns" + pid);
        namespace.add("lo", "loopback");
        processes.put(pid, new Process(pid, nextStartTime++, namespace));
        return this;
    }

    /** The process ends; its network namespace goes with it when nothing else is in it. */
    NetSystemFake exit(int pid) {
        Process process = processes.remove(pid);
        Namespace namespace = process.netns;
        if (namespace != host && processes.values().stream().noneMatch(p -> p.netns == namespace)) {
            for (Device device : List.copyOf(namespace.links.values())) {
                if (device.kind.equals("device")) {
                    // A physical device goes back to the initial namespace, down; virtual ones are destroyed.
                    namespace.remove(device, false);
                    device.up = false;
                    host.adopt(device);
                } else {
                    namespace.remove(device);
                }
            }
        }
        return this;
    }

    /** This hako process ends (killed half-way, say) and another starts: what the first held is a dead one's. */
    NetSystemFake newHako() {
        processes.remove(self);
        self++;
        processes.put(self, new Process(self, nextStartTime++, host));
        locked.clear();   // the kernel lets a dead process's locks go
        return this;
    }

    NetSystemFake directory(Path dir) {
        mkdirs(dir);
        return this;
    }

    NetSystemFake file(Path file, String content) {
        mkdirs(file.getParent());
        files.put(file, content);
        return this;
    }

    /** A host process listens on the port. */
    NetSystemFake portTaken(int port, String protocol) {
        portsTaken.add(port + "/" + protocol);
        return this;
    }

    NetSystemFake rootless(boolean rootless) {
        this.rootless = rootless;
        return this;
    }

    /** Someone flushes hako's tables: {@code nft delete table inet hako}, and the bridge table. */
    NetSystemFake dropTables() {
        rules = new Ruleset();
        return this;
    }

    /** The next call whose record starts with {@code call} fails with {@code errno} (once). */
    NetSystemFake failOn(String call, int errno) {
        log.failOn(call, errno);
        return this;
    }

    // ---------------------------------------------------------------- looking at it

    List<String> calls() {
        return log.calls();
    }

    /** The calls whose first word is one of {@code verbs}, in order. */
    List<String> calls(String... verbs) {
        return log.calls(verbs);
    }

    /** The calls that change the machine's network: links, addresses, routes, rules, sysctls. */
    static final String[] CHANGES = {"newbridge", "newveth", "movelink", "setup", "dellink", "newaddr", "newroute", "nft", "sysctl"};

    void forgetCalls() {
        log.forget();
        scripts.clear();
    }

    /** Every nft script applied (or refused), in order. */
    List<String> scripts() {
        return List.copyOf(scripts);
    }

    /** The links of hako's namespace ({@code host}) or of a container init's ({@code nsPID}), as "name kind [up] [master M]". */
    List<String> links(String namespace) {
        return namespace(namespace).links.values().stream().map(Device::describe).toList();
    }

    /** The addresses of a namespace, as "link A/P". */
    List<String> addresses(String namespace) {
        Namespace ns = namespace(namespace);
        return ns.addresses.stream().map(a -> ns.byIndex(a.index).name + " " + a.address + "/" + a.prefix).toList();
    }

    /** The routes of a namespace, as "default via G dev LINK". */
    List<String> routes(String namespace) {
        Namespace ns = namespace(namespace);
        return ns.routes.stream().map(r -> "default via " + r.gateway + " dev " + ns.byIndex(r.index).name).toList();
    }

    /** The chains of one of hako's tables, each with its rules. */
    Map<String, List<String>> chains(String table) {
        Table t = rules.tables.get(table);
        return t == null ? Map.of() : Map.copyOf(t.chains);
    }

    /** The elements of a set or map of one of hako's tables, as nft writes them ("tcp . 8080 : jump c-…"). */
    List<String> elements(String table, String set) {
        Table t = rules.tables.get(table);
        if (t == null || !t.sets.containsKey(set)) return List.of();
        return t.sets.get(set).entrySet().stream().map(e -> e.getKey() + (e.getValue().isEmpty() ? "" : " : " + e.getValue())).toList();
    }

    boolean hasTables() {
        return !rules.tables.isEmpty();
    }

    String content(Path file) {
        return files.get(file);
    }

    boolean holdsLock() {
        return !locked.isEmpty();
    }

    /** rtnetlink sockets opened and not closed: a leak. */
    int openSockets() {
        return openSockets;
    }

    // ---------------------------------------------------------------- rtnetlink

    @Override
    public Rtnetlink rtnetlink() {
        return open(host);
    }

    @Override
    public Rtnetlink rtnetlinkOf(int pid) {
        Process process = processes.get(pid);
        if (process == null) throw new SysException("opening the network namespace /proc/" + pid + "/ns/net", Errno.ENOENT);
        return open(process.netns);
    }

    private Rtnetlink open(Namespace namespace) {
        record("open " + namespace.name);
        openSockets++;
        return new Socket(namespace);
    }

    /** One rtnetlink socket, bound to the namespace it was opened in. */
    private final class Socket implements Rtnetlink {
        private final Namespace ns;
        private boolean closed;

        Socket(Namespace ns) {
            this.ns = ns;
        }

        @Override
        public RouteMessages.Link link(String name, String what) {
            netlink("getlink " + ns.name + " " + name, what);
            Device device = ns.links.get(name);
            if (device == null) throw refused(what, Errno.ENODEV);
            return device.link();
        }

        @Override
        public List<RouteMessages.Link> links(String what) {
            netlink("dumplinks " + ns.name, what);
            return ns.links.values().stream().map(Device::link).toList();
        }

        @Override
        public List<RouteMessages.Address> addresses(String what) {
            netlink("dumpaddrs " + ns.name, what);
            return ns.addresses.stream().map(a -> new RouteMessages.Address(a.index, a.address, a.prefix, true)).toList();
        }

        @Override
        public void newBridge(String name, int mtu, String what) {
            netlink("newbridge " + ns.name + " " + name + " mtu " + mtu, what);
            if (ns.links.containsKey(name)) throw refused(what, Errno.EEXIST);
            Device bridge = ns.add(name, "bridge");
            bridge.up = true;
            bridge.mtu = mtu;
        }

        @Override
        public void newVeth(String name, int mtu, int master, String peerName, int peerPid, String what) {
            Device bridge = ns.byIndex(master);
            Process peerProcess = processes.get(peerPid);
            netlink("newveth " + ns.name + " " + name + " master " + (bridge == null ? master : bridge.name) + " mtu " + mtu
                    + " peer " + peerName + " in " + (peerProcess == null ? "pid " + peerPid : peerProcess.netns.name), what);
            if (ns.links.containsKey(name)) throw refused(what, Errno.EEXIST);
            if (bridge == null) throw refused(what, Errno.ENODEV);
            if (peerProcess == null) throw refused(what, Errno.ESRCH);
            if (peerProcess.netns.links.containsKey(peerName)) throw refused(what, Errno.EEXIST);
            Device end = ns.add(name, "veth");
            end.up = true;
            end.mtu = mtu;
            end.master = master;
            Device peer = peerProcess.netns.add(peerName, "veth");
            peer.mtu = mtu;
            end.peer = peer;
            peer.peer = end;
        }

        @Override
        public void moveLink(int index, int pid, String name, String what) {
            Device device = ns.byIndex(index);
            Process target = processes.get(pid);
            netlink("movelink " + ns.name + " " + (device == null ? index : device.name) + " to "
                    + (target == null ? "pid " + pid : target.netns.name) + " as " + name, what);
            if (device == null) throw refused(what, Errno.ENODEV);
            if (target == null) throw refused(what, Errno.ESRCH);
            String newName = name.contains("%d") ? target.netns.numbered(name) : name;
            if (target.netns.links.containsKey(newName)) throw refused(what, Errno.EEXIST);
            ns.remove(device, false);
            device.name = newName;
            device.up = false;
            device.master = 0;
            target.netns.adopt(device);
        }

        @Override
        public void setUp(int index, String what) {
            Device device = ns.byIndex(index);
            netlink("setup " + ns.name + " " + (device == null ? index : device.name), what);
            if (device == null) throw refused(what, Errno.ENODEV);
            device.up = true;
        }

        @Override
        public void deleteLink(String name, String what) {
            netlink("dellink " + ns.name + " " + name, what);
            Device device = ns.links.get(name);
            if (device == null) throw refused(what, Errno.ENODEV);
            ns.remove(device);
        }

        @Override
        public void newAddress(int index, Ipv4 address, Subnet subnet, String what) {
            Device device = ns.byIndex(index);
            netlink("newaddr " + ns.name + " " + (device == null ? index : device.name) + " " + address + "/" + subnet.prefix(), what);
            if (device == null) throw refused(what, Errno.ENODEV);
            if (ns.addresses.stream().anyMatch(a -> a.index == index && a.address.equals(address))) throw refused(what, Errno.EEXIST);
            ns.addresses.add(new Address(index, address, subnet.prefix()));
        }

        @Override
        public void newDefaultRoute(int index, Ipv4 gateway, String what) {
            Device device = ns.byIndex(index);
            netlink("newroute " + ns.name + " default via " + gateway + " dev " + (device == null ? index : device.name), what);
            if (device == null) throw refused(what, Errno.ENODEV);
            boolean reachable = device.up && ns.addresses.stream().anyMatch(a -> a.index == index
                    && new Subnet(new Ipv4(a.address.bits() & Subnet.mask(a.prefix)), a.prefix).contains(gateway));
            if (!reachable) throw refused(what, Errno.ENETUNREACH);
            if (!ns.routes.isEmpty()) throw refused(what, Errno.EEXIST);
            ns.routes.add(new Route(index, gateway));
        }

        @Override
        public void close() {
            if (closed) throw new AssertionError("a socket closed twice");
            closed = true;
            openSockets--;
            record("close " + ns.name);
        }

        private void netlink(String call, String what) {
            if (closed) throw new AssertionError("a call on a closed socket: " + call);
            Integer errno = log.recordAndFail(call);
            if (errno != null) throw refused(what, errno);
        }
    }

    private static NetworkException refused(String what, int errno) {
        return RouteSocket.refused(what, errno, null);
    }

    // ---------------------------------------------------------------- nftables

    @Override
    public void nft(String script, String what) {
        scripts.add(script);
        Integer errno = log.recordAndFail("nft " + what);
        if (errno != null) throw nftError(what, Errno.describe(errno), "");
        Ruleset applied = rules.copy();
        for (String line : script.lines().toList()) {
            String error = applied.apply(line);
            if (error != null) throw nftError(what, error, line);
        }
        rules = applied;
    }

    /** As nft says it, through the same reading of nft's output as the real one. */
    private static NetworkException nftError(String what, String reason, String line) {
        String stderr = "/dev/stdin:1:1-10: Error: Could not process rule: " + reason + "\n" + line + "\n^^^^^^^^^^\n";
        return new NetworkException(what + ": " + Nft.firstError(stderr));
    }

    // ---------------------------------------------------------------- the host's ports

    @Override
    public boolean portInUse(int port, String protocol) {
        record("probe " + port + "/" + protocol);
        return portsTaken.contains(port + "/" + protocol);
    }

    // ---------------------------------------------------------------- files

    @Override
    public String readString(Path file) throws IOException {
        fileCall("read " + file, file);
        String content = files.get(file);
        if (content == null) throw new NoSuchFileException(file.toString());
        return content;
    }

    @Override
    public void writeString(Path file, String text) throws IOException {
        boolean sysctl = file.startsWith(SYSCTLS);
        fileCall(sysctl ? "sysctl " + SYSCTLS.relativize(file) + "=" + text : "write " + file, file);
        if (!dirs.contains(file.getParent())) throw new NoSuchFileException(file.toString());
        if (sysctl && !files.containsKey(file)) throw new NoSuchFileException(file.toString());
        files.put(file, text);
    }

    @Override
    public void overwrite(Path file, String text) throws IOException {
        fileCall("overwrite " + file, file);
        if (!files.containsKey(file)) throw new NoSuchFileException(file.toString());
        files.put(file, text);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        fileCall("rename " + from + " " + to, from);
        if (!files.containsKey(from)) throw new NoSuchFileException(from.toString());
        if (!dirs.contains(to.getParent())) throw new NoSuchFileException(to.toString());
        files.put(to, files.remove(from));
    }

    @Override
    public boolean exists(Path path) {
        record("exists " + path);
        return files.containsKey(path) || dirs.contains(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        fileCall("list " + dir, dir);
        if (!dirs.contains(dir)) throw new NoSuchFileException(dir.toString());
        Set<Path> entries = new TreeSet<>();
        for (Path file : files.keySet()) if (dir.equals(file.getParent())) entries.add(file);
        for (Path sub : dirs) if (dir.equals(sub.getParent())) entries.add(sub);
        return List.copyOf(entries);
    }

    @Override
    public void delete(Path file) throws IOException {
        fileCall("delete " + file, file);
        files.remove(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        fileCall("mkdirs " + dir, dir);
        mkdirs(dir);
    }

    @Override
    public AutoCloseable lock(Path file) throws IOException {
        fileCall("lock " + file, file);
        if (!dirs.contains(file.getParent())) throw new NoSuchFileException(file.toString());
        if (!locked.add(file)) throw new OverlappingFileLockException();
        files.putIfAbsent(file, "");
        return () -> {
            record("unlock " + file);
            locked.remove(file);
        };
    }

    private void mkdirs(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) dirs.add(d);
    }

    // ---------------------------------------------------------------- processes

    @Override
    public ProcessRef self() {
        return process(self);
    }

    @Override
    public ProcessRef process(int pid) {
        Process process = processes.get(pid);
        if (process == null) throw new SysException("process " + pid + " has ended", Errno.ESRCH);
        return new ProcessRef(pid, process.startTime);
    }

    @Override
    public boolean alive(ProcessRef ref) {
        Process process = processes.get(ref.pid());
        return process != null && process.startTime == ref.startTime();
    }

    @Override
    public boolean rootless() {
        return rootless;
    }

    // ---------------------------------------------------------------- the model

    private record Process(int pid, long startTime, Namespace netns) {}

    private record Address(int index, Ipv4 address, int prefix) {}

    private record Route(int index, Ipv4 gateway) {}

    private static Address cidr(int index, String text) {
        String[] parts = text.split("/");
        return new Address(index, Ipv4.parse(parts[0]), Integer.parseInt(parts[1]));
    }

    private static final class Device {
        int index;
        String name;
        final String kind;
        int master;
        boolean up;
        int mtu = 1500;
        Device peer;
        Namespace ns;

        Device(String name, String kind) {
            this.name = name;
            this.kind = kind;
        }

        RouteMessages.Link link() {
            return new RouteMessages.Link(index, name, master, kind, up);
        }

        String describe() {
            Device bridge = master == 0 ? null : ns.byIndex(master);
            return name + " " + kind + (up ? " up" : "") + (bridge == null ? "" : " master " + bridge.name);
        }
    }

    private final class Namespace {
        final String name;
        final Map<String, Device> links = new LinkedHashMap<>();
        final List<Address> addresses = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();
        int nextIndex = 1;

        Namespace(String name) {
            this.name = name;
        }

        Device add(String linkName, String kind) {
            Device device = new Device(linkName, kind);
            device.index = freeIndex();
            adopt(device);
            return device;
        }

        void adopt(Device device) {
            if (byIndex(device.index) != null) device.index = freeIndex();
            device.ns = this;
            links.put(device.name, device);
            if (this == host) files.put(Path.of("/proc/sys/net/ipv4/conf/" + device.name + "/route_localnet"), "0\n");
            if (this == host) mkdirs(Path.of("/proc/sys/net/ipv4/conf/" + device.name));
        }

        private int freeIndex() {
            while (byIndex(nextIndex) != null) nextIndex++;
            return nextIndex++;
        }

        Device byIndex(int index) {
            for (Device device : links.values()) if (device.index == index) return device;
            return null;
        }

        /** Deletes a link: a veth's peer goes too, a bridge's ports are let go. */
        void remove(Device device) {
            remove(device, true);
        }

        void remove(Device device, boolean destroy) {
            links.remove(device.name);
            addresses.removeIf(a -> a.index == device.index);
            routes.removeIf(r -> r.index == device.index);
            for (Device port : links.values()) if (port.master == device.index) port.master = 0;
            if (this == host) {
                files.remove(Path.of("/proc/sys/net/ipv4/conf/" + device.name + "/route_localnet"));
                dirs.remove(Path.of("/proc/sys/net/ipv4/conf/" + device.name));
            }
            if (destroy && device.peer != null) {
                Device peer = device.peer;
                device.peer = null;
                peer.peer = null;
                peer.ns.remove(peer);
            }
        }

        /** A name with %d, numbered as the kernel numbers it: the first free. */
        String numbered(String pattern) {
            for (int n = 0; ; n++) {
                String candidate = pattern.replace("%d", Integer.toString(n));
                if (!links.containsKey(candidate)) return candidate;
            }
        }
    }

    private Namespace namespace(String name) {
        if (name.equals("host")) return host;
        for (Process process : processes.values()) if (process.netns.name.equals(name)) return process.netns;
        throw new AssertionError("no network namespace " + name);
    }

    // ---------------------------------------------------------------- nftables, as far as hako's scripts go

    private static final class Table {
        final Map<String, List<String>> chains = new LinkedHashMap<>();
        /** Sets and maps: element key to its value ("" for a set's). */
        final Map<String, Map<String, String>> sets = new LinkedHashMap<>();

        Table copy() {
            Table copy = new Table();
            chains.forEach((name, chainRules) -> copy.chains.put(name, new ArrayList<>(chainRules)));
            sets.forEach((name, elements) -> copy.sets.put(name, new LinkedHashMap<>(elements)));
            return copy;
        }

        boolean referenced(String chain) {
            String jump = "jump " + chain;
            for (Map<String, String> elements : sets.values()) if (elements.containsValue(jump)) return true;
            for (List<String> chainRules : chains.values()) {
                for (String rule : chainRules) if ((rule + " ").contains(jump + " ")) return true;
            }
            return false;
        }
    }

    private static final class Ruleset {
        final Map<String, Table> tables = new LinkedHashMap<>();

        Ruleset copy() {
            Ruleset copy = new Ruleset();
            tables.forEach((name, table) -> copy.tables.put(name, table.copy()));
            return copy;
        }

        /** One statement; the reason it fails, or null. */
        String apply(String line) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 4) return "syntax error";
            String verb = words[0] + " " + words[1];
            String tableName = words[2] + " " + words[3];
            if (verb.equals("add table")) {
                tables.putIfAbsent(tableName, new Table());
                return null;
            }
            Table table = tables.get(tableName);
            if (table == null) return NO_SUCH;
            if (verb.equals("delete table")) {
                tables.remove(tableName);
                return null;
            }
            String name = words[4];
            switch (verb) {
                case "add map", "add set" -> table.sets.putIfAbsent(name, new LinkedHashMap<>());
                case "add chain" -> table.chains.putIfAbsent(name, new ArrayList<>());
                case "flush chain" -> {
                    if (!table.chains.containsKey(name)) return NO_SUCH;
                    table.chains.get(name).clear();
                }
                case "delete chain" -> {
                    if (!table.chains.containsKey(name)) return NO_SUCH;
                    if (!table.chains.get(name).isEmpty() || table.referenced(name)) return BUSY;
                    table.chains.remove(name);
                }
                case "add rule" -> {
                    if (!table.chains.containsKey(name)) return NO_SUCH;
                    String rule = line.strip().substring(line.strip().indexOf(name + " ") + name.length() + 1);
                    for (String word : rule.split("\\s+")) {
                        if (word.startsWith("@") && !table.sets.containsKey(word.substring(1))) return NO_SUCH;
                    }
                    table.chains.get(name).add(rule);
                }
                case "add element", "delete element" -> {
                    Map<String, String> set = table.sets.get(name);
                    if (set == null) return NO_SUCH;
                    String body = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}')).strip();
                    for (String element : body.split(", ")) {
                        int colon = element.indexOf(" : ");
                        String key = colon < 0 ? element.strip() : element.substring(0, colon).strip();
                        String value = colon < 0 ? "" : element.substring(colon + 3).strip();
                        if (verb.equals("delete element")) {
                            if (set.remove(key) == null) return NO_SUCH;
                        } else {
                            if (value.startsWith("jump ") && !table.chains.containsKey(value.substring(5))) return NO_SUCH;
                            set.putIfAbsent(key, value);
                        }
                    }
                }
                default -> {
                    return "syntax error, unexpected " + words[0];
                }
            }
            return null;
        }
    }

    private static final Path SYSCTLS = Path.of("/proc/sys");
    private static final String NO_SUCH = "No such file or directory";
    private static final String BUSY = "Device or resource busy";

    // ---------------------------------------------------------------- recording, failing

    private void record(String call) {
        log.record(call);
    }

    /** Records a file call; throws the failure asked for it as java.nio throws it. */
    private void fileCall(String call, Path path) throws IOException {
        Integer errno = log.recordAndFail(call);
        if (errno == null) return;
        if (errno == Errno.ENOENT) throw new NoSuchFileException(path.toString());
        throw new FileSystemException(path.toString(), null, Errno.describe(errno));
    }
}
