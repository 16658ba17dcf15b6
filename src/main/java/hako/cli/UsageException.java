package hako.cli;

/** A command line hako cannot make sense of. */
final class UsageException extends hako.HakoException {
    UsageException(String command, String message) {
        super(command == null ? message : command + ": " + message);
    }
}
