package hako.container;

import hako.stage.Op;
import hako.seccomp.Program;
import hako.json.Json;
import hako.spec.Seccomp;
import hako.spec.Spec;
import hako.stage.StageChannel;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a process's setup batch and, when its seccomp filter notifies an agent (SCMP_ACT_NOTIFY),
 * hands the filter's listener to the agent at {@code listenerPath}, as runc does: the batch ends
 * with the SECCOMP op, whose reply brings the listener; the agent gets it with the container's
 * process state before the process makes another call, which might wait on the agent.
 */
final class SeccompAgent {
    private final ContainerCalls calls;

    SeccompAgent(ContainerCalls calls) {
        this.calls = calls;
    }

    /**
     * @param state the container's state as the agent sees it (OCI "state")
     * @return the descriptors the batch's replies brought besides the listener (a terminal's master)
     */
    int[] run(StageChannel stage, List<Op> batch, Seccomp profile, int pid, Supplier<Map<String, Object>> state) {
        int at = listenerIndex(batch);
        if (at < 0) {
            stage.run(batch);
            return stage.replyFds();
        }
        stage.run(batch.subList(0, at));
        int[] before = stage.replyFds();
        stage.run(batch.subList(at, at + 1));
        int listener = stage.replyFds()[0];
        try {
            calls.sendSeccompListener(profile.listenerPath(), processState(profile, pid, state.get()), listener);
        } finally {
            calls.close(listener);
        }
        if (at + 1 < batch.size()) {
            stage.run(batch.subList(at + 1, batch.size()));
            if (stage.replyFds().length > 0) return stage.replyFds();
        }
        return before;
    }

    private static int listenerIndex(List<Op> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) instanceof Op.Seccomp s && (s.program().flags() & Program.FLAG_NEW_LISTENER) != 0) return i;
        }
        return -1;
    }

    /** The runtime spec's containerProcessState: the listener is its one descriptor, "seccompFd". */
    static byte[] processState(Seccomp profile, int pid, Map<String, Object> state) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("ociVersion", Spec.OCI_VERSION);
        message.put("fds", List.of("seccompFd"));
        message.put("pid", (long) pid);
        if (profile.listenerMetadata() != null) message.put("metadata", profile.listenerMetadata());
        message.put("state", state);
        return Json.write(message).getBytes(StandardCharsets.UTF_8);
    }
}
