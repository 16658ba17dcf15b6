package hako.cgroup;

import hako.Warnings;
import hako.config.HostPolicy;

/**
 * A limit this host cannot enforce (its controller bound to cgroup v1, or no v2 tree at all).
 * Refused by default, and the refusal names the setting that runs the container without it: the
 * one line is all a Kubernetes user sees (containerd's pause asks for cpu.shares on every pod).
 * Under that host policy, a warning, and the caller drops the limit.
 */
final class UnenforceableLimits {
    private UnenforceableLimits() {}

    static void refuseOrWarn(String problem) {
        refuseOrWarn(HostPolicy.current(), problem);
    }

    static void refuseOrWarn(HostPolicy policy, String problem) {
        if (!policy.warnOnUnenforceableLimits()) {
            String file = policy.source() != null ? policy.source() : HostPolicy.DEFAULT_FILE.toString();
            throw new CgroupException(problem + "; set [cgroup] unenforceable-limits = \"warn\" in " + file
                    + " to run without it");
        }
        Warnings.print(problem + "; not enforced, as " + policy.source() + " says (unenforceable-limits = \"warn\")");
    }
}
