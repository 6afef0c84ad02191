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
@Command(name = "invoke",
        description = "Run a function, or a chain such as \"pdf-render|ocr\", on local files and write the outputs "
                + "to a folder.")
final class InvokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // as fields, not mixinStandardHelpOptions (see Main)
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "FUNCTION",
            description = "Function name (see `sluice functions`), or a chain a|b: outputs of a are the inputs of b.")
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

    @Option(names = "--isolate", arity = "0..1", fallbackValue = "1g", paramLabel = "HEAP",
            description = "Run each input in a child JVM with this heap (default 1g), as isolation: process does in a "
                    + "server: a file that crashes a native library fails alone.")
    String isolate;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (isolate != null && !dev.sluice.core.pipeline.FunctionSettings.isHeapSize(isolate)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--isolate takes a heap size as for "
                    + "java -Xmx, e.g. --isolate=512m (not '" + isolate + "').");
        }
        List<Path> files = expand(inputs);
        Files.createDirectories(out);
        List<String> stages = java.util.Arrays.stream(function.split("\\|")).map(String::trim).toList();
        Path intermediate = stages.size() > 1 ? Files.createTempDirectory("sluice-chain") : null;
        try (FunctionRegistry functions = Functions.load(plugins)) {
            List<SluiceFunction> fns = stages.stream().map(functions::get).toList();
            List<dev.sluice.core.function.Parameters> parameters = stageParameters(fns);
            long start = System.nanoTime();
            long failed = 0;
            List<Path> current = files;
            List<LocalInvoker.Result> results = List.of();
            for (int i = 0; i < fns.size() && !current.isEmpty(); i++) {
                boolean last = i == fns.size() - 1;
                Path stageOut = last ? out : intermediate.resolve("stage-" + (i + 1));
                String label = fns.size() > 1 ? fns.get(i).name() + ": " : "";
                results = LocalInvoker.invoke(fns.get(i), parameters.get(i), current, stageOut, parallel,
                        dev.sluice.core.config.Durations.parse(timeout, "--timeout"),
                        result -> report(result, label, last, stdout, stderr), (input, fraction) -> { }, isolate);
                failed += results.stream().filter(r -> !r.succeeded()).count();
                // a|b: every output of a is an input of b
                current = results.stream().flatMap(r -> r.outputs().stream()).toList();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (fns.size() == 1) {
                stdout.printf("%d input(s): %d succeeded, %d failed in %.2f s; outputs in %s%n", files.size(),
                        files.size() - failed, failed, took.toMillis() / 1000.0, out);
            } else {
                stdout.printf("%d input(s) through %s: %d output(s), %d failure(s) in %.2f s; outputs in %s%n",
                        files.size(), function, current.size(), failed, took.toMillis() / 1000.0, out);
            }
            stdout.flush();
            stderr.flush();
            return failed == 0 ? 0 : 1;
        } finally {
            if (intermediate != null) {
                try (Stream<Path> walk = Files.walk(intermediate)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private synchronized void report(LocalInvoker.Result result, String label, boolean last, PrintWriter stdout,
                                     PrintWriter stderr) {
        if (!result.succeeded()) {
            stderr.printf("FAILED %s%s: %s%n", label, result.input(), result.error());
            stderr.flush();
        } else if (!quiet && last) {
            stdout.printf("ok     %s%s -> %d output(s) in %d ms%n", label, result.input(), result.outputs().size(),
                    result.duration().toMillis());
            stdout.flush();
        }
    }

    /**
     * Parameters per stage. With one function, {@code name=value}. In a chain, {@code function.name=value} or
     * {@code N.name=value} (1-based stage number); an unprefixed name is allowed when only one stage has it.
     */
    private List<dev.sluice.core.function.Parameters> stageParameters(List<SluiceFunction> fns) {
        List<java.util.Map<String, String>> given = new ArrayList<>();
        fns.forEach(f -> given.add(new java.util.LinkedHashMap<>()));
        dev.sluice.core.function.Parameters.parseAssignments(params).forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (fns.size() == 1 && dot < 0) {
                given.get(0).put(key, value);
                return;
            }
            if (dot > 0) {
                given.get(stageIndex(fns, key.substring(0, dot))).put(key.substring(dot + 1), value);
                return;
            }
            List<Integer> takers = new ArrayList<>();
            for (int i = 0; i < fns.size(); i++) {
                if (fns.get(i).parameters().stream().anyMatch(p -> p.name().equals(key))) {
                    takers.add(i);
                }
            }
            if (takers.size() != 1) {
                throw new ConfigException("In a chain, say which function parameter '" + key + "' is for, e.g. "
                        + fns.get(fns.size() - 1).name() + "." + key + "=" + value + " or "
                        + fns.size() + "." + key + "=" + value + ".");
            }
            given.get(takers.get(0)).put(key, value);
        });
        List<dev.sluice.core.function.Parameters> parameters = new ArrayList<>();
        for (int i = 0; i < fns.size(); i++) {
            dev.sluice.core.function.Parameters p = dev.sluice.core.function.Parameters.of(fns.get(i), given.get(i));
            fns.get(i).validate(p);
            parameters.add(p);
        }
        return parameters;
    }

    private static int stageIndex(List<SluiceFunction> fns, String stage) {
        if (stage.matches("\\d+")) {
            int n = Integer.parseInt(stage);
            if (n >= 1 && n <= fns.size()) {
                return n - 1;
            }
        }
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < fns.size(); i++) {
            if (fns.get(i).name().equals(stage)) {
                matches.add(i);
            }
        }
        if (matches.size() != 1) {
            throw new ConfigException("Parameter prefix '" + stage + "' names no single stage of the chain; use the "
                    + "function name or the stage number (1-" + fns.size() + ").");
        }
        return matches.get(0);
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
