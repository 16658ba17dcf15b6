package hako.sys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a recording fake of the machine was asked, one line per call in order, and the failures it
 * was told to give: a call whose line starts with a given prefix fails once, with a chosen errno.
 * The fake decides what the line says and how the failure is thrown.
 */
public final class CallLog {
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Integer> failures = new LinkedHashMap<>();

    public void record(String call) {
        calls.add(call);
    }

    /** Records the call; the errno it must fail with, or null. */
    public Integer recordAndFail(String call) {
        record(call);
        for (Map.Entry<String, Integer> failure : failures.entrySet()) {
            if (call.startsWith(failure.getKey())) {
                failures.remove(failure.getKey());
                return failure.getValue();
            }
        }
        return null;
    }

    /** The next call whose line starts with {@code call} fails with {@code errno} (once). */
    public void failOn(String call, int errno) {
        failures.put(call, errno);
    }

    /** Every call so far, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** The calls whose first word is one of {@code verbs}, in order. */
    public List<String> calls(String... verbs) {
        List<String> wanted = Arrays.asList(verbs);
        return calls.stream().filter(c -> wanted.contains(c.split(" ", 2)[0])).toList();
    }

    public void forget() {
        calls.clear();
    }
}
