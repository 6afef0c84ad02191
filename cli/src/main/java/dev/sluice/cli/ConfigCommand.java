package dev.sluice.cli;

import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice config check}: loads a config and checks it against the available functions. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with config files.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a config file: syntax, pipelines, functions and their parameters.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-c", "--config"}, description = "Config file (default: the built-in demo).")
        Path config;

        @Override
        public Integer call() {
            SluiceConfig loaded = ConfigFiles.load(config);
            try (FunctionRegistry functions = Functions.load(loaded.pluginsDir())) {
                List<String> problems = ConfigValidator.problems(loaded, functions);
                if (!problems.isEmpty()) {
                    problems.forEach(p -> spec.commandLine().getErr().println("problem: " + p));
                    return 2;
                }
            }
            spec.commandLine().getOut().printf("%s: OK, %d pipeline(s)%n",
                    config == null ? ConfigFiles.DEMO : config, loaded.pipelines().size());
            return 0;
        }
    }
}
