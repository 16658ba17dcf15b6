package hako.container;

import hako.state.Status;
import hako.cgroup.CgroupPlan;
import hako.spec.Hook;
import hako.net.NetworkRequest;
import hako.security.IdMaps;
import hako.stage.Op;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One step of building a container, as data: {@link ContainerPlan} lists them in the order they
 * happen, {@code hako plan} prints them, and {@link Builder} carries them out, each by one case
 * of its switch. A step names who performs it: the runtime itself, the stage (before the clone)
 * or the container's init (a batch of {@link Op}s).
 */
sealed interface Step {
    /** Who performs the step, for {@code hako plan}'s headings: the runtime, unless said. */
    default String who() {
        return "runtime";
    }

    /** What the step does, in words. */
    String title();

    /** The step's lines below its title, each an operation as the kernel sees it. */
    default List<String> lines() {
        return List.of();
    }

    /** The id claimed (its state directory made and locked) and the first state saved in it. */
    record ClaimState(Path dir) implements Step {
        public String title() {
            return "claim the id and save the first state (status creating)";
        }

        public List<String> lines() {
            return List.of("mkdir " + dir + " (0700), flock it, write state.json (0600)");
        }
    }

    /**
     * The container's address and ports reserved and its hosts, hostname and resolv.conf written
     * (docs/network.md); nothing on the host's network changes yet.
     */
    record PrepareNetwork(NetworkRequest request, String hostname, Path files) implements Step {
        public String title() {
            return "reserve the container's network";
        }

        public List<String> lines() {
            NetworkRequest r = request;
            String what = switch (r.mode()) {
                case BRIDGE -> "an address on network \"" + r.network() + "\"" + (r.address() != null ? ": " + r.address() : "")
                        + (r.ports().isEmpty() ? "" : ", host ports " + r.ports())
                        + (r.allowFrom().isEmpty() ? "" : ", reachable only from " + r.allowFrom())
                        + ", egress " + r.egress();
                case NONE -> "a network namespace with loopback only";
                case HOST -> "the host's network";
                case CONTAINER -> "the network namespace of container \"" + r.container() + "\"";
                case UNMANAGED -> throw new IllegalStateException();
            };
            return List.of("reserve " + what, "write " + files.resolve("hosts") + ", hostname (" + hostname + "), resolv.conf");
        }
    }

    /** create: the fifo on which init waits for {@code hako start}. */
    record MakeFifo(Path path) implements Step {
        public String title() {
            return "make the exec fifo";
        }

        public List<String> lines() {
            return List.of("mkfifo " + path + " (0622), open(O_PATH) for init");
        }
    }

    /** The container's cgroup, its limits and device filter in force before any process is in it. */
    record MakeCgroup(CgroupPlan cgroup) implements Step {
        public String title() {
            return "make the container's cgroup (v2)";
        }

        public List<String> lines() {
            return cgroup.describe();
        }
    }

    /** The cgroup handed to the container's user namespace, as runc delegates it. */
    record DelegateCgroup(hako.cgroup.Delegation delegation, Path cgroup) implements Step {
        public String title() {
            return "delegate the cgroup to the container's user";
        }

        public List<String> lines() {
            return List.of(delegation.render(cgroup));
        }
    }

    /**
     * The user namespaces the runtime makes for the id-mapped mounts: a short-lived process each,
     * whose ns/user goes to the stage after the namespaces it joins.
     */
    record MakeMountUserNamespaces(List<IdMaps> maps) implements Step {
        public String title() {
            return "make a user namespace for each set of id-mapped mounts";
        }

        public List<String> lines() {
            List<String> lines = new java.util.ArrayList<>();
            for (int i = 0; i < maps.size(); i++) lines.addAll(maps.get(i).render("USERNS" + i));
            return lines;
        }
    }

    /** The stage's batch: the namespaces joined and made, then the clone that makes init. */
    record CloneInit(List<Op> ops) implements Step {
        public String who() {
            return "stage";
        }

        public String title() {
            return "enter the new namespaces and clone init";
        }

        public List<String> lines() {
            return render(ops);
        }
    }

    /** The container's state saved again, now with its init's pid and start time. */
    record SaveState(Status status) implements Step {
        public String title() {
            return "save the state (status " + status + ")";
        }
    }

    /** init's new user namespace mapped, while init waits for its first batch. */
    record MapUserNamespace(IdMaps maps) implements Step {
        public String title() {
            return "map init's user namespace (init waits for its first batch)";
        }

        public List<String> lines() {
            return maps.render("INIT");
        }
    }

