package dev.sluice.cli;

import dev.sluice.core.SluiceException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sluice} command. */
@Command(name = "sluice", versionProvider = Main.Version.class,
        description = "Serverless data processing on your own object store: uploads trigger functions.")
public final class Main {

    // -h and -V as fields rather than picocli's mixinStandardHelpOptions: the same options, without a second
    // command model built by reflection at every start
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    /**
     * The subcommands, in the order help lists them. Picocli reads a command's options by reflection when it is
     * added, which costs a one-shot {@code sluice invoke} a noticeable part of its start-up; so a command line
     * that names its subcommand gets only that one, and everything else (help, a typo) gets them all.
     */
    static final List<String> SUBCOMMANDS =
            List.of("serve", "worker", "invoke", "backfill", "functions", "config", "retry", "usage", "warmup", "minio",
                    "help");

    /**
     * A new subcommand object by name, or null. A switch rather than a map of constructor references: linking
     * each reference is a lambda bootstrap at every start.
     */
    static Object subcommand(String name) {
        return switch (name) {
            case "serve" -> new ServeCommand();
            case "worker" -> new WorkerCommand();
            case "invoke" -> new InvokeCommand();
            case "backfill" -> new BackfillCommand();
            case "functions" -> new FunctionsCommand();
            case "config" -> new ConfigCommand();
            case "retry" -> new RetryCommand();
            case "usage" -> new UsageCommand();
            case "warmup" -> new WarmupCommand();
            case "minio" -> new MinioCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> null;
        };
    }

    public static void main(String[] args) {
        loadFunctionsAhead(args);
        System.exit(run(args));
    }

    /** For {@code invoke}: functions load and prepare while the command line is parsed (see Functions). */
    static void loadFunctionsAhead(String... args) {
        if (args.length > 0 && args[0].equals("invoke")) {
            Functions.loadAheadFor(args);
        }
    }

    /** Runs a command line and returns its exit code: 0 done, 1 some work failed, 2 usage or config error. */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** The configured command line with every subcommand, for callers that redirect its output (tests). */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** The configured command line for {@code args}: only the subcommand they name, when they name one. */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        String named = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.contains(named) && !named.equals("help")) {
            cli.addSubcommand(subcommand(named));
        } else {
            for (String name : SUBCOMMANDS) {
                cli.addSubcommand(subcommand(name));
            }
        }
        cli.setExecutionExceptionHandler(new ConfigErrorHandler());
        return cli;
    }

    /**
     * A configuration error is a message for the user, not a stack trace. A class rather than a lambda: a lambda
     * for a Java 5 interface (picocli's) keeps it and the interface out of the launcher's class-data archive.
     */
    private static final class ConfigErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception error, CommandLine commandLine,
                                            CommandLine.ParseResult parseResult) throws Exception {
            if (error instanceof SluiceException) {
                commandLine.getErr().println(commandLine.getColorScheme().errorText("sluice: " + error.getMessage()));
                return 2;
            }
            throw error;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "development build" : version)};
        }
    }
}
