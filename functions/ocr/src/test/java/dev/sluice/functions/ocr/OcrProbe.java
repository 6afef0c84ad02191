package dev.sluice.functions.ocr;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Run in a child JVM by {@link NativeLoadingTest}: OCRs one file and prints the library and the text or error. */
public final class OcrProbe {
    private OcrProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createTempDirectory("ocr-probe");
        try (OcrFunction ocr = new OcrFunction()) {
            LocalInvoker.Result result = LocalInvoker.invoke(ocr, Parameters.of(ocr, Map.of()),
                    List.of(Path.of(args[0])), out, 1, Duration.ofMinutes(1), r -> { }).get(0);
            System.out.println("LIBRARY " + ocr.stats().library());
            System.out.println(result.succeeded() ? "TEXT " + Files.readString(result.outputs().get(0))
                    : "ERROR " + result.error());
        }
    }
}
