package hako.spec;

import hako.Warnings;
import hako.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a parsed config.json tree into {@link Spec} records, checking types and the rules of the
 * OCI runtime spec as it goes. The first problem found is thrown as a {@link SpecException} naming
 * the source file and the JSON path. Unknown fields are ignored, as runc ignores them, so that
 * bundles written for newer spec versions still run.
 *
 * <p>An explicit JSON {@code null} is read like an absent field, as Go's encoding/json (and so
 * runc) does, except where a value is required.
 */
final class SpecDecoder {

    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** Permission bits plus room for the S_IFMT type bits some clients include in fileMode. */
    private static final long DEVICE_FILE_MODE_MAX = 0177777;

    private static final String[] PROPAGATIONS = {
        "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"
    };

    private final String source;

    SpecDecoder(String source) {
        this.source = source;
    }

    // ---------------------------------------------------------------- the document

    Spec decodeConfig(Object document) {
        NulBytes.check(document, this);
        JsonPath top = JsonPath.ROOT;
        Map<String, Object> config = topLevelObject(document);
        String ociVersion = requiredString(config, "ociVersion", top);
        Spec.Process process = decodeProcess(requiredObject(config, "process", top), top.field("process"));
        Spec.Root root = decodeRoot(requiredObject(config, "root", top), top.field("root"));
        String hostname = optionalString(config, "hostname", top);
        String domainname = optionalString(config, "domainname", top);
        List<Spec.Mount> mounts = decodeMounts(config.get("mounts"), top.field("mounts"));
        Hooks hooks = Hooks.parse(optionalObject(config, "hooks", top), source);
        Map<String, String> annotations = stringMap(config.get("annotations"), top.field("annotations"));
        Map<String, Object> linuxObject = optionalObject(config, "linux", top);
        // Absent is read as empty, so that every caller need not test for null.
        Spec.Linux linux = decodeLinux(linuxObject == null ? Map.of() : linuxObject, top.field("linux"));

        // runc refuses these too: without a UTS namespace of its own the container would rename the host.
        boolean hasUts = linux.hasNamespace(NamespaceType.UTS);
        if (hostname != null && !hasUts) {
            throw fail(top.field("hostname"), "setting a hostname needs a UTS namespace "
                    + "(add {\"type\": \"uts\"} to linux.namespaces)");
        }
        if (domainname != null && !hasUts) {
            throw fail(top.field("domainname"), "setting a domainname needs a UTS namespace "
                    + "(add {\"type\": \"uts\"} to linux.namespaces)");
        }
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations,
                linux, config);
    }

    Spec.Linux decodeLinuxDocument(Map<String, Object> linux) {
        return decodeLinux(linux, JsonPath.ROOT.field("linux"));
    }

    /** The resources of {@code hako update}: the {@code linux.resources} object on its own. */
    Resources decodeResourcesDocument(Object document) {
        NulBytes.check(document, this);
        return new ResourcesDecoder(this, source).decode(topLevelObject(document), JsonPath.ROOT);
    }

    /** A process.json of {@code exec --process}: the {@code process} object on its own. */
    Spec.Process decodeProcessDocument(Object document) {
        NulBytes.check(document, this);
        return decodeProcess(topLevelObject(document), JsonPath.ROOT);
    }

    private Map<String, Object> topLevelObject(Object document) {
        if (!(document instanceof Map<?, ?>)) {
            throw fail(JsonPath.ROOT, "expected a JSON object at the top level, got " + kind(document));
        }
        return asObject(document);
    }

    // ---------------------------------------------------------------- process

    private Spec.Process decodeProcess(Map<String, Object> process, JsonPath at) {
        boolean terminal = optionalBoolean(process, "terminal", at);
        Map<String, Object> consoleSizeObject = optionalObject(process, "consoleSize", at);
        Spec.ConsoleSize consoleSize = consoleSizeObject == null ? null
                : decodeConsoleSize(consoleSizeObject, at.field("consoleSize"));
        Map<String, Object> userObject = optionalObject(process, "user", at);
        Spec.User user = decodeUser(userObject, at.field("user"));

        JsonPath argsAt = at.field("args");
        Object argsValue = process.get("args");
        if (argsValue == null || (argsValue instanceof List<?> list && list.isEmpty())) {
            throw fail(argsAt, "required, and must not be empty");
        }
        List<String> args = stringList(argsValue, argsAt);
        List<String> env = stringList(process.get("env"), at.field("env"));

        String cwd = requiredString(process, "cwd", at);
        requireAbsolute(cwd, at.field("cwd"));

        Map<String, Object> capabilitiesObject = optionalObject(process, "capabilities", at);
        Spec.Capabilities capabilities = capabilitiesObject == null ? null
                : decodeCapabilities(capabilitiesObject, at.field("capabilities"));
        List<Spec.Rlimit> rlimits = decodeRlimits(process.get("rlimits"), at.field("rlimits"));
        boolean noNewPrivileges = optionalBoolean(process, "noNewPrivileges", at);

        Integer oomScoreAdj = null;
        Object oomValue = process.get("oomScoreAdj");
        if (oomValue != null) {
            long adj = integer(oomValue, at.field("oomScoreAdj"));
            if (adj < -1000 || adj > 1000) {
                throw fail(at.field("oomScoreAdj"), "must be between -1000 and 1000, got " + adj);
            }
            oomScoreAdj = (int) adj;
        }
        String apparmorProfile = optionalString(process, "apparmorProfile", at);
        String selinuxLabel = optionalString(process, "selinuxLabel", at);
        Map<String, Object> scheduler = optionalObject(process, "scheduler", at);
        Map<String, Object> ioPriority = optionalObject(process, "ioPriority", at);
        Map<String, Object> affinity = optionalObject(process, "execCPUAffinity", at);
        return new Spec.Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits,
                noNewPrivileges, oomScoreAdj, apparmorProfile, selinuxLabel,
                scheduler == null ? null : decodeScheduler(scheduler, at.field("scheduler")),
                ioPriority == null ? null : decodeIoPriority(ioPriority, at.field("ioPriority")),
                affinity == null ? null : decodeAffinity(affinity, at.field("execCPUAffinity")));
    }

    private static final List<String> SCHED_POLICIES = List.of(
            "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
    private static final List<String> SCHED_FLAGS = List.of("SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
            "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
            "SCHED_FLAG_UTIL_CLAMP_MAX");

    /** As runc checks it: nice for the normal policies, priority for the real-time ones, the rest for deadline. */
    private Spec.Scheduler decodeScheduler(Map<String, Object> scheduler, JsonPath at) {
        String name = requiredString(scheduler, "policy", at);
        int policy = oneOf(name, SCHED_POLICIES, at.field("policy"));
        long nice = optionalInteger(scheduler, "nice", at);
        long priority = optionalInteger(scheduler, "priority", at);
        boolean normal = name.equals("SCHED_OTHER") || name.equals("SCHED_BATCH");
        if (normal && (nice < -20 || nice > 19)) throw fail(at.field("nice"), "must be between -20 and 19, got " + nice);
        if (nice < Integer.MIN_VALUE || nice > Integer.MAX_VALUE) throw fail(at.field("nice"), "must fit in 32 bits, got " + nice);
        boolean realtime = name.equals("SCHED_FIFO") || name.equals("SCHED_RR");
        if (priority != 0 && !realtime) throw fail(at.field("priority"), "can only be given for SCHED_FIFO or SCHED_RR");
        if (realtime && (priority < 1 || priority > 99)) throw fail(at.field("priority"), "must be between 1 and 99 for " + name + ", got " + priority);
        long flags = 0;
        List<String> flagNames = stringList(scheduler.get("flags"), at.field("flags"));
        for (int i = 0; i < flagNames.size(); i++) flags |= 1L << oneOf(flagNames.get(i), SCHED_FLAGS, at.field("flags").index(i));
        long runtime = optionalUint64(scheduler, "runtime", at);
        long deadline = optionalUint64(scheduler, "deadline", at);
        long period = optionalUint64(scheduler, "period", at);
        if (!name.equals("SCHED_DEADLINE") && (runtime != 0 || deadline != 0 || period != 0)) {
            throw fail(at, "runtime, deadline and period can only be given for SCHED_DEADLINE");
        }
        return new Spec.Scheduler(policy, (int) nice, (int) priority, flags, runtime, deadline, period);
    }

    private Spec.IoPriority decodeIoPriority(Map<String, Object> ioPriority, JsonPath at) {
        int ioClass = 1 + oneOf(requiredString(ioPriority, "class", at),
                List.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"), at.field("class"));
        long priority = integer(required(ioPriority, "priority", at), at.field("priority"));
        if (priority < 0 || priority > 7) throw fail(at.field("priority"), "must be between 0 (highest) and 7, got " + priority);
        return new Spec.IoPriority(ioClass, (int) priority);
    }

    private Spec.CpuAffinity decodeAffinity(Map<String, Object> affinity, JsonPath at) {
        return new Spec.CpuAffinity(cpuList(optionalString(affinity, "initial", at), at.field("initial")),
                cpuList(optionalString(affinity, "final", at), at.field("final")));
    }

    /** A CPU or node list ("0-3,7"), null when not given. */
    private java.util.BitSet cpuList(String list, JsonPath at) {
        if (list == null) return null;
        try {
            return CpuList.parse(list);
        } catch (IllegalArgumentException e) {
            throw fail(at, e.getMessage());
        }
    }

    /** The index of {@code value} in {@code names}: the kernel's number for most of the spec's constants. */
    private int oneOf(String value, List<String> names, JsonPath at) {
        int index = names.indexOf(value);
        if (index < 0) throw fail(at, "unknown value " + Json.quote(value) + " (expected one of: " + String.join(", ", names) + ")");
        return index;
    }

    private Spec.ConsoleSize decodeConsoleSize(Map<String, Object> size, JsonPath at) {
        long height = terminalDimension(size, "height", at);
        long width = terminalDimension(size, "width", at);
        return new Spec.ConsoleSize(height, width);
    }

    private long terminalDimension(Map<String, Object> size, String key, JsonPath at) {
        JsonPath valueAt = at.field(key);
        long value = uint32(required(size, key, at), valueAt);
        if (value > 0xFFFF) {
            throw fail(valueAt, "must be at most 65535 (terminal sizes are 16-bit), got " + value);
        }
        return value;
    }

    /** A missing user, uid or gid is root, as in runc (Go's zero value): the one default we keep. */
    private Spec.User decodeUser(Map<String, Object> user, JsonPath at) {
        if (user == null) {
            return new Spec.User(0, 0, null, List.of());
        }
        Object uidValue = user.get("uid");
        Object gidValue = user.get("gid");
        long uid = uidValue == null ? 0 : uint32(uidValue, at.field("uid"));
        long gid = gidValue == null ? 0 : uint32(gidValue, at.field("gid"));
        Object umaskValue = user.get("umask");
        Long umask = umaskValue == null ? null : uint32(umaskValue, at.field("umask"));
        List<Long> additionalGids = List.of();
        Object gidsValue = user.get("additionalGids");
        if (gidsValue != null) {
            JsonPath gidsAt = at.field("additionalGids");
            List<Object> gids = array(gidsValue, gidsAt);
            List<Long> decoded = new ArrayList<>(gids.size());
            for (int i = 0; i < gids.size(); i++) {
                decoded.add(uint32(gids.get(i), gidsAt.index(i)));
            }
            additionalGids = Collections.unmodifiableList(decoded);
        }
        return new Spec.User(uid, gid, umask, additionalGids);
    }

    private Spec.Capabilities decodeCapabilities(Map<String, Object> capabilities, JsonPath at) {
        return new Spec.Capabilities(
                capabilitySet(capabilities, "bounding", at),
                capabilitySet(capabilities, "effective", at),
                capabilitySet(capabilities, "inheritable", at),
                capabilitySet(capabilities, "permitted", at),
                capabilitySet(capabilities, "ambient", at));
    }

    /**
     * A capability this build does not know is passed over with a warning, as runc does: specs
     * written for newer kernels list capabilities that older ones lack.
     */
    private List<Capability> capabilitySet(Map<String, Object> capabilities, String key, JsonPath at) {
        JsonPath setAt = at.field(key);
        List<String> names = stringList(capabilities.get(key), setAt);
        List<Capability> set = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Capability capability = Capability.byName(name);
            if (capability == null) {
                Warnings.print(source + ": " + setAt.index(i) + ": ignoring unknown capability " + Json.quote(name)
                        + didYouMean(name, Capability.byName(canonicalName(name, "CAP_"))));
            } else {
                set.add(capability);
            }
        }
        return Collections.unmodifiableList(set);
    }

    private List<Spec.Rlimit> decodeRlimits(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> entries = array(value, at);
        List<Spec.Rlimit> rlimits = new ArrayList<>(entries.size());
        int[] firstIndexOfType = new int[RlimitType.values().length];
        java.util.Arrays.fill(firstIndexOfType, -1);
        for (int i = 0; i < entries.size(); i++) {
            JsonPath entryAt = at.index(i);
            Map<String, Object> entry = object(entries.get(i), entryAt);
            String name = requiredString(entry, "type", entryAt);
            RlimitType type = RlimitType.byName(name);
            if (type == null) {
                throw fail(entryAt.field("type"), "unknown rlimit type " + Json.quote(name)
                        + didYouMean(name, RlimitType.byName(canonicalName(name, "RLIMIT_"))));
            }
            int first = firstIndexOfType[type.ordinal()];
            if (first >= 0) {
                throw fail(entryAt.field("type"), "duplicate rlimit type " + Json.quote(name)
                        + " (also " + at.index(first) + ")");
            }
            firstIndexOfType[type.ordinal()] = i;
            long hard = uint64(required(entry, "hard", entryAt), entryAt.field("hard"));
            long soft = uint64(required(entry, "soft", entryAt), entryAt.field("soft"));
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw fail(entryAt.field("soft"), "the soft limit " + Long.toUnsignedString(soft)
                        + " is above the hard limit " + Long.toUnsignedString(hard));
            }
            rlimits.add(new Spec.Rlimit(type, hard, soft));
        }
        return Collections.unmodifiableList(rlimits);
    }

    // ---------------------------------------------------------------- root and mounts

    private Spec.Root decodeRoot(Map<String, Object> root, JsonPath at) {
        String path = requiredString(root, "path", at);
        boolean readonly = optionalBoolean(root, "readonly", at);
        return new Spec.Root(path, readonly);
    }

    private List<Spec.Mount> decodeMounts(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> entries = array(value, at);
        List<Spec.Mount> mounts = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath entryAt = at.index(i);
            Map<String, Object> entry = object(entries.get(i), entryAt);
            String destination = requiredString(entry, "destination", entryAt);
            if (!destination.startsWith("/")) {
                // runc: deprecated, and taken as relative to /
                Warnings.print(source + ": " + entryAt.field("destination") + ": a relative destination is deprecated; "
                        + "taken as /" + destination);
                destination = "/" + destination;
            }
            List<Spec.IdMapping> uidMappings = decodeIdMappings(entry.get("uidMappings"), entryAt.field("uidMappings"));
            List<Spec.IdMapping> gidMappings = decodeIdMappings(entry.get("gidMappings"), entryAt.field("gidMappings"));
            String type = optionalString(entry, "type", entryAt);
            String source = optionalString(entry, "source", entryAt);
            List<String> options = stringList(entry.get("options"), entryAt.field("options"));
            mounts.add(new Spec.Mount(destination, type, source, options, uidMappings, gidMappings));
        }
        return Collections.unmodifiableList(mounts);
    }

    // ---------------------------------------------------------------- linux

    private Spec.Linux decodeLinux(Map<String, Object> linux, JsonPath at) {
        List<Spec.Namespace> namespaces = decodeNamespaces(linux.get("namespaces"), at.field("namespaces"));
        List<Spec.IdMapping> uidMappings = decodeIdMappings(linux.get("uidMappings"), at.field("uidMappings"));
        List<Spec.IdMapping> gidMappings = decodeIdMappings(linux.get("gidMappings"), at.field("gidMappings"));
        checkUserNamespace(namespaces, uidMappings, gidMappings, at);
        List<Spec.Device> devices = decodeDevices(linux.get("devices"), at.field("devices"));
        String cgroupsPath = optionalString(linux, "cgroupsPath", at);
        Map<String, Object> resourcesObject = optionalObject(linux, "resources", at);
        Resources resources = resourcesObject == null ? null
                : new ResourcesDecoder(this, source).decode(resourcesObject, at.field("resources"));
        String rootfsPropagation = optionalString(linux, "rootfsPropagation", at);
        if (rootfsPropagation != null && !isPropagation(rootfsPropagation)) {
            throw fail(at.field("rootfsPropagation"), "unknown propagation " + Json.quote(rootfsPropagation)
                    + " (expected one of: " + String.join(", ", PROPAGATIONS) + ")");
        }
        List<String> maskedPaths = absolutePaths(linux.get("maskedPaths"), at.field("maskedPaths"));
        List<String> readonlyPaths = absolutePaths(linux.get("readonlyPaths"), at.field("readonlyPaths"));
        Map<String, String> sysctl = stringMap(linux.get("sysctl"), at.field("sysctl"));
        Map<String, Object> seccompObject = optionalObject(linux, "seccomp", at);
        Seccomp seccomp = seccompObject == null ? null : decodeSeccomp(seccompObject, at.field("seccomp"));
        String mountLabel = optionalString(linux, "mountLabel", at);
        Map<String, Object> personality = optionalObject(linux, "personality", at);
        Map<String, Object> memoryPolicy = optionalObject(linux, "memoryPolicy", at);
        List<Spec.TimeOffset> timeOffsets = decodeTimeOffsets(optionalObject(linux, "timeOffsets", at), namespaces, at.field("timeOffsets"));
        return new Spec.Linux(namespaces, uidMappings, gidMappings, devices, cgroupsPath, resources,
                rootfsPropagation, maskedPaths, readonlyPaths, sysctl, seccomp, mountLabel,
                personality == null ? null : decodePersonality(personality, at.field("personality")), timeOffsets,
                memoryPolicy == null ? null : decodeMemoryPolicy(memoryPolicy, at.field("memoryPolicy")),
                decodeNetDevices(optionalObject(linux, "netDevices", at), at.field("netDevices")),
                optionalObject(linux, "intelRdt", at) != null);
    }

    // ---------------------------------------------------------------- linux.seccomp

    /**
     * As runc reads it (libcontainer/specconv SetupSeccomp, seccomp InitSeccomp): names, actions,
     * operators and architectures checked here; whether this host's libseccomp and kernel support
     * a flag, and which names it knows, is for the compiler. No default action and no rules at
     * all is no filter (null), as in runc.
     */
    private Seccomp decodeSeccomp(Map<String, Object> seccomp, JsonPath at) {
        String defaultName = optionalString(seccomp, "defaultAction", at);
        List<Object> entries = seccomp.get("syscalls") == null ? List.of() : array(seccomp.get("syscalls"), at.field("syscalls"));
        if (defaultName == null && entries.isEmpty()) return null;
        if (defaultName == null) throw fail(at.field("defaultAction"), "required when syscalls are given");
        Seccomp.Action defaultAction = seccompAction(defaultName, at.field("defaultAction"));
        if (defaultAction == Seccomp.Action.NOTIFY) {
            // runc's reason: the runtime must still write to hand the listener over.
            throw fail(at.field("defaultAction"), "SCMP_ACT_NOTIFY cannot be the default action");
        }
        Object errno = seccomp.get("defaultErrnoRet");
        Long defaultErrnoRet = errno == null ? null : uint32(errno, at.field("defaultErrnoRet"));
        List<String> architectures = stringList(seccomp.get("architectures"), at.field("architectures"));
        for (int i = 0; i < architectures.size(); i++) {
            if (!Seccomp.ARCHITECTURES.containsKey(architectures.get(i))) {
                throw fail(at.field("architectures").index(i), "unknown architecture " + Json.quote(architectures.get(i))
                        + " (expected one of: " + String.join(", ", Seccomp.ARCHITECTURES.keySet()) + ")");
            }
        }
        List<String> flags = seccomp.get("flags") == null ? null : stringList(seccomp.get("flags"), at.field("flags"));
        for (int i = 0; flags != null && i < flags.size(); i++) {
            oneOf(flags.get(i), Seccomp.FLAGS, at.field("flags").index(i));
        }
        String listenerPath = optionalString(seccomp, "listenerPath", at);
        List<Seccomp.Rule> rules = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            rules.add(decodeSeccompRule(object(entries.get(i), at.field("syscalls").index(i)), at.field("syscalls").index(i)));
        }
        Seccomp decoded = new Seccomp(defaultAction, defaultErrnoRet, architectures, flags, listenerPath,
                optionalString(seccomp, "listenerMetadata", at), Collections.unmodifiableList(rules));
        if (decoded.notifies() && listenerPath == null) {
            throw fail(at.field("listenerPath"), "required: a rule has the action SCMP_ACT_NOTIFY");
        }
        return decoded;
    }

    private Seccomp.Rule decodeSeccompRule(Map<String, Object> rule, JsonPath at) {
        List<String> names = stringList(rule.get("names"), at.field("names"));
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) throw fail(at.field("names").index(i), "an empty string is not a system call");
        }
        Seccomp.Action action = seccompAction(requiredString(rule, "action", at), at.field("action"));
        if (action == Seccomp.Action.NOTIFY && names.contains("write")) {
            // runc's reason: init writes to its parent after loading the filter, and would wait forever.
            throw fail(at.field("names").index(names.indexOf("write")), "SCMP_ACT_NOTIFY cannot be used for the write system call");
        }
        Object errno = rule.get("errnoRet");
        Long errnoRet = errno == null ? null : uint32(errno, at.field("errnoRet"));
        List<Object> argEntries = rule.get("args") == null ? List.of() : array(rule.get("args"), at.field("args"));
        List<Seccomp.Arg> args = new ArrayList<>(argEntries.size());
        for (int i = 0; i < argEntries.size(); i++) {
            JsonPath argAt = at.field("args").index(i);
            Map<String, Object> arg = object(argEntries.get(i), argAt);
            long index = uint32(required(arg, "index", argAt), argAt.field("index"));
            if (index > 5) throw fail(argAt.field("index"), "must be between 0 and 5 (a system call has at most 6 arguments), got " + index);
            String opName = requiredString(arg, "op", argAt);
            Seccomp.Operator op = Seccomp.Operator.bySpecName(opName);
            if (op == null) {
                List<String> known = new ArrayList<>();
                for (Seccomp.Operator o : Seccomp.Operator.values()) known.add(o.specName());
                throw fail(argAt.field("op"), "unknown operator " + Json.quote(opName) + " (expected one of: " + String.join(", ", known) + ")");
            }
            args.add(new Seccomp.Arg((int) index, optionalUint64(arg, "value", argAt), optionalUint64(arg, "valueTwo", argAt), op));
        }
        return new Seccomp.Rule(names, action, errnoRet, Collections.unmodifiableList(args));
    }

    private Seccomp.Action seccompAction(String name, JsonPath at) {
        Seccomp.Action action = Seccomp.Action.bySpecName(name);
        if (action != null) return action;
        List<String> known = new ArrayList<>();
        for (Seccomp.Action a : Seccomp.Action.values()) known.add(a.specName());
        throw fail(at, "unknown action " + Json.quote(name) + " (expected one of: " + String.join(", ", known) + ")");
    }

    private Spec.Personality decodePersonality(Map<String, Object> personality, JsonPath at) {
        String domain = requiredString(personality, "domain", at);
        int persona = switch (domain) {
            case "LINUX" -> 0;
            case "LINUX32" -> 8; // PER_LINUX32
            default -> throw fail(at.field("domain"), "unknown value " + Json.quote(domain) + " (expected one of: LINUX, LINUX32)");
        };
        if (!stringList(personality.get("flags"), at.field("flags")).isEmpty()) {
            throw fail(at.field("flags"), "no personality flags are supported (the spec defines none)");
        }
        return new Spec.Personality(persona);
    }

    /** Only these two clocks have offsets in a time namespace (time_namespaces(7)). */
    private List<Spec.TimeOffset> decodeTimeOffsets(Map<String, Object> offsets, List<Spec.Namespace> namespaces, JsonPath at) {
        if (offsets == null || offsets.isEmpty()) return List.of();
        Spec.Namespace time = null;
        for (Spec.Namespace namespace : namespaces) if (namespace.type() == NamespaceType.TIME) time = namespace;
        if (time == null) throw fail(at, "given, but linux.namespaces has no time namespace");
        if (time.path() != null) throw fail(at, "given, but the time namespace is joined by path: offsets are for a new one");
        List<Spec.TimeOffset> decoded = new ArrayList<>();
        for (Map.Entry<String, Object> entry : offsets.entrySet()) {
            JsonPath clockAt = at.field(entry.getKey());
            if (!entry.getKey().equals("monotonic") && !entry.getKey().equals("boottime")) {
                throw fail(clockAt, "a time namespace offsets only the monotonic and boottime clocks");
            }
            Map<String, Object> offset = object(entry.getValue(), clockAt);
            long secs = optionalInteger(offset, "secs", clockAt);
            long nanosecs = offset.get("nanosecs") == null ? 0 : uint32(offset.get("nanosecs"), clockAt.field("nanosecs"));
            if (nanosecs >= 1_000_000_000L) throw fail(clockAt.field("nanosecs"), "must be below 1000000000, got " + nanosecs);
            decoded.add(new Spec.TimeOffset(entry.getKey(), secs, nanosecs));
        }
        return Collections.unmodifiableList(decoded);
    }

    private static final List<String> MPOL_MODES = List.of("MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND",
            "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE");

    /** As runc checks it: some modes take no nodes, some at least one. */
    private Spec.MemoryPolicy decodeMemoryPolicy(Map<String, Object> policy, JsonPath at) {
        String mode = requiredString(policy, "mode", at);
        int number = oneOf(mode, MPOL_MODES, at.field("mode"));
        java.util.BitSet nodes = cpuList(optionalString(policy, "nodes", at), at.field("nodes"));
        int count = nodes == null ? 0 : nodes.cardinality();
        if ((mode.equals("MPOL_DEFAULT") || mode.equals("MPOL_LOCAL")) && count != 0) {
            throw fail(at.field("nodes"), mode + " takes no nodes");
        }
        if (!mode.equals("MPOL_DEFAULT") && !mode.equals("MPOL_LOCAL") && !mode.equals("MPOL_PREFERRED") && count == 0) {
            throw fail(at.field("nodes"), mode + " needs at least one node");
        }
        int flags = 0;
        List<String> names = stringList(policy.get("flags"), at.field("flags"));
        for (int i = 0; i < names.size(); i++) {
            flags |= switch (names.get(i)) {
                case "MPOL_F_NUMA_BALANCING" -> 1 << 13;
                case "MPOL_F_RELATIVE_NODES" -> 1 << 14;
                case "MPOL_F_STATIC_NODES" -> 1 << 15;
                default -> throw fail(at.field("flags").index(i), "unknown value " + Json.quote(names.get(i))
                        + " (expected one of: MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)");
            };
        }
        return new Spec.MemoryPolicy(number, nodes == null ? new java.util.BitSet() : nodes, flags);
    }

    /** Names as the kernel takes them (dev_valid_name): 1 to 15 bytes, not . or .., no '/', ':' or space. */
    private Map<String, String> decodeNetDevices(Map<String, Object> devices, JsonPath at) {
        if (devices == null) return Map.of();
        Map<String, String> decoded = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : devices.entrySet()) {
            JsonPath deviceAt = at.field(entry.getKey());
            checkDeviceName(entry.getKey(), deviceAt);
            String name = optionalString(object(entry.getValue(), deviceAt), "name", deviceAt);
            if (name != null) checkDeviceName(name, deviceAt.field("name"));
            decoded.put(entry.getKey(), name == null ? entry.getKey() : name);
        }
        return Collections.unmodifiableMap(decoded);
    }

    private void checkDeviceName(String name, JsonPath at) {
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15 || name.equals(".")
                || name.equals("..") || name.contains("/") || name.contains(":") || name.contains(" ")) {
            throw fail(at, "invalid network device name " + Json.quote(name));
        }
    }

    private List<Spec.Namespace> decodeNamespaces(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> entries = array(value, at);
        List<Spec.Namespace> namespaces = new ArrayList<>(entries.size());
        int[] firstIndexOfType = new int[NamespaceType.values().length];
        java.util.Arrays.fill(firstIndexOfType, -1);
        for (int i = 0; i < entries.size(); i++) {
            JsonPath entryAt = at.index(i);
            Map<String, Object> entry = object(entries.get(i), entryAt);
            String name = requiredString(entry, "type", entryAt);
            NamespaceType type = NamespaceType.bySpecName(name);
            if (type == null) {
                throw fail(entryAt.field("type"), "unknown namespace type " + Json.quote(name)
                        + " (expected one of: " + NamespaceType.specNames() + ")");
            }
            int first = firstIndexOfType[type.ordinal()];
            if (first >= 0) {
                throw fail(entryAt.field("type"), "duplicate namespace type " + Json.quote(name)
                        + " (also " + at.index(first) + ")");
            }
            firstIndexOfType[type.ordinal()] = i;
            String path = optionalString(entry, "path", entryAt);
            if (path != null) {
                requireAbsolute(path, entryAt.field("path"));
            }
            namespaces.add(new Spec.Namespace(type, path));
        }
        return Collections.unmodifiableList(namespaces);
    }

    private List<Spec.IdMapping> decodeIdMappings(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> entries = array(value, at);
        List<Spec.IdMapping> mappings = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath entryAt = at.index(i);
            Map<String, Object> entry = object(entries.get(i), entryAt);
            long containerId = uint32(required(entry, "containerID", entryAt), entryAt.field("containerID"));
            long hostId = uint32(required(entry, "hostID", entryAt), entryAt.field("hostID"));
            long size = uint32(required(entry, "size", entryAt), entryAt.field("size"));
            if (size == 0) {
                throw fail(entryAt.field("size"), "must be at least 1");
            }
            // The kernel refuses a range that wraps past the last id; say which end does.
            if (containerId + size - 1 > UINT32_MAX) {
                throw fail(entryAt, "containerID " + containerId + " + size " + size
                        + " runs past the last id, 4294967295");
            }
            if (hostId + size - 1 > UINT32_MAX) {
                throw fail(entryAt, "hostID " + hostId + " + size " + size
                        + " runs past the last id, 4294967295");
            }
            mappings.add(new Spec.IdMapping(containerId, hostId, size));
        }
        return Collections.unmodifiableList(mappings);
    }

    /**
     * Id mappings only mean something in a user namespace, and a new user namespace is unusable
     * without them (runc refuses both cases too). A joined one (with a path) already has its maps.
     */
    private void checkUserNamespace(List<Spec.Namespace> namespaces, List<Spec.IdMapping> uidMappings,
                                    List<Spec.IdMapping> gidMappings, JsonPath at) {
        int userIndex = -1;
        for (int i = 0; i < namespaces.size(); i++) {
            if (namespaces.get(i).type() == NamespaceType.USER) {
                userIndex = i;
            }
        }
        if (userIndex < 0) {
            if (!uidMappings.isEmpty()) {
                throw fail(at.field("uidMappings"), "given, but linux.namespaces has no user namespace");
            }
            if (!gidMappings.isEmpty()) {
                throw fail(at.field("gidMappings"), "given, but linux.namespaces has no user namespace");
            }
            return;
        }
        if (namespaces.get(userIndex).path() == null) {
            String why = "required when a new user namespace is created (linux.namespaces[" + userIndex
                    + "] has type \"user\" and no path)";
            if (uidMappings.isEmpty()) {
                throw fail(at.field("uidMappings"), why);
            }
            if (gidMappings.isEmpty()) {
                throw fail(at.field("gidMappings"), why);
            }
        }
    }

    private List<Spec.Device> decodeDevices(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> entries = array(value, at);
        List<Spec.Device> devices = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath entryAt = at.index(i);
            Map<String, Object> entry = object(entries.get(i), entryAt);
            String path = requiredString(entry, "path", entryAt);
            requireAbsolute(path, entryAt.field("path"));
            String code = requiredString(entry, "type", entryAt);
            DeviceType type = DeviceType.byCode(code);
            if (type == null) {
                throw fail(entryAt.field("type"), "unknown device type " + Json.quote(code)
                        + " (expected one of: c, b, u, p)");
            }
            long major = deviceNumber(entry, "major", type, entryAt);
            long minor = deviceNumber(entry, "minor", type, entryAt);
            Integer fileMode = null;
            Object modeValue = entry.get("fileMode");
            if (modeValue != null) {
                long mode = uint32(modeValue, entryAt.field("fileMode"));
                if (mode > DEVICE_FILE_MODE_MAX) {
                    throw fail(entryAt.field("fileMode"), "not a file mode: " + mode
                            + " (expected permission bits such as 438, which is 0666)");
                }
                fileMode = (int) mode;
            }
            Object uidValue = entry.get("uid");
            Long uid = uidValue == null ? null : uint32(uidValue, entryAt.field("uid"));
            Object gidValue = entry.get("gid");
            Long gid = gidValue == null ? null : uint32(gidValue, entryAt.field("gid"));
            devices.add(new Spec.Device(path, type, major, minor, fileMode, uid, gid));
        }
        return Collections.unmodifiableList(devices);
    }

    private long deviceNumber(Map<String, Object> device, String key, DeviceType type, JsonPath at) {
        Object value = device.get(key);
        if (value == null) {
            if (type.hasDeviceNumbers()) {
                throw fail(at.field(key), "required for a device of type " + type.code());
            }
            return 0;
        }
        long number = integer(value, at.field(key));
        if (number < 0) {
            throw fail(at.field(key), "must not be negative, got " + number);
        }
        return number;
    }

    private List<String> absolutePaths(Object value, JsonPath at) {
        List<String> paths = stringList(value, at);
        for (int i = 0; i < paths.size(); i++) {
            requireAbsolute(paths.get(i), at.index(i));
        }
        return paths;
    }

    private static boolean isPropagation(String value) {
        for (String propagation : PROPAGATIONS) {
            if (propagation.equals(value)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- typed access

    private Object required(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        if (value == null) {
            throw fail(at.field(key), "required");
        }
        return value;
    }

    private String requiredString(Map<String, Object> object, String key, JsonPath at) {
        String value = string(required(object, key, at), at.field(key));
        if (value.isEmpty()) {
            throw fail(at.field(key), "required, and must not be empty");
        }
        return value;
    }

    private Map<String, Object> requiredObject(Map<String, Object> object, String key, JsonPath at) {
        return object(required(object, key, at), at.field(key));
    }

    /** An optional string; absent, null and "" are all null (Go's omitempty makes them the same). */
    private String optionalString(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        if (value == null) {
            return null;
        }
        String s = string(value, at.field(key));
        return s.isEmpty() ? null : s;
    }

    /** An optional int64, 0 when absent (the spec's "if not set, the runtime must use the value 0"). */
    private long optionalInteger(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        return value == null ? 0 : integer(value, at.field(key));
    }

    private long optionalUint64(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        return value == null ? 0 : uint64(value, at.field(key));
    }

    private boolean optionalBoolean(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean b)) {
            throw fail(at.field(key), "expected true or false, got " + kind(value));
        }
        return b;
    }

    private Map<String, Object> optionalObject(Map<String, Object> object, String key, JsonPath at) {
        Object value = object.get(key);
        return value == null ? null : object(value, at.field(key));
    }

    private String string(Object value, JsonPath at) {
        if (value instanceof String s) {
            return s;
        }
        throw fail(at, "expected a string, got " + kind(value));
    }

    private Map<String, Object> object(Object value, JsonPath at) {
        if (value instanceof Map<?, ?>) {
            return asObject(value);
        }
        throw fail(at, "expected an object, got " + kind(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value) {
        return (Map<String, Object>) value; // the parser only makes String-keyed maps
    }

    @SuppressWarnings("unchecked")
    private List<Object> array(Object value, JsonPath at) {
        if (value instanceof List<?>) {
            return (List<Object>) value;
        }
        throw fail(at, "expected an array, got " + kind(value));
    }

    /** An array of strings; absent (null) is empty. */
    private List<String> stringList(Object value, JsonPath at) {
        if (value == null) {
            return List.of();
        }
        List<Object> elements = array(value, at);
        List<String> strings = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            strings.add(string(elements.get(i), at.index(i)));
        }
        return Collections.unmodifiableList(strings);
    }

    /** An object whose values are all strings (annotations, sysctl); absent is empty. */
    private Map<String, String> stringMap(Object value, JsonPath at) {
        if (value == null) {
            return Map.of();
        }
        Map<String, Object> object = object(value, at);
        Map<String, String> strings = new LinkedHashMap<>(object.size() * 2);
        for (Map.Entry<String, Object> entry : object.entrySet()) {
            strings.put(entry.getKey(), string(entry.getValue(), at.field(entry.getKey())));
        }
        return Collections.unmodifiableMap(strings);
    }

    /** A JSON integer that fits in a signed 64-bit value (int64 fields). */
    private long integer(Object value, JsonPath at) {
        if (value instanceof Long l) {
            return l;
        }
        BigInteger big = bigInteger(value, at);
        throw fail(at, "must be between -9223372036854775808 and 9223372036854775807, got " + big);
    }

    private long uint32(Object value, JsonPath at) {
        if (value instanceof Long l) {
            long n = l;
            if (n < 0) {
                throw fail(at, "must not be negative, got " + n);
            }
            if (n > UINT32_MAX) {
                throw fail(at, "must be at most 4294967295, got " + n);
            }
            return n;
        }
        BigInteger big = bigInteger(value, at);
        throw fail(at, big.signum() < 0 ? "must not be negative, got " + big
                : "must be at most 4294967295, got " + big);
    }

    /** An unsigned 64-bit value, returned as its bits (18446744073709551615 is -1L). */
    private long uint64(Object value, JsonPath at) {
        if (value instanceof Long l) {
            if (l < 0) {
                throw fail(at, "must not be negative, got " + l);
            }
            return l;
        }
        BigInteger big = bigInteger(value, at);
        if (big.signum() < 0) {
            throw fail(at, "must not be negative, got " + big);
        }
        if (big.compareTo(UINT64_MAX) > 0) {
            throw fail(at, "must be at most 18446744073709551615, got " + big);
        }
        return big.longValue();
    }

    /**
     * A number too large for a long; only integers written without fraction or exponent count,
     * as in Go, so {@code 1.0} and {@code 1e3} are not integers.
     */
    private BigInteger bigInteger(Object value, JsonPath at) {
        if (value instanceof BigDecimal d && d.scale() == 0) {
            return d.toBigIntegerExact();
        }
        if (value instanceof BigDecimal d) {
            throw fail(at, "expected an integer, got " + d);
        }
        throw fail(at, "expected an integer, got " + kind(value));
    }

    private void requireAbsolute(String path, JsonPath at) {
        if (!path.startsWith("/")) {
            throw fail(at, "must be an absolute path, got " + Json.quote(path));
        }
    }

    // ---------------------------------------------------------------- messages

    /** What a JSON value is, for "expected ..., got X". */
    static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** "cap_net_admin" and "NET_ADMIN" both become "CAP_NET_ADMIN", for a hint. */
    private static String canonicalName(String name, String prefix) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.startsWith(prefix) ? upper : prefix + upper;
    }

    private static String didYouMean(String given, Enum<?> match) {
        if (match == null || match.name().equals(given)) {
            return "";
        }
        return " (did you mean \"" + match.name() + "\"?)";
    }

    /** Longer reasons are cut in the middle: a value quoted in full could be megabytes. */
    private static final int MAX_REASON = 1000;

    SpecException fail(JsonPath at, String reason) {
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 40) + "…(" + reason.length() + " characters)…"
                    + reason.substring(reason.length() - 20);
        }
        if (at.isRoot()) {
            return new SpecException(source + ": " + reason, null, null);
        }
        String path = at.toString();
        return new SpecException(source + ": " + path + ": " + reason, path, null);
    }
}
