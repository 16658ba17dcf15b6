package hako.security;

import hako.stage.Op;
import hako.spec.Capability;
import hako.spec.Spec;

import java.util.List;

/**
 * Plans who the container's process is: its resource limits, capabilities, user and groups,
 * no_new_privs and umask — in the order the kernel requires.
 */
public final class Identity {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_KEEPCAPS = 8;

    private Identity() {}

    /** @param setgroups whether setgroups(2) is allowed: not where the user namespace denies it */
    public static void plan(Spec.Process process, boolean setgroups, List<Op> ops) {
        for (Spec.Rlimit rlimit : process.rlimits()) {
            ops.add(new Op.SetRlimit(rlimit.type().resource(), rlimit.type().name(), rlimit.soft(), rlimit.hard()));
        }
        if (process.oomScoreAdj() != null) {
            ops.add(new Op.WriteProc("self/oom_score_adj", Integer.toString(process.oomScoreAdj())));
        }
        Spec.Capabilities caps = process.capabilities();
        if (caps != null) {
            // Dropping from the bounding set needs CAP_SETPCAP, which the switch of user takes away;
            // KEEPCAPS keeps the permitted set across it so capset can choose from it afterwards.
            ops.add(new Op.Bounding(Capability.mask(caps.bounding())));
            ops.add(new Op.Prctl(PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS", 1));
        }
        Spec.User user = process.user();
        if (setgroups) ops.add(new Op.SetGroups(user.additionalGids()));
        ops.add(new Op.SetResgid(user.gid()));
        ops.add(new Op.SetResuid(user.uid()));
        if (caps != null) {
            ops.add(new Op.Prctl(PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS", 0));
            long permitted = Capability.mask(caps.permitted());
            long inheritable = Capability.mask(caps.inheritable());
            // The kernel raises an ambient capability only when it is both permitted and
            // inheritable. runc's own default spec lists ambient without inheritable: like runc
            // and crun, raise what can be raised and leave the rest.
            long ambient = Capability.mask(caps.ambient()) & permitted & inheritable;
            ops.add(new Op.Caps(Capability.mask(caps.effective()), permitted, inheritable, ambient));
        }
        if (process.noNewPrivileges()) {
            ops.add(new Op.Prctl(PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS", 1));
        }
        ops.add(new Op.Umask(user.umask() == null ? 0022 : (int) (long) user.umask()));
    }
}
