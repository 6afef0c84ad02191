package dev.sluice.cli;

import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.exec.StepResult;
import dev.sluice.core.function.FunctionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice retry RUN_ID}: runs a failed run again; finished steps are skipped, so only what failed runs. */
@Command(name = "retry", mixinStandardHelpOptions = true,
        description = "Retry a run (its id is in the dead letter and in runs/ of the state bucket). Steps that "
                + "finished are skipped; failed ones and those after them run again.")
final class RetryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "e.g. 20261125T233000-1a2b3c4d5e6f")
    String runId;

    @Option(names = {"-c", "--config"}, description = "Config file (default: the built-in demo).")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SluiceConfig loaded = ConfigFiles.load(config);
        Credentials credentials = Credentials.fromEnvironment(System::getenv);
        try (FunctionRegistry functions = Functions.load(loaded.pluginsDir())) {
            ConfigValidator.validate(loaded, functions);
            try (SluiceServer server = SluiceServer.startForBatch(loaded, functions, new SimpleMeterRegistry(),
                    credentials.accessKey(), credentials.secretKey())) {
                List<StepResult> steps = server.executor().retry(runId).get().stream()
                        .flatMap(StepResult::flatten).toList();
                steps.forEach(s -> out.printf("%-14s %s on %s%s%n", s.outcome().name().toLowerCase(), s.stepId(),
                        s.inputLocation(), s.error() == null ? "" : ": " + s.error()));
                boolean failed = steps.stream()
                        .anyMatch(s -> s.outcome().failed());
                out.println(failed ? "The run failed again; see the dead letters." : "The run completed.");
                out.flush();
                return failed ? 1 : 0;
            }
        }
    }
}
