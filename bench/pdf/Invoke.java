import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stand-in for {@code ./sluice invoke FUNCTION FILES --out DIR [-p name=value]} when the launcher cannot be used:
 * the same LocalInvoker, one invocation per file, as many at once as there are cores. Run with the PDF module's
 * class path: {@code java -cp CP bench/pdf/Invoke.java pdf-text FILES --out DIR}.
 */
public class Invoke {
    public static void main(String[] args) throws Exception {
        List<Path> files = new ArrayList<>();
        List<String> params = new ArrayList<>();
        Path out = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "-p" -> params.add(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        try (FunctionRegistry registry = FunctionRegistry.loadDefault()) {
            SluiceFunction function = registry.get(args[0]);
            List<LocalInvoker.Result> results = LocalInvoker.invoke(function,
                    Parameters.of(function, Parameters.parseAssignments(params)), files, out,
                    Runtime.getRuntime().availableProcessors(), Duration.ofMinutes(5), r -> { });
            long failed = results.stream().filter(r -> !r.succeeded()).count();
            results.stream().filter(r -> !r.succeeded()).forEach(r -> System.err.println(r.input() + ": " + r.error()));
            System.err.println(results.size() - failed + " ok, " + failed + " failed");
            System.exit(failed == 0 ? 0 : 1);
        }
    }
}
