package hako.cli;

import hako.image.ImageRecord;
import hako.image.Platform;
import hako.image.PullProgress;
import hako.image.Reference;
import hako.image.Registry;
import hako.sys.Libc;

import java.util.List;

/**
 * {@code hako pull [--tls-verify=false] [--platform OS/ARCH[/VARIANT]] [--quiet] REF}: an image
 * from an OCI distribution registry into the local store. TLS is verified for every registry,
 * localhost's too (as podman); --tls-verify=false takes any certificate, or plain HTTP.
 */
final class PullCommand {
    private PullCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("pull").value("tls-verify").value("platform").flag("quiet", "q").parse(argv);
        String text = args.one("an image reference");
        String tlsVerify = args.get("tls-verify", "true");
        if (!List.of("true", "false").contains(tlsVerify)) {
            throw new UsageException("pull", "--tls-verify takes true or false, not \"" + tlsVerify + "\"");
        }
        globals.context = "pulling \"" + text + "\"";
        Reference reference = Reference.parse(text);
        Platform platform = args.get("platform") == null ? Platform.host() : Platform.parse(args.get("platform"));
        PullProgress progress = args.has("quiet") ? PullProgress.quiet()
                : onTerminal() ? PullProgress.terminal(System.err) : PullProgress.lines(System.err);
        ImageRecord record = Registry.pull(reference, platform, tlsVerify.equals("true"), globals.images(), progress);
        System.out.println(Names.join(record.name(), record.tag()) + " " + record.manifest());
        return 0;
    }

    /** Bars redrawn in place only for a person watching: a terminal on stderr, where they go. */
    private static boolean onTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal() && Libc.isatty(2);
    }
}
