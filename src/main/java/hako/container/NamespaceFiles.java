package hako.container;

import hako.hooks.HookCalls;
import hako.stage.Op;
import hako.sys.Libc;

import java.util.ArrayList;
import java.util.List;

/** The namespaces a plan joins, opened as descriptors to pass to the stage in the plan's order. */
final class NamespaceFiles {
    private final HookCalls calls;

    NamespaceFiles(HookCalls calls) {
        this.calls = calls;
    }

    int[] open(List<Op> stageBatch) {
        List<Op.SetNs> joins = new ArrayList<>();
        for (Op op : stageBatch) {
            if (op instanceof Op.SetNs join) joins.add(join);
        }
        int[] fds = new int[joins.size()];
        int opened = 0;
        try {
            for (Op.SetNs join : joins) {
                fds[opened] = calls.open(join.path(), Libc.O_RDONLY | Libc.O_CLOEXEC, "opening the namespace " + join.path());
                opened++;
            }
            return fds;
        } catch (RuntimeException e) {
            close(fds, opened);
            throw e;
        }
    }

    void close(int[] fds) {
        close(fds, fds.length);
    }

    private void close(int[] fds, int count) {
        for (int i = 0; i < count; i++) calls.close(fds[i]);
    }
}
