package dev.sluice.cli;

import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.SluiceFunction;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice functions}: every available function with its parameters. */
@Command(name = "functions", mixinStandardHelpOptions = true,
        description = "List the available functions and their parameters.")
final class FunctionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = {"-c", "--config"},
            description = "Also list the functions in this config's plugins folder.")
    java.nio.file.Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (FunctionRegistry functions = Functions.load(config == null ? null : ConfigFiles.load(config).pluginsDir())) {
            for (SluiceFunction function : functions.all()) {
                out.printf("%s - %s%n", function.name(), function.description());
                for (ParameterSpec parameter : function.parameters()) {
                    String type = parameter.allowed().isEmpty() ? parameter.type().name().toLowerCase()
                            : String.join("|", parameter.allowed());
                    out.printf("    %-16s %-14s %s%s%n", parameter.name(), type, parameter.description(),
                            parameter.defaultValue() == null ? "" : " (default: " + parameter.defaultValue() + ")");
                }
                out.println();
            }
        }
        out.flush();
        return 0;
    }
}
