package hako.launch;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys that leave an attached container running (docker's and podman's {@code --detach-keys},
 * ctrl-p ctrl-q unless told). Input passes through {@link #filter}; a key that may begin the
 * sequence is held back until the next one shows whether it does, as docker's proxy reader does.
 */
final class DetachKeys {
    static final String DEFAULT = "ctrl-p,ctrl-q";
    private final byte[] sequence;
    private int matched;
    private boolean detached;

    private DetachKeys(byte[] sequence) {
        this.sequence = sequence;
    }

    /**
     * docker's notation: keys separated by commas, each a single character or {@code ctrl-X}
     * (X a letter, or one of {@code @ [ \ ] ^ _}); an empty text turns detaching off.
     */
    static DetachKeys parse(String text) {
        if (text.isEmpty()) return new DetachKeys(new byte[0]);
        List<Byte> keys = new ArrayList<>();
        for (String key : text.split(",", -1)) {
            if (key.length() == 1) {
                keys.add((byte) key.charAt(0));
            } else if (key.length() == 6 && key.startsWith("ctrl-")) {
                char c = Character.toLowerCase(key.charAt(5));
                if (c >= 'a' && c <= 'z') keys.add((byte) (c - 'a' + 1));
                else if ("@[\\]^_".indexOf(c) >= 0) keys.add((byte) (c == '@' ? 0 : c - '[' + 27));
                else throw new LaunchException("--detach-keys: no such key \"" + key + "\"");
            } else {
                throw new LaunchException("--detach-keys: \"" + key + "\" is neither one character nor ctrl-X");
            }
        }
        byte[] sequence = new byte[keys.size()];
        for (int i = 0; i < sequence.length; i++) sequence[i] = keys.get(i);
        return new DetachKeys(sequence);
    }

    /** What of {@code input} goes to the container; nothing more once the sequence is complete. */
    byte[] filter(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length + matched);
        for (byte b : input) {
            if (detached) break;
            if (sequence.length > 0 && b == sequence[matched]) {
                if (++matched == sequence.length) detached = true;
                continue;
            }
            out.write(sequence, 0, matched); // a false start: the held keys were input after all
            matched = 0;
            if (sequence.length > 0 && b == sequence[0]) matched = 1;
            else out.write(b);
        }
        return out.toByteArray();
    }

    boolean detached() {
        return detached;
    }
}
