package hako.cli;

import hako.Invocation;
import hako.image.ImageRecord;
import hako.image.Platform;
import hako.image.PullProgress;
import hako.image.Registry;
import hako.sys.Libc;

import java.util.List;

/**
 * {@code hako pull [--tls-verify=false] [--platform OS/ARCH[/VARIANT]] [--quiet] REF}: an image
 * from an OCI distribution registry into the local store, by way of registries.conf's mirrors,
 * locations and unqualified-search-registries. TLS is verified for every registry, localhost's
 * too (as podman), unless registries.conf says insecure; --tls-verify decides for all of them.
 */
final class PullCommand {
    private PullCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("pull").value("tls-verify").value("platform").flag("quiet", "q").parse(argv);
        String text = args.one("an image reference");
        String tlsVerify = args.get("tls-verify");
        if (tlsVerify != null && !List.of("true", "false").contains(tlsVerify)) {
            throw new UsageException("pull", "--tls-verify takes true or false, not \"" + tlsVerify + "\"");
        }
        globals.context = "pulling \"" + text + "\"";
        Platform platform = args.get("platform") == null ? Platform.host() : Platform.parse(args.get("platform"));
        ImageRecord record = Registry.pull(text, platform, tlsVerify == null ? null : tlsVerify.equals("true"), globals.registries(),
                globals.images(), progress(args.has("quiet")));
        Invocation.current().out().println(Names.join(record.name(), record.tag()) + " " + record.manifest());
        return 0;
    }

    /** Bars redrawn in place only for a person watching: a terminal on stderr, where they go; plain lines elsewhere. */
    static PullProgress progress(boolean quiet) {
        if (quiet) return PullProgress.quiet();
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal() && Libc.isatty(2);
        return terminal ? PullProgress.terminal(Invocation.current().err()) : PullProgress.lines(Invocation.current().err());
    }
}
