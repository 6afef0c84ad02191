import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import dev.sluice.functions.ocr.OcrFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stand-in for {@code ./sluice invoke ocr FILES --out DIR [-p name=value]} when the launcher cannot be used:
 * the same LocalInvoker, one invocation per file, as many at once as there are cores. Run with the OCR module's
 * class path: {@code java -cp CP bench/ocr/Invoke.java FILES --out DIR}.
 */
public class Invoke {
    public static void main(String[] args) throws Exception {
        List<Path> files = new ArrayList<>();
        List<String> params = new ArrayList<>();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "-p" -> params.add(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        try (OcrFunction ocr = new OcrFunction()) {
            List<LocalInvoker.Result> results = LocalInvoker.invoke(ocr,
                    Parameters.of(ocr, Parameters.parseAssignments(params)), files, out,
                    Runtime.getRuntime().availableProcessors(), Duration.ofMinutes(10), r -> { });
            long failed = results.stream().filter(r -> !r.succeeded()).count();
            results.stream().filter(r -> !r.succeeded()).forEach(r -> System.err.println(r.input() + ": " + r.error()));
            System.err.println(results.size() - failed + " ok, " + failed + " failed");
            System.exit(failed == 0 ? 0 : 1);
        }
    }
}
