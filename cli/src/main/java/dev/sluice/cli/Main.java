package dev.sluice.cli;

import dev.sluice.core.SluiceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serverless data processing on your own object store: uploads trigger functions.",
        subcommands = {ServeCommand.class, WorkerCommand.class, InvokeCommand.class, BackfillCommand.class, FunctionsCommand.class, ConfigCommand.class,
                RetryCommand.class, WarmupCommand.class, MinioCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 done, 1 some work failed, 2 usage or config error. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for callers that redirect its output (tests). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            if (error instanceof SluiceException) {
                commandLine.getErr().println(commandLine.getColorScheme().errorText("sluice: " + error.getMessage()));
                return 2;
            }
            throw error;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "development build" : version)};
        }
    }
}
