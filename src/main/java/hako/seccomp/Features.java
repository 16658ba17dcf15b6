package hako.seccomp;

import hako.spec.Seccomp;
import hako.sys.Libseccomp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code linux.seccomp} of {@code hako features}, in runc's shape (sorted names, known and supported flags). */
public final class Features {
    private Features() {}

    public static Map<String, Object> describe() {
        Map<String, Object> seccomp = new LinkedHashMap<>();
        boolean enabled = Libseccomp.available();
        seccomp.put("enabled", enabled);
        if (!enabled) return seccomp;
        List<String> actions = new ArrayList<>();
        for (Seccomp.Action action : Seccomp.Action.values()) actions.add(action.specName());
        List<String> operators = new ArrayList<>();
        for (Seccomp.Operator op : Seccomp.Operator.values()) operators.add(op.specName());
        seccomp.put("actions", sorted(actions));
        seccomp.put("operators", sorted(operators));
        seccomp.put("archs", sorted(new ArrayList<>(Seccomp.ARCHITECTURES.keySet())));
        seccomp.put("knownFlags", Seccomp.FLAGS);
        seccomp.put("supportedFlags", supportedFlags());
        return seccomp;
    }

    /** What this kernel and libseccomp can do: LOG from API level 3, SPEC_ALLOW from 4, WAIT_KILLABLE_RECV with libseccomp 2.6. */
    static List<String> supportedFlags() {
        int api = Libseccomp.apiLevel();
        List<String> flags = new ArrayList<>();
        flags.add("SECCOMP_FILTER_FLAG_TSYNC");
        if (api >= 4) flags.add("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        if (api >= 3) flags.add("SECCOMP_FILTER_FLAG_LOG");
        String[] version = Libseccomp.version().split("\\.");
        if (Integer.parseInt(version[0]) > 2 || (Integer.parseInt(version[0]) == 2 && Integer.parseInt(version[1]) >= 6)) {
            flags.add("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        }
        return flags;
    }

    private static List<String> sorted(List<String> names) {
        names.sort(null);
        return names;
    }
}