    /** The veth, address, routes and firewall rules, once init lives in its network namespace. */
    record WireNetwork(NetworkRequest request) implements Step {
        public String title() {
            return "wire the container's network";
        }

        public List<String> lines() {
            return switch (request.mode()) {
                case BRIDGE -> List.of("nft: the container's chains, address and port elements (docs/network.md)",
                        "ip link add veth pair, host end on the network's bridge, peer into init's netns as eth0",
                        "in init's netns: lo up, eth0 up with the reserved address, default route via the gateway");
                case NONE -> List.of("in init's netns: lo up");
                default -> List.of("record init as the namespace's owner");
            };
        }
    }

    /** linux.netDevices: host devices moved into init's network namespace. */
    record MoveNetDevices(Map<String, String> devices) implements Step {
        public String title() {
            return "move network devices into the container (linux.netDevices)";
        }

        public List<String> lines() {
            return devices.entrySet().stream().map(e -> "ip link set " + e.getKey() + " netns INIT name " + e.getValue()).toList();
        }
    }

    /** A batch init runs; {@code terminal}: its reply carries the terminal's master. */
    record InitBatch(String title, List<Op> ops) implements Step {
        public String who() {
            return "init";
        }

        public List<String> lines() {
            return render(ops);
        }

        boolean opensTerminal() {
            return ops.stream().anyMatch(op -> op instanceof Op.Pty);
        }
    }

    /** Where hooks run (runc's places; see {@link hako.hooks.HookRunner.Place}). */
    enum HookPlace {
        /** On the host, in the bundle directory. */
        HOST,
        /** In the container's namespaces before pivot_root, in the rootfs. */
        CONTAINER_BEFORE_PIVOT,
        /** In the container, as its process. */
        AS_THE_PROCESS
    }

    /** One kind of hooks, each started in turn by a stage of its own. */
    record RunHooks(String kind, List<Hook> hooks, HookPlace place) implements Step {
        public String title() {
            return "run the " + kind + " hooks (" + switch (place) {
                case HOST -> "on the host, in the bundle";
                case CONTAINER_BEFORE_PIVOT -> "in the container's namespaces, before pivot_root";
                case AS_THE_PROCESS -> "in the container, as its process";
            } + ")";
        }

        public List<String> lines() {
            return hooks.stream().map(hook -> "execve(\"" + hook.path() + "\", " + hook.args() + ")"
                    + (hook.timeout() != null ? ", killed after " + hook.timeout() + " s" : "")).toList();
        }

        /** poststart: a failure is a warning and the container goes on (the runtime spec). */
        boolean warnOnFailure() {
            return kind.equals(hako.spec.Hooks.POSTSTART);
        }
    }

    /** --pid-file and --pidfd-socket: init's pid, and a pidfd of it, handed to the caller. */
    record HandOverPid(Path pidFile, String pidfdSocket) implements Step {
        public String title() {
            return "hand init's pid to the caller";
        }

        public List<String> lines() {
            List<String> lines = new java.util.ArrayList<>();
            if (pidFile != null) lines.add("write " + pidFile + " (a temporary file renamed into place)");
            if (pidfdSocket != null) lines.add("pidfd_open(INIT), sendmsg(" + pidfdSocket + ", SCM_RIGHTS)");
            return lines;
        }
    }

    /** --console-socket: the terminal's master sent to the caller. */
    record SendTerminal(String consoleSocket) implements Step {
        public String title() {
            return "send the terminal's master to the console socket";
        }

        public List<String> lines() {
            return List.of("sendmsg(" + consoleSocket + ", SCM_RIGHTS)");
        }
    }

    /** create: init's last batch, sent without waiting; init waits on the fifo, then execs. */
    record AwaitStart(List<Op> ops) implements Step {
        public String who() {
            return "init";
        }

        public String title() {
            return "wait for `hako start`, then exec (the runtime does not wait)";
        }

        public List<String> lines() {
            return render(ops);
        }
    }

    /** run: init's last batch; once it has exec'd, the container runs. */
    record Exec(List<Op> ops) implements Step {
        public String who() {
            return "init";
        }

        public String title() {
            return "exec the container's process";
        }

        public List<String> lines() {
            return render(ops);
        }
    }

    /** run: the container is built; others may pause, update, exec in or delete it from here on. */
    record Unlock() implements Step {
        public String title() {
            return "let go of the container's lock";
        }
    }

    private static List<String> render(List<Op> ops) {
        return ops.stream().map(Op::render).toList();
    }
}
