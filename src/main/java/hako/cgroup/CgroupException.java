package hako.cgroup;

/**
 * A cgroup that cannot be made, limited or controlled. The message is one line for a person: the
 * JSON path or the cgroup file involved, and why, for example
 * {@code config.json: linux.resources.memory.swap: 100000 is below the memory limit 200000 (swap counts memory plus swap)}.
 */
public final class CgroupException extends hako.HakoException {
    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
