package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice invoke}: runs a function on local files, in parallel, outputs named after their input. */
@Command(name = "invoke", mixinStandardHelpOptions = true,
        description = "Run a function on local files and write its outputs to a folder.")
final class InvokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "FUNCTION", description = "Function name; see `sluice functions`.")
    String function;

    @picocli.CommandLine.Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT",
            description = "Input files (a folder means the files in it).")
    List<Path> inputs;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "A function parameter; repeatable.")
    List<String> params = new ArrayList<>();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Folder for the outputs.")
    Path out;

    @Option(names = {"-j", "--parallel"}, paramLabel = "N", description = "Inputs processed at once (default: cores).")
    int parallel = Runtime.getRuntime().availableProcessors();

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Per input, e.g. 30s or 5m (default: 5m).")
    String timeout = "5m";

    @Option(names = "--plugins", paramLabel = "DIR", description = "A folder of function jars to load as well.")
    Path plugins;

    @Option(names = {"-q", "--quiet"}, description = "Print only failures and the summary.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<Path> files = expand(inputs);
        Files.createDirectories(out);
        try (FunctionRegistry functions = Functions.load(plugins)) {
            SluiceFunction fn = functions.get(function);
            dev.sluice.core.function.Parameters parameters =
                    dev.sluice.core.function.Parameters.of(fn, dev.sluice.core.function.Parameters.parseAssignments(params));
            fn.validate(parameters);
            long start = System.nanoTime();
            List<LocalInvoker.Result> results = LocalInvoker.invoke(fn, parameters, files, out, parallel,
                    dev.sluice.core.config.Durations.parse(timeout, "--timeout"), result -> {
                        synchronized (this) {
                            if (!result.succeeded()) {
                                stderr.printf("FAILED %s: %s%n", result.input(), result.error());
                                stderr.flush();
                            } else if (!quiet) {
                                stdout.printf("ok     %s -> %d output(s) in %d ms%n", result.input(),
                                        result.outputs().size(), result.duration().toMillis());
                                stdout.flush();
                            }
                        }
                    });
            long failed = results.stream().filter(r -> !r.succeeded()).count();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            stdout.printf("%d input(s): %d succeeded, %d failed in %.2f s; outputs in %s%n", results.size(),
                    results.size() - failed, failed, took.toMillis() / 1000.0, out);
            if (failed > 0) {
                stderr.println("Failed inputs:");
                results.stream().filter(r -> !r.succeeded())
                        .forEach(r -> stderr.printf("  %s: %s%n", r.input(), r.error()));
            }
            stdout.flush();
            stderr.flush();
            return failed == 0 ? 0 : 1;
        }
    }

    private static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> listing = Files.list(input)) {
                    listing.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                throw new ConfigException("Input " + input + " does not exist or is not a file.");
            }
        }
        java.util.Map<String, Path> byName = new java.util.HashMap<>();
        for (Path file : files) {
            Path other = byName.putIfAbsent(file.getFileName().toString(), file);
            if (other != null) {
                throw new ConfigException("Inputs " + other + " and " + file + " have the same file name, so their "
                        + "outputs would overwrite each other in one --out folder; invoke them separately.");
            }
        }
        return files;
    }
}
